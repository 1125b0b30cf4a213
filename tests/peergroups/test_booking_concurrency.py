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
    # The waiting list is in the order the confirmations were handled.
    waitlisted_in_handling_order = [pk for pk, state in order if state == "waitlisted"]
    by_position = list(
        Booking.objects.filter(group=group, state="waitlisted")
        .order_by("waitlisted_at")
        .values_list("pk", flat=True)
    )
    assert by_position == waitlisted_in_handling_order


def test_a_second_confirmation_of_the_same_offer_changes_nothing(organisation_a):
    group = GroupFactory(organisation=organisation_a, capacity=1)
    booking = make_offer(group, make_referral(organisation_a))
    errors, _ = confirm_all_at_once([booking, booking, booking])
    assert errors == []
    assert Booking.objects.get(pk=booking.pk).state == "confirmed"
    assert Booking.objects.filter(state="confirmed").count() == 1
    with pytest.raises(PeerGroupError):
        booking_confirm(booking=make_offer(group, make_referral(organisation_a), hours=-1))
