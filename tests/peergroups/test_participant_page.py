"""The participant's private page: offers, ground rules, joining details and calendar."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from peergroups.models import Booking, Session, Venue
from peergroups.services import booking_confirm, booking_offer
from referrals import links
from tests.factories import GroupFactory
from tests.private_links import open_place_page, place_url
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue(organisation_a):
    return Venue.objects.create(
        organisation=organisation_a, name="Hall", address="12 Quiet Lane\nNorthbridge NB1 2AB"
    )


def session_for(group, days=3, **extra):
    start = timezone.now() + timedelta(days=days)
    return Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1, minutes=30), **extra
    )


def page_of(client, referral):
    return open_place_page(client, referral).content.decode()


def action_url(booking, action):
    return place_url("participant-action", booking_id=booking.pk, action=action)


CALENDAR = "/support/meetings.ics"


def test_an_offer_is_accepted_through_the_private_link(client, organisation_a, caseworker_a, venue):
    group = GroupFactory(organisation=organisation_a, format="in_person", venue=venue)
    session_for(group)
    person = make_referral(organisation_a, format_preference="in_person")
    booking = booking_offer(group=group, referral=person, actor=caseworker_a)
    content = page_of(client, person)
    assert "A place is ready for you" in content
    assert "12 Quiet Lane" not in content  # not until confirmed
    assert client.post(action_url(booking, "accept")).status_code == 302
    assert Booking.objects.get(pk=booking.pk).state == "confirmed"
    assert "12 Quiet Lane" in page_of(client, person)


def test_joining_details_wait_for_the_ground_rules(client, organisation_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a, ground_rules="First names only.")
    session_for(group, join_url="https://zoom.example/j/123", passcode="abc123")
    person = make_referral(organisation_a)
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=person, actor=caseworker_a)
    )
    content = page_of(client, person)
    assert "First names only." in content
    assert "zoom.example" not in content and "abc123" not in content
    client.post(action_url(booking, "ground-rules"))
    content = page_of(client, person)
    assert "https://zoom.example/j/123" in content and "abc123" in content


def test_no_joining_details_for_waiting_or_cancelled_people(
    client, organisation_a, caseworker_a, venue
):
    group = GroupFactory(organisation=organisation_a, capacity=1, format="in_person", venue=venue)
    session_for(group)
    seated, waiting = (make_referral(organisation_a, format_preference="either") for _ in "ab")
    first = booking_confirm(booking=booking_offer(group=group, referral=seated, actor=caseworker_a))
    booking_offer(group=group, referral=waiting, actor=caseworker_a)
    content = page_of(client, waiting)
    assert "waiting list (number 1)" in content and "Quiet Lane" not in content
    page_of(client, seated)
    client.post(action_url(first, "cancel"))
    assert "Quiet Lane" not in client.get(place_url("participant")).content.decode()
    calendar = client.get(CALENDAR)
    assert Calendar.from_ical(calendar.content).walk("VEVENT") == []


def test_the_calendar_file_is_valid_and_neutral(client, organisation_a, caseworker_a, venue):
    organisation_a.discreet_sender_name = "Harbour Team"
    organisation_a.save()
    group = GroupFactory(
        organisation=organisation_a,
        title="Partners of men under investigation",
        format="in_person",
        venue=venue,
    )
    first = session_for(group, days=3)
    session_for(group, days=10)
    session_for(group, days=17, status=Session.Status.CANCELLED)
    person = make_referral(organisation_a, format_preference="in_person")
    booking_confirm(booking=booking_offer(group=group, referral=person, actor=caseworker_a))
    page_of(client, person)
    response = client.get(CALENDAR)
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 2
    assert str(events[0]["SUMMARY"]) == "Harbour Team meeting"
    assert events[0].decoded("DTSTART") == first.starts_at.replace(microsecond=0)
    assert b"investigation" not in response.content


@pytest.mark.parametrize("token", ["forged", "a" * 120])
def test_tampered_links_show_nothing(client, token):
    response = client.get(f"/support/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_withdraw_link_cannot_open_the_participant_page(client, organisation_a):
    person = make_referral(organisation_a)
    token = links.link_issue(referral=person, purpose=links.Purpose.WITHDRAW)
    assert client.get(f"/support/{token}/").status_code == 404
    assert client.get(place_url("participant")).status_code == 404


def test_someone_elses_booking_cannot_be_acted_on(client, organisation_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a)
    mine, theirs = make_referral(organisation_a), make_referral(organisation_a)
    their_offer = booking_offer(group=group, referral=theirs, actor=caseworker_a)
    page_of(client, mine)
    response = client.post(action_url(their_offer, "decline"))
    assert response.status_code == 404
    assert Booking.objects.get(pk=their_offer.pk).state == "offered"


def test_an_expired_offer_click_explains_and_changes_nothing_else(
    client, organisation_a, caseworker_a
):
    import time_machine

    group = GroupFactory(organisation=organisation_a, capacity=1)
    person = make_referral(organisation_a)
    offer = booking_offer(group=group, referral=person, actor=caseworker_a)
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        page_of(client, person)
        response = client.post(action_url(offer, "accept"), follow=True)
    assert "this offer has ended" in response.content.decode()
    assert Booking.objects.get(pk=offer.pk).state == "expired"
