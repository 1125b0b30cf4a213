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


@pytest.mark.parametrize("round_", range(5))
def test_a_confirmation_and_a_withdrawal_at_the_same_moment_do_not_deadlock(organisation_a, round_):
    """A withdrawal locks the person, then each place's group; a confirmation takes them in
    the same order, so one waits for the other instead of both failing."""
    from referrals.models import Referral
    from referrals.services import consent_withdraw

    group = GroupFactory(organisation=organisation_a, capacity=4)
    person = make_referral(organisation_a)
    booking = make_offer(group, person)
    start = threading.Barrier(2)
    errors = []

    def run(action):
        try:
            start.wait()
            action()
        except PeerGroupError:
            pass  # the offer had already gone with the withdrawal: a proper answer
        except Exception as error:  # a deadlock would land here
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(lambda: booking_confirm(booking=booking),)),
        threading.Thread(
            target=run,
            args=(lambda: consent_withdraw(referral=person, method="private_link"),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Referral.objects.get(pk=person.pk).consent_withdrawn_at is not None
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.CANCELLED
