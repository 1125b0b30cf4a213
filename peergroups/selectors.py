"""Reads for peer groups: staff pages and the participant's own page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from .models import Attendance, Booking, Group, InitialCallSlot, Session, ZoomRegistration

# --- What a person may see of how to join --------------------------------------------
#
# One rule decides whether a person may see how to join a group (the Zoom link and
# passcode, or the venue's address and arrival notes): ``may_see_joining_details``. The
# details themselves are only ever handed out as a ``JoiningDetails``, made by
# ``joining_details`` after asking that rule, and every path that shows a person how to
# join (their page, the calendar file) takes them from there. Messages never carry
# joining details at all: they link to the page, where this rule decides.


def may_see_joining_details(booking: Booking) -> bool:
    """A confirmed place whose group's ground rules, if it has any, have been accepted."""
    if booking.state != Booking.State.CONFIRMED:
        return False
    return not booking.group.ground_rules or booking.ground_rules_accepted_at is not None


@dataclass(frozen=True)
class SessionJoining:
    session: Session
    # This person's own Zoom registration link where there is one, otherwise the
    # meeting's shared link; empty until the link is known.
    join_url: str
    passcode: str


@dataclass(frozen=True)
class JoiningDetails:
    online: bool
    sessions: list[SessionJoining]
    address: str = ""
    accessibility: str = ""
    arrival_notes: str = ""

    @property
    def calendar_location(self) -> str:
        return "Online" if self.online else self.address.replace("\n", ", ")


def joining_details(
    *, booking: Booking, sessions: list[Session], own_links: dict | None = None
) -> JoiningDetails | None:
    """How ``booking``'s person joins ``sessions`` (of its group), or None if the rule
    says they may not see it yet."""
    if not may_see_joining_details(booking):
        return None
    group = booking.group
    own_links = own_links or {}
    online = group.format == Group.Format.ZOOM
    venue = group.venue if not online else None
    return JoiningDetails(
        online=online,
        sessions=[
            SessionJoining(
                session=session,
                join_url=own_links.get(session.pk, session.join_url) if online else "",
                passcode=session.passcode if online else "",
            )
            for session in sessions
        ],
        address=venue.address if venue else "",
        accessibility=venue.accessibility if venue else "",
        arrival_notes=venue.arrival_notes if venue else "",
    )


@dataclass(frozen=True)
class PlaceView:
    """One of a participant's places, with what they may see of it."""

    booking: Booking
    upcoming: list[Session]
    waiting_position: int | None
    # None until the person may see how to join (``may_see_joining_details``).
    joining: JoiningDetails | None


def _upcoming_sessions(now):
    return Prefetch(
        "group__sessions",
        queryset=Session.objects.filter(
            starts_at__gte=now, status=Session.Status.SCHEDULED
        ).order_by("starts_at"),
        to_attr="upcoming_sessions",
    )


def participant_places(*, referral) -> list[PlaceView]:
    now = timezone.now()
    bookings = list(
        Booking.objects.filter(referral=referral, state__in=Booking.ACTIVE)
        .select_related("group__venue", "group__organisation")
        .prefetch_related(
            _upcoming_sessions(now),
            Prefetch(
                "registrations",
                queryset=ZoomRegistration.objects.filter(cancelled_at__isnull=True),
                to_attr="live_registrations",
            ),
        )
    )
    places = []
    for booking in bookings:
        position = None
        if booking.state == Booking.State.WAITLISTED:
            position = (
                Booking.objects.filter(
                    group=booking.group,
                    state=Booking.State.WAITLISTED,
                    waitlisted_at__lt=booking.waitlisted_at,
                ).count()
                + 1
            )
        upcoming = booking.group.upcoming_sessions[:12]
        places.append(
            PlaceView(
                booking=booking,
                upcoming=upcoming,
                waiting_position=position,
                joining=joining_details(
                    booking=booking,
                    sessions=upcoming,
                    own_links={r.session_id: r.join_url for r in booking.live_registrations},
                ),
            )
        )
    return places


@dataclass(frozen=True)
class CalendarEntry:
    session: Session
    # Where, as far as this person may see it: empty until they may see joining details.
    location: str


def participant_calendar(*, referral) -> list[CalendarEntry]:
    """The calendar file's meetings: confirmed places only, placed by the joining rule."""
    bookings = (
        Booking.objects.filter(referral=referral, state=Booking.State.CONFIRMED)
        .select_related("group__venue", "group__organisation")
        .prefetch_related(_upcoming_sessions(timezone.now()))
    )
    entries = []
    for booking in bookings:
        sessions = booking.group.upcoming_sessions
        joining = joining_details(booking=booking, sessions=sessions)
        location = joining.calendar_location if joining else ""
        entries += [CalendarEntry(session=session, location=location) for session in sessions]
    return sorted(entries, key=lambda entry: entry.session.starts_at)


# States in which the person is waiting for the next step from us: not yet contacted or
# assessed, assessed and waiting for an offer, or on a group's waiting list.
SUPPORT_PAGE_WAITING_STATES = ("new", "in_contact", "assessed", "waitlisted")


def participant_has_something_current(*, referral, since: datetime) -> bool:
    """Whether the person's support page still has something for them: while they wait
    for us (a first call they may book, the outcome of their call, a place on a waiting
    list) it says where things stand and lets them change how we reach them; then an
    offer, a place in a group still meeting, a call, or questions to answer, or one of
    these that ended after ``since``."""
    if referral.state in SUPPORT_PAGE_WAITING_STATES:
        return True
    last_meeting_ends = (
        Session.objects.filter(group=OuterRef("group"), status=Session.Status.SCHEDULED)
        .order_by("-ends_at")
        .values("ends_at")[:1]
    )
    places = (
        Booking.objects.filter(referral=referral)
        .annotate(last_meeting_ends=Subquery(last_meeting_ends))
        .filter(
            (
                Q(state__in=Booking.ACTIVE)
                & (Q(last_meeting_ends__isnull=True) | Q(last_meeting_ends__gt=since))
            )
            # A place that ended lately: declined, cancelled, expired or completed.
            | (~Q(state__in=Booking.ACTIVE) & Q(updated_at__gt=since))
        )
    )
    if places.exists():
        return True
    if InitialCallSlot.objects.filter(referral=referral, ends_at__gt=since).exists():
        return True
    from portal.outcomes.selectors import questionnaires_due

    return bool(questionnaires_due(referral=referral))


def groups_for_staff(*, user) -> QuerySet[Group]:
    return (
        Group.objects.for_member(user)
        .select_related("organisation", "venue")
        .annotate(
            confirmed=Count("bookings", filter=Q(bookings__state=Booking.State.CONFIRMED)),
            waiting=Count("bookings", filter=Q(bookings__state=Booking.State.WAITLISTED)),
        )
        .order_by("title")
    )


def group_for_staff(*, user, group_id) -> Group:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Group.objects.for_member(user).select_related("organisation", "venue", "schedule"),
        pk=group_id,
    )


def session_for_staff(*, user, session_id) -> Session:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Session.objects.for_member(user).select_related("group__organisation", "group__venue"),
        pk=session_id,
    )


def group_bookings(*, group: Group) -> dict[str, list[Booking]]:
    """The group's places by state, with attendance figures for confirmed people."""
    bookings = (
        Booking.objects.filter(group=group, state__in=Booking.ACTIVE)
        .select_related("referral", "referral__safe_contact")
        .annotate(
            sessions_recorded=Count("attendance"),
            sessions_attended=Count("attendance", filter=Q(attendance__status="attended")),
        )
        .order_by("waitlisted_at", "created_at")
    )
    by_state: dict[str, list[Booking]] = {state: [] for state in Booking.ACTIVE}
    for booking in bookings:
        by_state[booking.state].append(booking)
    return by_state


def upcoming_sessions(*, group: Group, limit: int = 12) -> list[Session]:
    return list(group.sessions.filter(starts_at__gte=timezone.now()).order_by("starts_at")[:limit])


def session_roster(*, session: Session) -> list[Booking]:
    """Confirmed participants with their safe-contact flags and this session's attendance."""
    return list(
        Booking.objects.filter(group=session.group, state=Booking.State.CONFIRMED)
        .select_related("referral", "referral__safe_contact")
        # Only what a register shows (on its page and through the API): each person's
        # other personal fields stay encrypted, unread.
        .only(
            "group_id",
            "state",
            "offer_expires_at",
            "confirmed_at",
            "referral__reference",
            "referral__full_name",
            "referral__accessibility_needs",
            "referral__safe_contact__name_to_use",
            "referral__safe_contact__shares_device_with_person",
        )
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.filter(session=session),
                to_attr="this_session",
            )
        )
        .order_by("confirmed_at")
    )


def sessions_this_week(*, user, facilitated_only: bool = False) -> list[Session]:
    now = timezone.now()
    sessions = Session.objects.for_member(user).filter(
        starts_at__gte=now - timedelta(hours=3), starts_at__lt=now + timedelta(days=7)
    )
    if facilitated_only:
        sessions = sessions.filter(group__facilitators=user)
    return list(sessions.select_related("group").order_by("starts_at"))


def call_slots_for_staff(*, user) -> QuerySet[InitialCallSlot]:
    return (
        InitialCallSlot.objects.for_member(user)
        .filter(starts_at__gte=timezone.now() - timedelta(days=7))
        .select_related("facilitator", "referral")
        .order_by("starts_at")
    )


def free_call_slots(*, organisation, limit: int = 20) -> list[InitialCallSlot]:
    return list(
        InitialCallSlot.objects.filter(
            organisation=organisation, referral__isnull=True, starts_at__gt=timezone.now()
        )
        .select_related("facilitator")
        .order_by("starts_at")[:limit]
    )


def upcoming_call(*, referral) -> InitialCallSlot | None:
    """The person's next call, unless its outcome is already recorded (it happened)."""
    return (
        InitialCallSlot.objects.filter(referral=referral, starts_at__gt=timezone.now(), outcome="")
        .order_by("starts_at")
        .first()
    )


def last_ended_place(*, referral) -> str:
    """How the person's most recent place ended ("completed" or "left"), or "" if none has."""
    return (
        Booking.objects.filter(referral=referral, state__in=Booking.ENDED)
        .order_by("-ended_at")
        .values_list("state", flat=True)
        .first()
        or ""
    )
