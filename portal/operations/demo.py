"""Demo data for the embedded default: two charities, a police force, a user of every role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
        group, created = Group.objects.get_or_create(
            organisation=organisations[place],
            title=title,
            defaults={
                "audience": audience,
                "format": format_,
                "capacity": capacity,
                "ground_rules": DEMO_GROUND_RULES,
            },
        )
        if created:
            _demo_schedule(group)
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


def _demo_schedule(group: Group) -> None:
    from datetime import time, timedelta

    from django.utils import timezone

    from peergroups.models import Venue
    from peergroups.scheduling import ScheduleSpec
    from peergroups.services import schedule_apply

    facilitator = (
        User.objects.filter(
            memberships__organisation=group.organisation,
            memberships__role__in=[Role.FACILITATOR, Role.COORDINATOR],
        )
        .order_by("email")
        .first()
    )
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
    schedule_apply(
        group=group,
        spec=ScheduleSpec(
            rule="weekly",
            start_date=timezone.localdate() + timedelta(days=2),
            start_time=time(19, 0),
            duration_minutes=90,
            occurrences=8,
        ),
        actor=facilitator,
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


DEMO_REFERRALS = [
    ("Sam Taylor", "partner", "on_bail", ["email", "text"], False),
    ("Jo Patel", "parent", "released_under_investigation", ["call"], True),
    ("Chris Morgan", "sibling", "searched_or_arrested", ["email"], False),
]
# What each demo person said about safe times, and the windows kept from it: one in the
# mornings, one in the evenings, and one with only a note, so that the queue and the
# referral page show "Only a note: turn it into safe times".
DEMO_SAFE_TIMES = {
    "Sam Taylor": ("Weekday mornings", "weekday_mornings"),
    "Jo Patel": ("Weekday evenings, after work", "weekday_evenings"),
    "Chris Morgan": ("Not when my brother is home. Email is best", ""),
}


def _demo_windows(name: str):
    from datetime import time

    from portal.notifications.contact_windows import PRESETS, ContactWindows, Window

    windows = DEMO_SAFE_TIMES[name][1]
    if windows == "weekday_mornings":
        return ContactWindows(tuple(Window(day, time(9), time(12)) for day in range(5)))
    return PRESETS[windows] if windows else ContactWindows()


def _demo_referrals(organisation: Organisation, agency: ReferringAgency) -> int:
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
    for number, (name, relationship, stage, channels, professional) in enumerate(DEMO_REFERRALS):
        key = f"demo-referral-{number}"
        if Referral.objects.filter(submission_key=key).exists():
            continue
        first = name.split()[0].lower()
        referral_submit(
            organisation=organisation,
            person=PersonDetails(
                full_name=name,
                email=f"{first}@example.org",
                phone="07700 900" + f"{100 + number}",
                relationship=relationship,
                stage=stage,
                children_in_household="no",
                support_wanted="peer_group",
                format_preference="either",
                area="Northbridge",
            ),
            safe_contact=SafeContactDetails(
                safe_channels=frozenset(channels),
                safe_times=DEMO_SAFE_TIMES[name][0],
                windows=_demo_windows(name),
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
        made += 1
    return made


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
