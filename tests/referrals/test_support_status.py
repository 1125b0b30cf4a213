"""Where things stand, as the support page says it: one stage for each point of the
journey, the furthest reached winning, with the real first-contact deadline."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from peergroups import selectors
from referrals.support_page import Stage, support_status
from tests.peergroups.support_states import STAGES, person_at

pytestmark = pytest.mark.django_db


def status_of(person):
    return support_status(
        referral=person,
        call=selectors.upcoming_call(referral=person),
        places=selectors.participant_places(referral=person),
    )


@pytest.mark.parametrize("stage", STAGES)
def test_each_point_of_the_journey_has_its_stage(
    stage, organisation_a, caseworker_a, facilitator_a
):
    person = person_at(
        stage, organisation=organisation_a, caseworker=caseworker_a, facilitator=facilitator_a
    )
    assert status_of(person).stage == stage


def test_a_new_request_says_the_real_first_contact_deadline(organisation_a, caseworker_a):
    from tests.referrals.factories import make_referral

    organisation_a.first_contact_working_days = 5
    organisation_a.save()
    person = make_referral(organisation_a)
    status = status_of(person)
    assert status.contact_by == person.first_contact_due
    assert status.contact_by > timezone.localdate() + timedelta(days=4)
    assert not status.overdue
    with time_machine.travel(timezone.now() + timedelta(days=14)):
        assert status_of(person).overdue


def test_the_furthest_step_wins(organisation_a, caseworker_a, facilitator_a):
    """A person in a group who also has a call booked is 'in a group'; the page shows the
    next meeting."""
    from peergroups.services import call_slot_book
    from tests.peergroups.support_states import call_slot

    person = person_at(
        "in_group", organisation=organisation_a, caseworker=caseworker_a, facilitator=facilitator_a
    )
    call_slot_book(slot=call_slot(facilitator_a, organisation_a), referral=person)
    status = status_of(person)
    assert status.stage == Stage.IN_GROUP
    assert status.next_meeting is not None


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        ("completed", "You have finished your group."),
        # Not "you left": a facilitator may have ended the place.
        ("left", "Your place in the group has ended."),
    ],
)
def test_a_place_that_ended_says_so(
    outcome, words, client, organisation_a, caseworker_a, facilitator_a, coordinator_a
):
    from peergroups.models import Booking
    from peergroups.places_ending import place_end
    from tests.private_links import open_place_page

    person = person_at(
        "in_group", organisation=organisation_a, caseworker=caseworker_a, facilitator=facilitator_a
    )
    booking = Booking.objects.get(referral=person, state=Booking.State.CONFIRMED)
    place_end(booking=booking, outcome=outcome, actor=coordinator_a)

    status = support_status(
        referral=person,
        call=selectors.upcoming_call(referral=person),
        places=selectors.participant_places(referral=person),
        ended=selectors.last_ended_place(referral=person),
    )
    assert (status.stage, status.ended) == (Stage.FINISHED, outcome)
    page = open_place_page(client, person).content.decode()
    assert words in page
