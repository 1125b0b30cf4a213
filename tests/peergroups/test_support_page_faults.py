"""The support page when something behind it is down: what the person did is saved and
they are answered with the page, never an error page."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client
from kombu.exceptions import OperationalError

from peergroups.models import Booking, InitialCallSlot
from peergroups.services import booking_offer
from tests.peergroups.support_states import call_slot, group_meeting_soon, person_at
from tests.private_links import open_place_page, place_url
from tests.referrals.factories import make_referral

# On-commit work runs only when the transaction really commits.
pytestmark = pytest.mark.django_db(transaction=True)


def broker_down():
    """Every background job fails to queue, as it does with Redis down or refusing."""
    return mock.patch(
        "celery.app.task.Task.apply_async", side_effect=OperationalError("Connection refused")
    )


@pytest.fixture
def family():
    # As a browser would be answered: an error in the view is a 500 page, not a raise.
    return Client(raise_request_exception=False)


def test_booking_and_moving_a_call_with_the_broker_down(family, organisation_a, facilitator_a):
    first, second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )
    person = make_referral(organisation_a)
    open_place_page(family, person)
    with broker_down():
        assert family.post(place_url("participant-call", slot_id=first.pk)).status_code == 302
        assert family.post(place_url("participant-call", slot_id=second.pk)).status_code == 302
    assert InitialCallSlot.objects.get(pk=second.pk).referral == person


def test_a_place_in_an_online_group_is_accepted_and_given_up_with_the_broker_down(
    family, organisation_a, caseworker_a, facilitator_a
):
    """Accepting or giving up a place in a Zoom group queues the person's own Zoom links;
    with the broker down the place is still theirs (or given up) and the page answers."""
    person = person_at(
        "talked", organisation=organisation_a, caseworker=caseworker_a, facilitator=facilitator_a
    )
    group = group_meeting_soon(organisation_a, format="zoom")
    booking = booking_offer(group=group, referral=person, actor=caseworker_a)
    open_place_page(family, person)

    def action(name):
        return place_url("participant-action", booking_id=booking.pk, action=name)

    with broker_down():
        accepted = family.post(action("accept"))
    assert accepted.status_code == 302
    assert Booking.objects.get(pk=booking.pk).state == "confirmed"
    assert "Your place is confirmed" in family.get(accepted.url).content.decode()

    with broker_down():
        cancelled = family.post(action("cancel"))
    assert cancelled.status_code == 302
    assert Booking.objects.get(pk=booking.pk).state == "cancelled"


def test_stopping_all_contact_with_a_place_in_an_online_group_and_the_broker_down(
    family, organisation_a, caseworker_a, facilitator_a
):
    person = person_at(
        "in_group",
        organisation=organisation_a,
        caseworker=caseworker_a,
        facilitator=facilitator_a,
        format="zoom",
    )
    open_place_page(family, person)
    with broker_down():
        response = family.post("/support/stop-contact/")
    assert response.status_code == 200
    assert "We will not contact you again" in response.content.decode()
    person.refresh_from_db()
    assert not person.is_contactable
    assert not Booking.objects.filter(referral=person, state__in=Booking.ACTIVE).exists()
