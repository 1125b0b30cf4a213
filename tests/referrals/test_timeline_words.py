"""The timeline says what happened in plain words, not the codes it keeps."""

import pytest
from django.urls import reverse

from peergroups.places_ending import place_end
from peergroups.services import booking_confirm, booking_offer
from referrals.templatetags.timeline_words import place_words, reason_words, state_words
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def timeline_of(client, referral) -> str:
    return client.get(
        reverse("referrals:timeline", kwargs={"referral_id": referral.pk})
    ).content.decode()


def test_states_reasons_and_places_read_as_words(
    client, organisation_a, caseworker_a, coordinator_a
):
    placed = make_referral(organisation_a)
    group = GroupFactory(organisation=organisation_a)
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=placed, actor=caseworker_a)
    )
    place_end(booking=booking, outcome="left", actor=coordinator_a)

    sign_in(client, caseworker_a)
    page = timeline_of(client, placed)
    assert "to Placed in a group" in page and "&#x27;placed&#x27;" not in page
    assert "left the group" in page and "place left" not in page


def test_a_reason_for_closing_reads_as_words():
    assert reason_words("declined") == "Declined support"
    assert reason_words("They moved away") == "They moved away"  # free words stay
    assert state_words("in_contact") == "In contact"
    assert place_words("completed") == "completed the course"
