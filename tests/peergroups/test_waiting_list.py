"""Offers, the waiting list, expiry and keeping people apart."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from peergroups.models import Booking
from peergroups.services import (
    PeerGroupError,
    booking_confirm,
    booking_offer,
    booking_release,
    keep_apart,
    offer_approve,
    offers_expire_due,
)
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_group(organisation_a, caseworker_a):
    """A group of two, both places confirmed, and three people waiting in order."""
    group = GroupFactory(organisation=organisation_a, capacity=2)
    people = [make_referral(organisation_a) for _ in range(5)]
    bookings = []
    for person in people:
        bookings.append(booking_offer(group=group, referral=person, actor=caseworker_a))
    for booking in bookings[:2]:
        booking_confirm(booking=booking)
    return group, [Booking.objects.get(pk=b.pk) for b in bookings]


def states(bookings):
    return [Booking.objects.get(pk=b.pk).state for b in bookings]


def test_offers_fill_the_places_then_people_wait_in_order(full_group):
    _, bookings = full_group
    assert states(bookings) == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]


def test_a_cancellation_makes_exactly_one_offer_to_the_first_in_line(full_group, caseworker_a):
    _, bookings = full_group
    booking_release(booking=bookings[0], state=Booking.State.CANCELLED, actor=caseworker_a)
    assert states(bookings) == ["cancelled", "confirmed", "offered", "waitlisted", "waitlisted"]
    offer = Booking.objects.get(pk=bookings[2].pk)
    assert offer.offer_expires_at > timezone.now() + timedelta(hours=47)


def test_an_expired_offer_passes_to_the_next_person(full_group, caseworker_a):
    _, bookings = full_group
    booking_release(booking=bookings[0], state=Booking.State.CANCELLED, actor=caseworker_a)
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert offers_expire_due() == 1
        assert states(bookings)[2:] == ["expired", "offered", "waitlisted"]
        # Running the job again changes nothing.
        assert offers_expire_due() == 0
        assert states(bookings)[2:] == ["expired", "offered", "waitlisted"]


def test_a_declined_offer_passes_to_the_next_person(full_group, caseworker_a):
    _, bookings = full_group
    booking_release(booking=bookings[1], state=Booking.State.CANCELLED, actor=caseworker_a)
    booking_release(booking=bookings[2], state=Booking.State.DECLINED)
    assert states(bookings) == ["confirmed", "cancelled", "declined", "offered", "waitlisted"]


def test_confirming_after_the_offer_ended_is_refused_kindly(full_group, caseworker_a):
    _, bookings = full_group
    booking_release(booking=bookings[0], state=Booking.State.CANCELLED, actor=caseworker_a)
    later = time_machine.travel(timezone.now() + timedelta(hours=49))
    with later, pytest.raises(PeerGroupError, match="this offer has ended"):
        booking_confirm(booking=bookings[2])
    assert states(bookings)[2:] == ["expired", "offered", "waitlisted"]


def test_facilitator_approval_before_a_waiting_list_offer(full_group, caseworker_a):
    group, bookings = full_group
    group.offers_need_approval = True
    group.save()
    booking_release(booking=bookings[0], state=Booking.State.CANCELLED, actor=caseworker_a)
    assert states(bookings)[2:] == ["awaiting_approval", "waitlisted", "waitlisted"]
    offer_approve(booking=bookings[2], actor=caseworker_a)
    assert states(bookings)[2] == "offered"


def test_people_kept_apart_are_never_offered_the_same_group(organisation_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a, capacity=3)
    sister, brother, other = (make_referral(organisation_a) for _ in range(3))
    keep_apart(first=sister, second=brother, actor=caseworker_a)
    booking_offer(group=group, referral=sister, actor=caseworker_a)
    with pytest.raises(PeerGroupError, match="kept apart"):
        booking_offer(group=group, referral=brother, actor=caseworker_a)
    booking_offer(group=group, referral=other, actor=caseworker_a)


def test_a_waiting_list_offer_skips_someone_kept_apart(organisation_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a, capacity=1)
    first, second, third = (make_referral(organisation_a) for _ in range(3))
    seated = booking_offer(group=group, referral=first, actor=caseworker_a)
    booking_confirm(booking=seated)
    waiting_second = booking_offer(group=group, referral=second, actor=caseworker_a)
    waiting_third = booking_offer(group=group, referral=third, actor=caseworker_a)
    # The first person's relative was not kept apart when they joined the list...
    keep_apart(first=second, second=make_referral(organisation_a), actor=caseworker_a)
    keep_apart(first=third, second=first, actor=caseworker_a)
    booking_release(booking=seated, state=Booking.State.CANCELLED, actor=caseworker_a)
    assert states([waiting_second, waiting_third]) == ["offered", "waitlisted"]


def test_one_active_place_per_person_per_group(organisation_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a)
    person = make_referral(organisation_a)
    booking_offer(group=group, referral=person, actor=caseworker_a)
    with pytest.raises(PeerGroupError, match="already has a place"):
        booking_offer(group=group, referral=person, actor=caseworker_a)


def test_another_organisations_staff_or_referrals_cannot_book(
    organisation_a, organisation_b, caseworker_a, caseworker_b
):
    group = GroupFactory(organisation=organisation_a)
    with pytest.raises(PeerGroupError):
        booking_offer(group=group, referral=make_referral(organisation_a), actor=caseworker_b)
    with pytest.raises(PeerGroupError):
        booking_offer(group=group, referral=make_referral(organisation_b), actor=caseworker_a)
    assert not Booking.objects.exists()


def test_withdrawn_people_cannot_be_offered_places(organisation_a, caseworker_a):
    from referrals.choices import ConsentMethod
    from referrals.services import consent_withdraw

    person = make_referral(organisation_a)
    consent_withdraw(referral=person, method=ConsentMethod.TO_STAFF, actor=caseworker_a)
    with pytest.raises(PeerGroupError):
        booking_offer(
            group=GroupFactory(organisation=organisation_a), referral=person, actor=caseworker_a
        )


def test_withdrawing_consent_gives_up_places_and_calls(organisation_a, caseworker_a, facilitator_a):
    from peergroups.services import call_slot_book, call_slot_publish
    from referrals.choices import ConsentMethod
    from referrals.services import consent_withdraw

    group = GroupFactory(organisation=organisation_a, capacity=1)
    leaving, waiting = make_referral(organisation_a), make_referral(organisation_a)
    seat = booking_confirm(booking=booking_offer(group=group, referral=leaving, actor=caseworker_a))
    queued = booking_offer(group=group, referral=waiting, actor=caseworker_a)
    start = timezone.now() + timedelta(days=1)
    slot = call_slot_publish(
        facilitator=facilitator_a,
        organisation=organisation_a,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    call_slot_book(slot=slot, referral=leaving)
    consent_withdraw(referral=leaving, method=ConsentMethod.PRIVATE_LINK)
    assert states([seat, queued]) == ["cancelled", "offered"]
    slot.refresh_from_db()
    assert slot.referral is None
