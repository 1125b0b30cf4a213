"""The referral state machine: every allowed move works, every other is refused unchanged."""

import itertools

import pytest
from django.utils import timezone

from peergroups.models import Booking
from referrals.choices import State
from referrals.models import Referral, ReferralEvent
from referrals.services import InvalidTransition, referral_transition
from referrals.transitions import ALLOWED
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

ALLOWED_MOVES = [(a, b) for a, targets in ALLOWED.items() for b in targets]
REFUSED_MOVES = [
    (a, b) for a, b in itertools.product(State.values, State.values) if b not in ALLOWED[a]
]


def confirmed_place(referral):
    Booking.objects.create(
        group=GroupFactory(organisation=referral.organisation),
        referral=referral,
        state=Booking.State.CONFIRMED,
        confirmed_at=timezone.now(),
    )


def referral_in(organisation, state):
    referral = make_referral(organisation)
    Referral.objects.filter(pk=referral.pk).update(
        state=state, closed_at=referral.created_at if state == State.CLOSED else None
    )
    referral.refresh_from_db()
    return referral


@pytest.mark.parametrize(("current", "target"), ALLOWED_MOVES)
def test_every_allowed_transition_works(organisation_a, caseworker_a, current, target):
    referral = referral_in(organisation_a, current)
    if target == State.PLACED:
        # Placed in a group only with a confirmed place (test_status_follows_events).
        confirmed_place(referral)
    reason = "declined" if target == State.CLOSED else ""
    moved = referral_transition(
        referral=referral, to_state=target, actor=caseworker_a, close_reason=reason
    )
    assert moved.state == target
    event = ReferralEvent.objects.filter(referral=referral, kind="state_changed").get()
    assert event.detail["from"] == current and event.detail["to"] == target
    assert event.actor == caseworker_a


@pytest.mark.parametrize(("current", "target"), REFUSED_MOVES)
def test_every_other_transition_is_refused_and_changes_nothing(
    organisation_a, caseworker_a, current, target
):
    referral = referral_in(organisation_a, current)
    with pytest.raises(InvalidTransition) as refused:
        referral_transition(
            referral=referral, to_state=target, actor=caseworker_a, close_reason="other"
        )
    assert "cannot move" in str(refused.value)
    referral.refresh_from_db()
    assert referral.state == current
    assert not ReferralEvent.objects.filter(referral=referral, kind="state_changed").exists()


def test_closing_needs_a_reason(organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    with pytest.raises(InvalidTransition, match="reason"):
        referral_transition(referral=referral, to_state=State.CLOSED, actor=caseworker_a)
    referral.refresh_from_db()
    assert referral.state == State.NEW


def test_a_status_that_does_not_exist_is_refused(organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    with pytest.raises(InvalidTransition):
        referral_transition(referral=referral, to_state="deleted", actor=caseworker_a)


def test_staff_of_another_organisation_cannot_move_a_referral(organisation_a, caseworker_b):
    from referrals.services import ReferralError

    referral = make_referral(organisation_a)
    with pytest.raises(ReferralError):
        referral_transition(referral=referral, to_state=State.IN_CONTACT, actor=caseworker_b)
    referral.refresh_from_db()
    assert referral.state == State.NEW
