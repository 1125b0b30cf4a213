"""Reads for peer groups: staff pages and the participant's own page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from .models import Attendance, Booking, Group, InitialCallSlot, Session, ZoomRegistration


@dataclass(frozen=True)
class PlaceView:
    """One of a participant's places, with what they may see of it."""

    booking: Booking
    # Each upcoming session with the link this person should use: their own Zoom
    # registration link where there is one, otherwise the meeting's shared link.
    upcoming: list[tuple[Session, str]]
    waiting_position: int | None
    may_see_joining_details: bool


def participant_places(*, referral) -> list[PlaceView]:
    now = timezone.now()
    bookings = list(
        Booking.objects.filter(referral=referral, state__in=Booking.ACTIVE)
        .select_related("group__venue", "group__organisation")
        .prefetch_related(
            Prefetch(
                "group__sessions",
                queryset=Session.objects.filter(
                    starts_at__gte=now, status=Session.Status.SCHEDULED
                ).order_by("starts_at"),
                to_attr="upcoming_sessions",
            ),
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
        rules_ok = not booking.group.ground_rules or booking.ground_rules_accepted_at is not None
        own_links = {r.session_id: r.join_url for r in booking.live_registrations}
        places.append(
            PlaceView(
                booking=booking,
                upcoming=[
                    (session, own_links.get(session.pk, session.join_url))
                    for session in booking.group.upcoming_sessions[:12]
                ],
                waiting_position=position,
                may_see_joining_details=booking.state == Booking.State.CONFIRMED and rules_ok,
            )
        )
    return places


def confirmed_upcoming_sessions(*, referral) -> list[Session]:
    """Sessions for the calendar file: confirmed places only."""
    return list(
        Session.objects.filter(
            group__bookings__referral=referral,
            group__bookings__state=Booking.State.CONFIRMED,
            status=Session.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .select_related("group__venue", "group__organisation")
        .order_by("starts_at")
        .distinct()
    )


def participant_has_something_current(*, referral, since: datetime) -> bool:
    """Whether the person's own page still has something for them: a first call they may
    book, an offer, a place or a waiting-list place in a group still meeting, a call,
    or questions to answer, or one of these that ended after ``since``."""
    if referral.state in ("new", "in_contact"):
        # Not yet assessed: the page offers times for a first call.
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
    return (
        InitialCallSlot.objects.filter(referral=referral, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
