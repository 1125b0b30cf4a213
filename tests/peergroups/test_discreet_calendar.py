"""The calendar file says nothing about what the group is: a calendar is often shared
or synced to other devices. Each meeting is "<discreet sender name> meeting", never the
group's title or the charity's name, with nothing else about it (no description, no
link, no organiser); where it is appears only once the ground rules are accepted (the
one joining rule, ``peergroups.selectors.joining_details``)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from peergroups.models import Session, Venue
from peergroups.services import booking_confirm, booking_offer, ground_rules_accept
from portal.operations.demo import DEMO_GROUPS, ORGANISATIONS
from tests.factories import GroupFactory
from tests.private_links import open_place_page
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

ADDRESS = "12 Quiet Lane\nNorthbridge NB1 2AB"
# What a calendar may hold about a meeting: when, and (after the ground rules) where.
ALLOWED = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION"}


@pytest.mark.parametrize(
    ("organisation_name", "title", "format_"),
    [(organisation, title, format_) for organisation, title, _, format_, _ in DEMO_GROUPS]
    + [("Families Under Investigation Support", "Partners of men on police bail", "in_person")],
)
def test_a_meeting_in_the_calendar_says_nothing_about_the_group(
    client, organisation_a, caseworker_a, organisation_name, title, format_
):
    organisation_a.name = organisation_name
    organisation_a.save(update_fields=["name"])
    venue = Venue.objects.create(organisation=organisation_a, name="Hall", address=ADDRESS)
    group = GroupFactory(
        organisation=organisation_a,
        title=title,
        format=format_,
        venue=venue if format_ == "in_person" else None,
        ground_rules="First names only. What is said here stays here.",
    )
    start = timezone.now() + timedelta(days=2)
    Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    person = make_referral(organisation_a, format_preference="either")
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=person, actor=caseworker_a)
    )
    open_place_page(client, person)
    calendar_url = reverse("peergroups:participant-calendar")
    for accepted in (False, True):
        if accepted:
            ground_rules_accept(booking=booking)
        content = client.get(calendar_url).content
        (event,) = Calendar.from_ical(content).walk("VEVENT")
        assert str(event["SUMMARY"]) == "Support team meeting"
        assert set(event.keys()) <= ALLOWED, set(event.keys()) - ALLOWED
        text = content.decode().replace("\r\n ", "")  # unfolded
        for revealing in (title, organisation_name, *ORGANISATIONS):
            assert revealing not in text, revealing
        assert ("Quiet Lane" in text) is (accepted and format_ == "in_person")
