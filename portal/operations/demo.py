"""Demo data for the embedded default: two charities, a police force, a user of every role."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time, timedelta

from django.db import transaction
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from peergroups.models import Group
from portal.accounts.models import User
from portal.organisations.models import (
    AgencyEmailDomain,
    Membership,
    Organisation,
    ReferringAgency,
)
from portal.organisations.roles import Role

DEMO_PASSWORD = "demo-portal-password"  # noqa: S105 - printed for demo users  # nosec B105


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str | None
    place: str | None
    superuser: bool = False


ORGANISATIONS = ["Northbridge Family Support", "Riverside Peer Network"]
# How families reach each demo charity: Ofcom's numbers kept for drama, which never ring
# anyone, and addresses on the reserved .example domain.
DEMO_CONTACT_DETAILS = {
    ORGANISATIONS[0]: {
        "contact_phone": "0808 157 0192",
        "contact_email": "support@northbridge.example",
        "contact_opening_hours": "Monday to Friday, 9am to 5pm\nThursday until 8pm\n"
        "Closed on bank holidays",
    },
    ORGANISATIONS[1]: {
        "contact_phone": "0113 496 0123",
        "contact_email": "hello@riverside.example",
        "contact_opening_hours": "Tuesday to Saturday, 10am to 4pm",
    },
}
AGENCY = "Example Constabulary"
AGENCY_DOMAIN = "police.example"
DEMO_USERS = [
    DemoUser(
        "coordinator@northbridge.example", "Cara Coordinator", Role.COORDINATOR, ORGANISATIONS[0]
    ),
    DemoUser("caseworker@northbridge.example", "Kit Caseworker", Role.CASEWORKER, ORGANISATIONS[0]),
    DemoUser(
        "facilitator@northbridge.example", "Fran Facilitator", Role.FACILITATOR, ORGANISATIONS[0]
    ),
    DemoUser(
        "coordinator@riverside.example", "Rowan Coordinator", Role.COORDINATOR, ORGANISATIONS[1]
    ),
    DemoUser("caseworker@riverside.example", "Robin Caseworker", Role.CASEWORKER, ORGANISATIONS[1]),
    DemoUser("referrer@police.example", "PC Remi Referrer", Role.REFERRER, AGENCY),
    DemoUser("admin@portal.example", "Ada Admin", None, None, superuser=True),
]
DEMO_GROUPS = [
    (ORGANISATIONS[0], "Partners' evening group", Group.Audience.PARTNERS, Group.Format.ZOOM, 8),
    (ORGANISATIONS[0], "Parents' group", Group.Audience.PARENTS, Group.Format.IN_PERSON, 10),
    (
        ORGANISATIONS[1],
        "Family and friends circle",
        Group.Audience.ANY_FAMILY,
        Group.Format.ZOOM,
        12,
    ),
]
# Days from today to each group's first weekly meeting, so that the demo facilitator's
# week is a real one whenever the demo starts: the partners' group met two days ago and
# its register is waiting; the parents' group meets in two days.
DEMO_FIRST_MEETING = {
    "Partners' evening group": -2,
    "Parents' group": 2,
    "Family and friends circle": 2,
}
DEMO_MEETING_WEEKS = 8
DEMO_MEETING_TIME = time(19, 0)
WEEK = timedelta(days=7)


@transaction.atomic
def demo_data_load(
    *, progress: Callable[[str], None] = lambda message: None
) -> list[tuple[DemoUser, str]]:
    """Create the demo data if it is missing. Safe to run again: nothing is duplicated."""
    organisations = {}
    for name in ORGANISATIONS:
        organisations[name], _ = Organisation.objects.get_or_create(
            name=name, defaults={"slug": slugify(name), "service_area": "Northshire"}
        )
        _demo_contact_details(organisations[name], DEMO_CONTACT_DETAILS[name])
    progress(f"{len(organisations)} organisations")
    agency, _ = ReferringAgency.objects.get_or_create(
        name=AGENCY, defaults={"kind": ReferringAgency.Kind.POLICE}
    )
    AgencyEmailDomain.objects.get_or_create(agency=agency, domain=AGENCY_DOMAIN)
    for organisation in organisations.values():
        organisation.partner_agencies.add(agency)
    progress("1 referring agency")

    logins = []
    for demo in DEMO_USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User(
                email=demo.email,
                full_name=demo.full_name,
                is_superuser=demo.superuser,
                is_staff=demo.superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        if demo.role in (Role.COORDINATOR, Role.CASEWORKER, Role.FACILITATOR):
            Membership.objects.get_or_create(
                user=user, organisation=organisations[demo.place], role=demo.role, ended_at=None
            )
        elif demo.role == Role.REFERRER:
            Membership.objects.get_or_create(
                user=user, agency=agency, role=demo.role, ended_at=None
            )
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        logins.append((demo, device.key))
    progress(f"{len(logins)} users")

    for place, title, audience, format_, capacity in DEMO_GROUPS:
        group, _ = Group.objects.get_or_create(
            organisation=organisations[place],
            title=title,
            defaults={
                "audience": audience,
                "format": format_,
                "capacity": capacity,
                "ground_rules": DEMO_GROUND_RULES,
            },
        )
        _demo_schedule(group, first_meeting=DEMO_FIRST_MEETING[title])
    progress(f"{len(DEMO_GROUPS)} groups with schedules")
    opened = _demo_call_times(organisations[ORGANISATIONS[0]])
    progress(f"{opened} open call times")
    from resources.library import load_library

    load_library()
    progress("resource library")
    _demo_outcome_measures(organisations.values())
    progress("outcome measures")
    made = _demo_referrals(organisations[ORGANISATIONS[0]], agency)
    progress(f"{made} referrals")
    return logins


def _demo_contact_details(organisation: Organisation, details: dict[str, str]) -> None:
    """Fill in how families reach a demo charity, leaving alone anything a coordinator has
    already given (loading the demo again keeps their changes)."""
    from portal.organisations.contact import opening_hours_clean, uk_phone_normalise

    if organisation.has_contact_details:
        return
    organisation.contact_phone = uk_phone_normalise(details["contact_phone"])
    organisation.contact_email = details["contact_email"]
    organisation.contact_opening_hours = opening_hours_clean(details["contact_opening_hours"])
    organisation.save(update_fields=["contact_phone", "contact_email", "contact_opening_hours"])


def _demo_outcome_measures(organisations) -> None:
    """Each demo charity asks the shipped questionnaires at intake, after six sessions and
    at exit."""
    from portal.outcomes.models import OutcomeSchedule, Question, Questionnaire
    from portal.outcomes.shipped import install

    install(Questionnaire, Question)
    for organisation in organisations:
        for questionnaire in Questionnaire.objects.filter(organisation__isnull=True):
            OutcomeSchedule.objects.get_or_create(
                organisation=organisation,
                questionnaire=questionnaire,
                defaults={"after_sessions": 6},
            )


DEMO_GROUND_RULES = (
    "Join from somewhere private, or wear headphones. Please do not record or take "
    "screenshots. We use first names only. What is said in the group stays in the group, "
    "unless someone is at risk of serious harm."
)


def _demo_facilitator(organisation: Organisation) -> User:
    """The organisation's demo facilitator, or its coordinator where it has none."""
    for role in (Role.FACILITATOR, Role.COORDINATOR):
        user = (
            User.objects.filter(
                memberships__organisation=organisation,
                memberships__role=role,
                memberships__ended_at=None,
            )
            .order_by("email")
            .first()
        )
        if user is not None:
            return user
    raise LookupError(f"{organisation} has no facilitator or coordinator")


def _demo_schedule(group: Group, *, first_meeting: int) -> None:
    """Weekly meetings at 7pm from ``first_meeting`` days from today, kept current.

    A group with meetings still to come is left as it is (loading again changes
    nothing, and a week later the last meeting is still there, its register waiting).
    Only a group with none to come (new, or a demo database left for weeks) is given a
    fresh run of meetings; and a group whose week starts in the past gets that meeting
    if it has had none in the last seven days.
    """
    from datetime import timedelta

    from django.utils import timezone

    from peergroups.models import Session, Venue
    from peergroups.scheduling import ScheduleSpec, local_datetime
    from peergroups.services import schedule_apply

    facilitator = _demo_facilitator(group.organisation)
    if group.format == Group.Format.IN_PERSON and group.venue is None:
        group.venue, _ = Venue.objects.get_or_create(
            organisation=group.organisation,
            name="Community centre, small hall",
            defaults={
                "address": "1 Example Street\nNorthbridge\nNB1 1AA",
                "accessibility": "Step-free entrance and an accessible toilet.",
                "arrival_notes": "Use the side door and ask for the family support group.",
            },
        )
        group.save(update_fields=["venue"])
    group.facilitators.add(facilitator)
    now = timezone.now()
    live = group.sessions.filter(status=Session.Status.SCHEDULED)
    first_day = timezone.localdate() + timedelta(days=first_meeting)
    if not live.filter(starts_at__gt=now).exists():
        schedule_apply(
            group=group,
            spec=ScheduleSpec(
                rule="weekly",
                start_date=first_day,
                start_time=DEMO_MEETING_TIME,
                duration_minutes=90,
                occurrences=DEMO_MEETING_WEEKS,
            ),
            actor=facilitator,
        )
    if first_meeting < 0 and not live.filter(starts_at__range=(now - WEEK, now)).exists():
        # A schedule makes only meetings to come: this week's, already held, is made
        # here, with no Zoom meeting to make (it is over).
        starts_at = local_datetime(first_day, DEMO_MEETING_TIME)
        Session.objects.create(
            group=group,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=90),
            sync_state=Session.Sync.NOT_NEEDED,
        )


def _demo_call_times(organisation: Organisation) -> int:
    """Times for a first call over the next working days, so that a family trying the demo
    can book one on their support page. Only while none are open: nothing piles up."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from peergroups.models import InitialCallSlot
    from peergroups.services import call_slot_publish
    from portal.core.working_days import add_working_days

    now = timezone.now()
    if InitialCallSlot.objects.filter(
        organisation=organisation, referral__isnull=True, starts_at__gt=now
    ).exists():
        return 0
    facilitator = User.objects.get(email="facilitator@northbridge.example")
    opened = 0
    for days in (1, 2, 3):
        day = add_working_days(now, days)
        for hour in (10, 14):
            starts_at = timezone.make_aware(datetime.combine(day, time(hour, 0)))
            call_slot_publish(
                facilitator=facilitator,
                organisation=organisation,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=30),
            )
            opened += 1
    return opened


@dataclass(frozen=True)
class DemoReferral:
    name: str
    relationship: str
    stage: str
    channels: tuple[str, ...]
    professional: bool
    # What has happened since it came in (``_demo_journey``): the state it is left in.
    journey: str = "new"
    format_preference: str = "either"


# The first three keep their places (their submission keys are their positions), so a
# demo database made before the others were added gains the others and nothing twice.
DEMO_REFERRALS = [
    DemoReferral("Sam Taylor", "partner", "on_bail", ("call", "email", "text"), False, "call"),
    DemoReferral("Jo Patel", "parent", "released_under_investigation", ("call",), True),
    DemoReferral("Chris Morgan", "sibling", "searched_or_arrested", ("email",), False),
    DemoReferral("Alex Reid", "partner", "on_bail", ("call", "text"), True, "in_contact"),
    DemoReferral("Morgan Ellis", "parent", "in_custody", ("call", "email"), True, "assessed"),
    DemoReferral(
        "Dana Hughes", "parent", "charged_or_awaiting_court", ("call", "email"), True, "offered"
    ),
    DemoReferral("Lee Carter", "partner", "on_bail", ("call", "email"), True, "placed", "zoom"),
    DemoReferral(
        "Priya Shah",
        "partner",
        "released_under_investigation",
        ("call", "text"),
        True,
        "placed",
        "zoom",
    ),
    DemoReferral(
        "Taylor Brooks", "partner", "sentenced_or_order", ("call",), True, "placed", "zoom"
    ),
    DemoReferral("Nat Wood", "sibling", "on_bail", ("call", "email"), True, "waitlisted"),
    DemoReferral("Kim Lowe", "child", "charged_or_awaiting_court", ("call",), True, "signposted"),
    DemoReferral("Hayden Price", "friend", "searched_or_arrested", ("call",), True, "closed"),
]
# What each demo person said about safe times, and the windows kept from it: Sam in the
# mornings, Jo in the evenings, Chris with only a note, so that the queue and the
# referral page show "Only a note: turn it into safe times". Everyone else: any time.
DEMO_SAFE_TIMES = {
    "Sam Taylor": ("Weekday mornings", "weekday_mornings"),
    "Jo Patel": ("Weekday evenings, after work", "weekday_evenings"),
    "Chris Morgan": ("Not when my brother is home. Email is best", ""),
}
DEMO_ANY_TIME = ("Any time is fine", "any_time")
# Where each journey leaves the referral.
JOURNEY_STATES = {
    "new": "new",
    "call": "new",
    "in_contact": "in_contact",
    "assessed": "assessed",
    "offered": "assessed",
    "placed": "placed",
    "waitlisted": "waitlisted",
    "signposted": "signposted",
    "closed": "closed",
}


def _demo_windows(name: str):
    from portal.notifications.contact_windows import PRESETS, ContactWindows, Window

    windows = DEMO_SAFE_TIMES.get(name, DEMO_ANY_TIME)[1]
    if windows == "weekday_mornings":
        return ContactWindows(tuple(Window(day, time(9), time(12)) for day in range(5)))
    return PRESETS[windows] if windows else ContactWindows()


def _demo_referrals(organisation: Organisation, agency: ReferringAgency) -> int:
    """Referrals in every state, each made as staff would make it happen: through the
    services, so each has its timeline, audit rows and places as a real one would. What
    has happened is played through only when the referral is made: loading again leaves
    alone whatever someone did with it in the demo."""
    from django.utils import timezone

    from referrals.choices import ConsentMethod, Source
    from referrals.consent import PROFESSIONAL_VERSION, SELF_REFERRAL_VERSION
    from referrals.models import Referral
    from referrals.services import (
        ConsentDetails,
        PersonDetails,
        SafeContactDetails,
        referral_submit,
    )

    referrer = User.objects.get(email="referrer@police.example")
    made = 0
    for number, demo in enumerate(DEMO_REFERRALS):
        key = f"demo-referral-{number}"
        if Referral.objects.filter(submission_key=key).exists():
            continue
        first = demo.name.split()[0].lower()
        professional = demo.professional
        referral = referral_submit(
            organisation=organisation,
            person=PersonDetails(
                full_name=demo.name,
                email=f"{first}@example.org" if "email" in demo.channels else "",
                phone="07700 900" + f"{100 + number}",
                relationship=demo.relationship,
                stage=demo.stage,
                children_in_household="no",
                support_wanted="peer_group",
                format_preference=demo.format_preference,
                area="Northbridge",
            ),
            safe_contact=SafeContactDetails(
                safe_channels=frozenset(demo.channels),
                safe_times=DEMO_SAFE_TIMES.get(demo.name, DEMO_ANY_TIME)[0],
                windows=_demo_windows(demo.name),
            ),
            consent=ConsentDetails(
                method=ConsentMethod.VERBAL if professional else ConsentMethod.ONLINE_FORM,
                given_at=timezone.now(),
                statement_version=PROFESSIONAL_VERSION if professional else SELF_REFERRAL_VERSION,
                share_status_with_referrer=professional,
                professional_name="PC Remi Referrer" if professional else "",
                professional_identifier="4521" if professional else "",
            ),
            source=Source.PROFESSIONAL if professional else Source.SELF,
            referrer=referrer if professional else None,
            agency=agency if professional else None,
            submission_key=key,
        )
        _demo_journey(referral, demo.journey)
        made += 1
    return made


@contextmanager
def _messages_already_sent():
    """What happened before the demo started was told to the family then: the messages
    it queues (an offer since accepted, a call's confirmation) are not sent now, so the
    terminal shows only what is news. Drops the after-commit jobs queued inside."""
    from django.db import connection

    if not connection.in_atomic_block:
        raise RuntimeError("Only inside the demo data's transaction.")
    queued = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[queued:]


def _demo_journey(referral, journey: str) -> None:
    """Take a new referral to where ``journey`` leaves it, as its caseworker and the
    facilitator would (the family accepts their own place)."""
    from peergroups.models import InitialCallSlot
    from peergroups.services import booking_confirm, booking_offer, call_slot_book
    from referrals.choices import AttemptOutcome, CloseReason, State
    from referrals.services import (
        case_note_add,
        contact_attempt_record,
        referral_assign,
        referral_transition,
    )

    if journey == "new":
        return
    caseworker = User.objects.get(email="caseworker@northbridge.example")
    organisation = referral.organisation
    with _messages_already_sent():
        if journey == "call":
            # A first call booked with the facilitator, at the first free time safe for them.
            from django.utils import timezone

            windows = referral.safe_contact.windows
            slot = next(
                slot
                for slot in InitialCallSlot.objects.filter(
                    organisation=organisation, referral__isnull=True, starts_at__gt=timezone.now()
                ).order_by("starts_at")
                if windows.allows(slot.starts_at)
            )
            call_slot_book(slot=slot, referral=referral, method="phone", actor=caseworker)
            return
        referral_assign(referral=referral, assignee=caseworker, actor=caseworker)
        contact_attempt_record(
            referral=referral,
            channel="call",
            outcome=AttemptOutcome.REACHED,
            note="Spoke for twenty minutes. Happy to hear about the groups.",
            actor=caseworker,
        )
        if journey == "closed":
            case_note_add(
                referral=referral,
                body="Has support from their own family for now; knows they can come back.",
                actor=caseworker,
            )
            referral_transition(
                referral=referral,
                to_state=State.CLOSED,
                close_reason=CloseReason.DECLINED,
                actor=caseworker,
            )
            return
        if journey == "in_contact":
            return
        referral_transition(referral=referral, to_state=State.ASSESSED, actor=caseworker)
        if journey in ("waitlisted", "signposted"):
            referral_transition(referral=referral, to_state=journey, actor=caseworker)
        elif journey == "placed":
            group = Group.objects.get(organisation=organisation, title=DEMO_GROUPS[0][1])
            booking = booking_offer(group=group, referral=referral, actor=caseworker)
            booking_confirm(booking=booking)
            referral.refresh_from_db()
            if referral.state != State.PLACED:
                referral_transition(referral=referral, to_state=State.PLACED, actor=caseworker)
    if journey == "offered":
        # Left open, and told now: the family's offer in the terminal, to accept.
        group = Group.objects.get(organisation=organisation, title=DEMO_GROUPS[1][1])
        booking_offer(group=group, referral=referral, actor=caseworker)


DEMO_KEY_NAME = "Demo case system"


@transaction.atomic
def demo_api_key_issue() -> str:
    """A fresh API key for the police demo agency to refer to the first organisation.

    Keys are stored hashed and cannot be shown again, so each demo start revokes the
    last demo key and prints a new one.
    """
    from datetime import timedelta

    from django.utils import timezone

    from portal.api.models import AgencyApiKey, Scope
    from portal.api.services import api_key_issue, api_key_revoke

    organisation = Organisation.objects.get(name=ORGANISATIONS[0])
    coordinator = User.objects.get(email=DEMO_USERS[0].email)
    for old in AgencyApiKey.objects.filter(
        organisation=organisation, name=DEMO_KEY_NAME, revoked=False
    ):
        api_key_revoke(key=old, actor=coordinator)
    _, raw_key = api_key_issue(
        organisation=organisation,
        agency=ReferringAgency.objects.get(name=AGENCY),
        name=DEMO_KEY_NAME,
        scopes=list(Scope.values),
        expires_on=timezone.localdate() + timedelta(days=30),
        actor=coordinator,
    )
    return raw_key


def demo_current_codes() -> list[tuple[str, str]]:
    """The code each demo user's authenticator would show now."""
    from django_otp.oath import TOTP

    codes = []
    for demo in DEMO_USERS:
        device = TOTPDevice.objects.filter(user__email=demo.email, confirmed=True).first()
        if device is not None:
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            codes.append((demo.email, f"{totp.token():06d}"))
    return codes
