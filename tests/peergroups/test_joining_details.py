"""One rule decides what a person may see of how to join their group: the Zoom link and
passcode, or the venue's address, only for a confirmed place whose ground rules have
been accepted. Every path is checked: their page, the calendar file, the API and every
message (which never carries joining details: it links to the page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from peergroups import selectors
from peergroups.models import Booking, Session, Venue
from peergroups.reminders import session_reminders_queue
from peergroups.services import (
    _tell_confirmed_about_new_times,
    booking_confirm,
    booking_offer,
    ground_rules_accept,
    session_cancel,
)
from portal.notifications.sms import LocmemSmsBackend
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.private_links import open_place_page
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

ADDRESS = "12 Quiet Lane"
ZOOM_LINK = "https://zoom.example/j/8812"
PASSCODE = "kestrel42"
SECRETS = (ADDRESS, "Quiet Lane", "NB1 2AB", ZOOM_LINK, "zoom.example", PASSCODE)
CALENDAR = "/support/meetings.ics"


@pytest.fixture(params=["in_person", "zoom"])
def place(request, organisation_a, caseworker_a):
    """A confirmed place, ground rules not yet accepted, in a group that meets soon."""
    venue = Venue.objects.create(
        organisation=organisation_a,
        name="Hall",
        address=f"{ADDRESS}\nNorthbridge NB1 2AB",
        arrival_notes="Ring the side bell.",
    )
    group = GroupFactory(
        organisation=organisation_a,
        format=request.param,
        venue=venue if request.param == "in_person" else None,
        ground_rules="First names only.",
    )
    start = timezone.now() + timedelta(minutes=90)
    for days in (0, 7):
        Session.objects.create(
            group=group,
            starts_at=start + timedelta(days=days),
            ends_at=start + timedelta(days=days, hours=1),
            join_url=ZOOM_LINK if request.param == "zoom" else "",
            passcode=PASSCODE if request.param == "zoom" else "",
        )
    person = make_referral(
        organisation_a,
        phone="07700 900123",
        safe_channels=["email", "text"],
        format_preference="either",
    )
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=person, actor=caseworker_a)
    )
    return person, booking


def shown(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def calendar_of(client) -> bytes:
    response = client.get(CALENDAR)
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 2  # the meetings are there either way; only where is held back
    return response.content


def test_the_rule(place):
    _, booking = place
    assert selectors.may_see_joining_details(booking) is False
    assert selectors.joining_details(booking=booking, sessions=[]) is None
    booking = ground_rules_accept(booking=booking)
    assert selectors.may_see_joining_details(booking) is True
    for state in ("offered", "waitlisted", "awaiting_approval", "cancelled", "declined"):
        booking.state = state
        assert selectors.may_see_joining_details(booking) is False, state


def test_no_joining_details_on_the_page_or_in_the_calendar_before_the_ground_rules(place):
    person, _ = place
    client = Client()
    page = open_place_page(client, person).content.decode()
    assert "First names only." in page
    assert shown(page) == []
    assert shown(calendar_of(client).decode()) == []


def test_joining_details_on_the_page_and_in_the_calendar_once_accepted(place):
    person, booking = place
    ground_rules_accept(booking=booking)
    client = Client()
    page = open_place_page(client, person).content.decode()
    calendar = calendar_of(client).decode()
    if booking.group.format == "zoom":
        assert ZOOM_LINK in page and PASSCODE in page
        assert "LOCATION:Online" in calendar and ZOOM_LINK not in calendar
    else:
        assert ADDRESS in page and "Ring the side bell." in page
        assert f"LOCATION:{ADDRESS}\\, Northbridge NB1 2AB" in calendar


def test_the_api_never_gives_joining_details(place, facilitator_a, caseworker_a):
    _, booking = place
    group = booking.group
    session = group.sessions.order_by("starts_at").first()
    client = sign_in(APIClient(), facilitator_a)
    for accepted in (False, True):
        if accepted:
            ground_rules_accept(booking=booking)
        for url in (
            "/api/v1/groups/",
            f"/api/v1/groups/{group.pk}/",
            f"/api/v1/groups/{group.pk}/sessions/",
            f"/api/v1/groups/{group.pk}/bookings/",
            f"/api/v1/sessions/{session.pk}/",
            f"/api/v1/sessions/{session.pk}/attendance/",
            "/api/v1/services/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert shown(response.content.decode()) == [], url


def test_no_message_carries_joining_details_before_or_after_the_ground_rules(
    place, caseworker_a, django_capture_on_commit_callbacks
):
    person, booking = place
    group = booking.group
    for accepted in (False, True):
        if accepted:
            ground_rules_accept(booking=booking)
        mail.outbox.clear()
        LocmemSmsBackend.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            booking_offer(
                group=GroupFactory(organisation=group.organisation),
                referral=person,
                actor=caseworker_a,
            )
            _tell_confirmed_about_new_times(group)
            session_reminders_queue()
        deliver_all()
        with django_capture_on_commit_callbacks(execute=True):
            session_cancel(
                session=group.sessions.order_by("-starts_at").first(), actor=caseworker_a
            )
        templates = {
            "place_offered",
            "meetings_changed",
            "session_reminder",
            "session_cancelled",
        }
        sent = {log.template for log in person_messages(person)}
        assert templates <= sent, sent
        for message in mail.outbox:
            for part in (
                message.subject,
                message.body,
                *(body for body, _ in message.alternatives),
            ):
                assert shown(part) == [], (message.subject, shown(part))
        for text in LocmemSmsBackend.outbox:
            assert shown(text["body"]) == []
        Booking.objects.filter(referral=person).exclude(pk=booking.pk).delete()
        Session.objects.filter(group=group, status="cancelled").update(status="scheduled")


def person_messages(person):
    from portal.notifications.models import MessageLog

    return MessageLog.objects.filter(recipient_id=str(person.pk), status="sent")
