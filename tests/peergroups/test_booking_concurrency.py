"""Capacity holds under simultaneous confirmations, on PostgreSQL with real threads."""

import threading

import pytest
from django.db import connection, connections

from peergroups.models import Booking
from peergroups.services import PeerGroupError, booking_confirm
from tests.factories import GroupFactory
from tests.peergroups.factories import make_offer
from tests.referrals.factories import make_referral

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 30
FREE_PLACES = 8


def confirm_all_at_once(bookings):
    start = threading.Barrier(len(bookings))
    errors = []
    order = []
    lock = threading.Lock()

    def confirm(booking):
        try:
            start.wait()
            result = booking_confirm(booking=booking)
            with lock:
                order.append((result.pk, result.state))
        except Exception as error:  # every failure is reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(booking,)) for booking in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors, order


@pytest.mark.parametrize("round_", range(3))
def test_thirty_simultaneous_confirmations_fill_exactly_eight_places(organisation_a, round_):
    assert connection.vendor == "postgresql"
    group = GroupFactory(organisation=organisation_a, capacity=FREE_PLACES)
    bookings = [make_offer(group, make_referral(organisation_a)) for _ in range(THREADS)]

    errors, order = confirm_all_at_once(bookings)

    assert errors == []
    states = list(Booking.objects.filter(group=group).values_list("state", flat=True))
    assert states.count("confirmed") == FREE_PLACES
    assert states.count("waitlisted") == THREADS - FREE_PLACES
    # Handled one at a time under the group's lock: the first eight handled got the
    # places, everyone after them is on the waiting list, each at a distinct moment, so
    # the list has one order. (The threads' own finishing order cannot show this: a
    # thread may commit first and report second.)
    rows = Booking.objects.filter(group=group)
    last_place = max(rows.filter(state="confirmed").values_list("confirmed_at", flat=True))
    queued = list(rows.filter(state="waitlisted").values_list("waitlisted_at", flat=True))
    assert len(set(queued)) == len(queued)
    assert last_place < min(queued)
    assert {pk for pk, state in order if state == "waitlisted"} == set(
        rows.filter(state="waitlisted").values_list("pk", flat=True)
    )


def test_a_second_confirmation_of_the_same_offer_changes_nothing(organisation_a):
    group = GroupFactory(organisation=organisation_a, capacity=1)
    booking = make_offer(group, make_referral(organisation_a))
    errors, _ = confirm_all_at_once([booking, booking, booking])
    assert errors == []
    assert Booking.objects.get(pk=booking.pk).state == "confirmed"
    assert Booking.objects.filter(state="confirmed").count() == 1
    with pytest.raises(PeerGroupError):
        booking_confirm(booking=make_offer(group, make_referral(organisation_a), hours=-1))
