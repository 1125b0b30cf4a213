"""The referral's status follows what happened: a confirmed place moves it to "placed in
a group"; it cannot be placed without one, nor closed as "support completed" without
anyone having reached the person; and the page offers only the moves that would work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Attendance, InitialCallSlot
from peergroups.services import booking_confirm, booking_offer, booking_release
from referrals.choices import State
from referrals.models import Referral, ReferralEvent
from referrals.services import InvalidTransition, contact_attempt_record, referral_transition
from referrals.transitions import NO_CONFIRMED_PLACE, NO_CONTACT
from tests.conftest import sign_in
from tests.factories import GroupFactory, session_today
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def referral_in(organisation, state):
    referral = make_referral(organisation)
    Referral.objects.filter(pk=referral.pk).update(state=state)
    referral.refresh_from_db()
    return referral


@pytest.mark.parametrize("state", ["new", "in_contact", "assessed", "waitlisted", "signposted"])
def test_a_confirmed_place_moves_the_referral_to_placed(organisation_a, caseworker_a, state):
    person = referral_in(organisation_a, state)
    group = GroupFactory(organisation=organisation_a)
    booking_confirm(booking=booking_offer(group=group, referral=person, actor=caseworker_a))
    person.refresh_from_db()
    assert person.state == State.PLACED
    event = ReferralEvent.objects.filter(referral=person, detail__to="placed").get()
    assert event.detail["from"] == state and event.detail["because"] == "place_confirmed"


def test_a_place_only_offered_or_on_the_waiting_list_moves_nothing(organisation_a, caseworker_a):
    person = referral_in(organisation_a, "assessed")
    group = GroupFactory(organisation=organisation_a, capacity=1)
    booking_confirm(
        booking=booking_offer(
            group=group, referral=make_referral(organisation_a), actor=caseworker_a
        )
    )
    booking_offer(group=group, referral=person, actor=caseworker_a)  # full: waiting list
    person.refresh_from_db()
    assert person.state == State.ASSESSED


def test_placed_needs_a_confirmed_place(organisation_a, caseworker_a):
    person = referral_in(organisation_a, "assessed")
    with pytest.raises(InvalidTransition) as refused:
        referral_transition(referral=person, to_state=State.PLACED, actor=caseworker_a)
    assert str(refused.value) == NO_CONFIRMED_PLACE
    group = GroupFactory(organisation=organisation_a)
    booking = booking_offer(group=group, referral=person, actor=caseworker_a)
    with pytest.raises(InvalidTransition):
        referral_transition(referral=person, to_state=State.PLACED, actor=caseworker_a)
    booking_release(booking=booking, state="declined", actor=caseworker_a)
    with pytest.raises(InvalidTransition):
        referral_transition(referral=person, to_state=State.PLACED, actor=caseworker_a)
    person.refresh_from_db()
    assert person.state == State.ASSESSED


def test_support_completed_needs_contact(organisation_a, caseworker_a):
    person = make_referral(organisation_a)
    contact_attempt_record(
        referral=person, channel="email", outcome="no_answer", note="", actor=caseworker_a
    )
    with pytest.raises(InvalidTransition) as refused:
        referral_transition(
            referral=person, to_state="closed", close_reason="completed", actor=caseworker_a
        )
    assert str(refused.value) == NO_CONTACT
    # Any other reason closes it.
    referral_transition(
        referral=person, to_state="closed", close_reason="unreachable", actor=caseworker_a
    )


@pytest.mark.parametrize("contact", ["reached", "call_held", "attended"])
def test_support_completed_after_any_kind_of_contact(
    organisation_a, caseworker_a, facilitator_a, contact
):
    person = make_referral(organisation_a)
    if contact == "reached":
        contact_attempt_record(
            referral=person, channel="email", outcome="reached", note="", actor=caseworker_a
        )
    elif contact == "call_held":
        start = timezone.now() - timedelta(days=1)
        InitialCallSlot.objects.create(
            organisation=organisation_a,
            facilitator=facilitator_a,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            referral=person,
            method=InitialCallSlot.Method.PHONE,
            outcome=InitialCallSlot.Outcome.ONE_TO_ONE,
        )
    else:
        group = GroupFactory(organisation=organisation_a)
        session = session_today(group)
        booking = booking_confirm(
            booking=booking_offer(group=group, referral=person, actor=caseworker_a)
        )
        Attendance.objects.create(
            session=session, booking=booking, status="attended", recorded_by=caseworker_a
        )
    person.refresh_from_db()
    closed = referral_transition(
        referral=person, to_state="closed", close_reason="completed", actor=caseworker_a
    )
    assert closed.close_reason == "completed"


def test_the_page_offers_only_the_moves_that_would_work(client, organisation_a, caseworker_a):
    person = referral_in(organisation_a, "assessed")
    Referral.objects.filter(pk=person.pk).update(assigned_to=caseworker_a)
    sign_in(client, caseworker_a)
    url = reverse("referrals:detail", kwargs={"referral_id": person.pk})
    page = client.get(url).content.decode()
    assert "Move to 'On a waiting list'" in page
    assert "Move to 'Placed in a group'" not in page
    assert "only once the person has a confirmed place" in page
    assert 'value="completed"' not in page  # no one has reached them yet
    assert 'value="declined"' in page


def test_a_refused_move_is_explained_beside_its_control(client, organisation_a, caseworker_a):
    person = referral_in(organisation_a, "assessed")
    Referral.objects.filter(pk=person.pk).update(assigned_to=caseworker_a)
    sign_in(client, caseworker_a)
    url = reverse("referrals:transition", kwargs={"referral_id": person.pk})
    response = client.post(url, {"to_state": "placed"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="move-error"' in page and "only once the person has a confirmed place" in page
    response = client.post(url, {"to_state": "closed", "close_reason": "completed"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_close_reason_error"' in page
    assert "only once someone has reached the" in page
    person.refresh_from_db()
    assert person.state == State.ASSESSED
