"""A person at each point of their journey, made through the real services, for the
support page's tests: received, in contact, call booked, talked with us, place offered,
on a waiting list, in a group, signposted, closed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from peergroups.models import Booking, Session
from peergroups.services import (
    booking_confirm,
    booking_offer,
    call_outcome_record,
    call_slot_book,
    call_slot_publish,
)
from referrals.services import contact_attempt_record, referral_transition
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

_hours = iter(range(24, 24 * 400, 2))


def call_slot(facilitator, organisation, *, hours: float | None = None):
    """A free call time, later than every one made before by this module."""
    start = timezone.now() + timedelta(hours=hours if hours is not None else next(_hours))
    return call_slot_publish(
        facilitator=facilitator,
        organisation=organisation,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )


def group_meeting_soon(organisation, **group):
    group = GroupFactory(organisation=organisation, **group)
    start = timezone.now() + timedelta(days=3)
    Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    return group


def _assessed(organisation, caseworker, facilitator, outcome="suitable_for_group"):
    person = make_referral(organisation)
    slot = call_slot(facilitator, organisation, hours=1)
    call_slot_book(slot=slot, referral=person)
    call_outcome_record(slot=slot, outcome=outcome, actor=facilitator)
    person.refresh_from_db()
    return person


def person_at(stage: str, *, organisation, caseworker, facilitator, **group):
    """A person whose support page should say ``stage``."""
    if stage == "received":
        return make_referral(organisation)
    if stage == "in_contact":
        person = make_referral(organisation, safe_channels=["email", "call"])
        contact_attempt_record(
            referral=person, channel="call", outcome="reached", note="", actor=caseworker
        )
        person.refresh_from_db()
        return person
    if stage == "call_booked":
        person = make_referral(organisation)
        call_slot_book(slot=call_slot(facilitator, organisation), referral=person)
        return person
    if stage == "talked":
        return _assessed(organisation, caseworker, facilitator)
    if stage == "signposted":
        return _assessed(organisation, caseworker, facilitator, outcome="signpost_only")
    if stage in ("place_offered", "in_group", "waiting_list"):
        person = _assessed(organisation, caseworker, facilitator)
        group = group_meeting_soon(organisation, **group)
        if stage == "waiting_list":
            Booking.objects.create(
                group=group, referral=person, state="waitlisted", waitlisted_at=timezone.now()
            )
            return person
        booking = booking_offer(group=group, referral=person, actor=caseworker)
        if stage == "in_group":
            booking_confirm(booking=booking)
        return person
    if stage == "closed":
        person = make_referral(organisation)
        return referral_transition(
            referral=person, to_state="closed", close_reason="declined", actor=caseworker
        )
    raise ValueError(stage)


STAGES = [
    "received",
    "in_contact",
    "call_booked",
    "talked",
    "place_offered",
    "waiting_list",
    "in_group",
    "signposted",
    "closed",
]
