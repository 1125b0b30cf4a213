"""Ending places in a group: a person finishes the course (completed) or leaves it early
(left), one at a time, or everyone at once when a course ends.

Only a confirmed place can end. Each change is one transaction that locks the group and
then the place (the order ``services`` uses, so it cannot deadlock with an offer or a
cancellation), records when the place ended, writes the referral's timeline line and the
audit row, cancels the person's own Zoom links, and queues the "at exit" questions
message (``portal.outcomes.exit_questions``) so it goes only by a safe channel at a safe
time. A place someone leaves passes to the waiting list as a cancelled one does; so does
one finished in a rolling group that is still meeting (a closed cohort's course is over,
so no one is offered a place in it).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.organisations.permissions import has_role
from portal.organisations.roles import Role

from .models import Booking, Group, Session
from .services import (
    PeerGroupError,
    _lock_group,
    _lock_person_then_group,
    _place_change_recorded,
    _promote,
    _queue_registrations,
)

ENDINGS = {
    Booking.State.COMPLETED: "completed the course",
    Booking.State.LEFT: "left the group",
}


def may_end_places(user: User, group: Group) -> bool:
    """The group's own facilitators and the organisation's coordinators end places."""
    if has_role(user, group.organisation, [Role.COORDINATOR]):
        return True
    return has_role(user, group.organisation, [Role.FACILITATOR]) and (
        group.facilitators.filter(pk=user.pk).exists()
    )


def _require_may_end(group: Group, actor: User) -> None:
    if not may_end_places(actor, group):
        raise PeerGroupError(
            "Only this group's facilitators or a coordinator can mark places completed or left."
        )


def _still_meeting(group: Group, now) -> bool:
    return group.sessions.filter(status=Session.Status.SCHEDULED, starts_at__gt=now).exists()


def _end(booking: Booking, outcome: str, *, actor: User, now, request=None) -> Booking:
    """End one locked, confirmed place. Call inside the transaction, group locked."""
    from portal.outcomes.exit_questions import exit_questions_queue

    booking.state = outcome
    booking.ended_at = now
    booking.offer_expires_at = None
    booking.save(update_fields=["state", "ended_at", "offer_expires_at", "updated_at"])
    _place_change_recorded(booking, actor=actor, by_person=False, request=request)
    _queue_registrations(booking)
    exit_questions_queue(booking=booking)
    return booking


def place_end(*, booking: Booking, outcome: str, actor: User, request=None) -> Booking:
    """Mark one confirmed place completed or left."""
    if outcome not in ENDINGS:
        raise PeerGroupError("Choose completed or left.")
    with transaction.atomic():
        group = _lock_person_then_group(booking.referral_id, booking.group)
        _require_may_end(group, actor)
        booking = (
            Booking.objects.select_for_update()
            .select_related("group__organisation", "referral__organisation")
            .get(pk=booking.pk)
        )
        if booking.group_id != group.pk:
            raise PeerGroupError("That person is not in this group.")
        if booking.state != Booking.State.CONFIRMED:
            raise PeerGroupError(
                "Only a confirmed place can be marked completed or left. "
                "This one has changed: look at the list again."
            )
        now = timezone.now()
        _end(booking, outcome, actor=actor, now=now, request=request)
        if outcome == Booking.State.LEFT or (
            group.cohort == Group.Cohort.ROLLING and _still_meeting(group, now)
        ):
            _promote(group, now)
    return booking


def places_to_finish(*, group: Group) -> list[Booking]:
    """The confirmed places that finishing the course would mark completed."""
    return list(
        Booking.objects.filter(group=group, state=Booking.State.CONFIRMED)
        .select_related("referral", "referral__safe_contact")
        .order_by("confirmed_at", "created_at")
    )


def course_finish(
    *, group: Group, expected: Collection[str], actor: User, request=None
) -> list[Booking]:
    """Mark every confirmed place in the group completed, all or none.

    ``expected`` is the ids of the places the facilitator was shown and confirmed: if the
    confirmed places are not exactly those any more (someone joined, left or was marked
    already), nothing changes, so no one is marked completed whom they did not see.
    """
    with transaction.atomic():
        group = _lock_group(group)
        _require_may_end(group, actor)
        places = list(
            Booking.objects.select_for_update()
            .filter(group=group, state=Booking.State.CONFIRMED)
            .select_related("group__organisation", "referral__organisation")
            .order_by("confirmed_at", "created_at")
        )
        if not places:
            raise PeerGroupError("No one has a confirmed place in this group.")
        if {str(place.pk) for place in places} != {str(pk) for pk in expected}:
            raise PeerGroupError(
                "The places in this group have changed since the list was shown. "
                "Check the list again before finishing the course."
            )
        now = timezone.now()
        for place in places:
            _end(place, Booking.State.COMPLETED, actor=actor, now=now, request=request)
        if group.cohort == Group.Cohort.ROLLING and _still_meeting(group, now):
            _promote(group, now)
    return places


def ended_places(*, group: Group, limit: int = 50) -> list[Booking]:
    """The group's places that have ended, latest first, for its page."""
    return list(
        Booking.objects.filter(group=group, state__in=Booking.ENDED)
        .select_related("referral")
        .order_by("-ended_at", "-updated_at")[:limit]
    )
