"""Booking and moving first calls at the same moment, on PostgreSQL with real threads: a
person never ends up with two calls, a time never with two people, and two people
swapping times never deadlock."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from peergroups.models import InitialCallSlot
from peergroups.services import PeerGroupError, call_slot_book, call_slot_move
from tests.peergroups.support_states import call_slot
from tests.referrals.factories import make_referral

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def all_at_once(actions) -> list[Exception]:
    start = threading.Barrier(len(actions))
    failures: list[Exception] = []

    def run(action):
        try:
            start.wait()
            action()
        except Exception as error:  # every failure is checked by the test
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_clicking_several_times_at_once_books_one_call(organisation_a, facilitator_a):
    assert connection.vendor == "postgresql"
    person = make_referral(organisation_a)
    slots = [call_slot(facilitator_a, organisation_a) for _ in range(8)]
    failures = all_at_once(
        [lambda slot=slot: call_slot_book(slot=slot, referral=person) for slot in slots]
    )
    assert InitialCallSlot.objects.filter(referral=person).count() == 1
    assert len(failures) == 7
    assert all(isinstance(f, PeerGroupError) and "already have a call" in str(f) for f in failures)


@pytest.mark.parametrize("round_", range(3))
def test_two_people_swapping_times_at_once_never_deadlock(organisation_a, facilitator_a, round_):
    first, second = make_referral(organisation_a), make_referral(organisation_a)
    x, y = call_slot(facilitator_a, organisation_a), call_slot(facilitator_a, organisation_a)
    call_slot_book(slot=x, referral=first)
    call_slot_book(slot=y, referral=second)
    failures = all_at_once(
        [
            lambda: call_slot_move(referral=first, to_slot=y),
            lambda: call_slot_move(referral=second, to_slot=x),
        ]
    )
    # Both times are taken while both move, so both are refused, plainly, and nothing
    # changed: never a deadlock, never a time with two people or a person with none.
    assert len(failures) == 2 and all(isinstance(f, PeerGroupError) for f in failures)
    assert InitialCallSlot.objects.get(pk=x.pk).referral == first
    assert InitialCallSlot.objects.get(pk=y.pk).referral == second


def test_moving_to_the_same_free_time_at_once_gives_it_to_one(organisation_a, facilitator_a):
    people = [make_referral(organisation_a) for _ in range(6)]
    for person in people:
        call_slot_book(slot=call_slot(facilitator_a, organisation_a), referral=person)
    wanted = call_slot(facilitator_a, organisation_a)
    failures = all_at_once(
        [lambda person=person: call_slot_move(referral=person, to_slot=wanted) for person in people]
    )
    assert len(failures) == 5
    winner = InitialCallSlot.objects.get(pk=wanted.pk).referral
    for person in people:
        assert InitialCallSlot.objects.filter(referral=person).count() == 1, person
    assert winner in people


def test_two_clicks_on_the_same_time_at_once_book_it_once_for_them(organisation_a, facilitator_a):
    """A double click sends the same booking twice: the second is answered as the first
    was, never 'that time has just been taken' for a time that is now theirs."""
    from referrals.models import ReferralEvent

    person = make_referral(organisation_a)
    slot = call_slot(facilitator_a, organisation_a)
    failures = all_at_once([lambda: call_slot_book(slot=slot, referral=person)] * 2)
    assert failures == []
    assert InitialCallSlot.objects.get(pk=slot.pk).referral == person
    assert ReferralEvent.objects.filter(referral=person, kind="call_booked").count() == 1
