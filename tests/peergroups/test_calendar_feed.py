"""A facilitator's private calendar feed (``peergroups.calendar_feed``): made, stopped and
replaced from the staff page, the address shown once and only its hash kept; the feed
itself answers without sign-in, as valid iCalendar (parsed here with ``icalendar``) with
Europe/London times, neutral titles, no one's name, joining details for online meetings
only, cancelled meetings as cancelled; an unknown or stopped address gets a bare 404."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from peergroups.calendar_feed import (
    NEUTRAL_TITLE,
    CalendarFeedError,
    calendar_feed_create,
    calendar_feed_replace,
    calendar_feed_revoke,
    feed_url,
)
from peergroups.models import CalendarFeed, Group, Session, Venue
from peergroups.services import booking_confirm, booking_offer
from portal.audit.models import AuditEvent
from portal.core.log_scrubbing import scrub
from portal.notifications.contact_windows import LONDON
from portal.organisations.models import Membership
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

JOIN = "https://zoom.example/j/81234567890?pwd=abc"


def first_summer_day() -> int:
    """Days from now to a day on London's summer time, within the feed's six months."""
    now = timezone.now()
    return next(
        days
        for days in range(1, 182)
        if (now + timedelta(days=days)).astimezone(LONDON).utcoffset() == timedelta(hours=1)
    )


def meeting(group, *, days: float, status=Session.Status.SCHEDULED, **more) -> Session:
    start = timezone.now() + timedelta(days=days)
    return Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(minutes=90), status=status, **more
    )


@pytest.fixture
def groups(organisation_a, facilitator_a, caseworker_a):
    """An online group and an in-person one that facilitator A runs, with a person in
    each, and a group they do not run."""
    online = GroupFactory(
        organisation=organisation_a, title="Partners of people on bail", format=Group.Format.ZOOM
    )
    venue = Venue.objects.create(
        organisation=organisation_a, name="Community hall", address="1 High Street\nTownville"
    )
    in_person = GroupFactory(
        organisation=organisation_a,
        title="Parents group",
        format=Group.Format.IN_PERSON,
        venue=venue,
    )
    other = GroupFactory(organisation=organisation_a, title="Someone else's group")
    for group in (online, in_person):
        group.facilitators.add(facilitator_a)
        referral = make_referral(organisation_a, full_name="Jordan Participant")
        booking_confirm(
            booking=booking_offer(
                group=group, referral=referral, actor=caseworker_a, override_reason="Asked for it"
            )
        )
    return {
        "online": meeting(online, days=2, join_url=JOIN, passcode="731905"),
        "cancelled": meeting(
            online, days=9, status=Session.Status.CANCELLED, join_url=JOIN, passcode="731905"
        ),
        "past": meeting(online, days=-14, join_url=JOIN),
        "too_old": meeting(online, days=-40),
        "too_far": meeting(online, days=200),
        "in_person": meeting(in_person, days=3),
        "summer": meeting(online, days=first_summer_day()),
        "not_theirs": meeting(other, days=4),
    }


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_by_id(calendar: Calendar) -> dict[str, object]:
    return {
        str(event["uid"]).split("@")[0].removeprefix("facilitator-"): event
        for event in calendar.walk("VEVENT")
    }


def path_of(address: str) -> str:
    return urlsplit(address).path


# --- The feed ---------------------------------------------------------------------------------


def test_the_feed_is_valid_icalendar_with_their_meetings_only(
    client, groups, facilitator_a, organisation_a
):
    feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    response = client.get(path_of(feed_url(token)))
    calendar = parse(response)
    assert str(calendar["version"]) == "2.0"
    events = events_by_id(calendar)
    expected = {"online", "cancelled", "past", "in_person", "summer"}
    assert set(events) == {str(groups[name].pk) for name in expected}
    # London's time zone is described in the file, and every time refers to it.
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/London"
    for event in events.values():
        assert event["dtstart"].params["TZID"] == "Europe/London"
        assert event["dtend"].params["TZID"] == "Europe/London"
        assert str(event.decoded("dtstart").tzinfo) == "Europe/London"
    online = events[str(groups["online"].pk)]
    assert online.decoded("dtstart") == groups["online"].starts_at.replace(microsecond=0)
    # In summer the clocks are an hour ahead: the same instant, on London's summer time.
    summer = events[str(groups["summer"].pk)]
    assert summer.decoded("dtstart").utcoffset() == timedelta(hours=1)
    assert summer.decoded("dtstart") == groups["summer"].starts_at.replace(microsecond=0)
    feed.refresh_from_db()
    assert feed.last_fetched_at is not None


def test_titles_are_neutral_and_no_one_is_named(client, groups, facilitator_a, organisation_a):
    _feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    body = client.get(path_of(feed_url(token))).content.decode()
    calendar = Calendar.from_ical(body)
    assert {str(e["summary"]) for e in calendar.walk("VEVENT")} == {NEUTRAL_TITLE}
    for secret in ("Partners of people on bail", "Parents group", "Jordan", "Participant", "bail"):
        assert secret not in body
    assert "Group meetings" in body  # the calendar's own name


def test_joining_details_only_for_online_meetings_not_cancelled(
    client, groups, facilitator_a, organisation_a
):
    _feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    events = events_by_id(Calendar.from_ical(client.get(path_of(feed_url(token))).content))
    online = events[str(groups["online"].pk)]
    assert str(online["location"]) == "Online" and str(online["url"]) == JOIN
    assert JOIN in str(online["description"]) and "Passcode: 731905" in str(online["description"])
    assert str(online["status"]) == "CONFIRMED"
    cancelled = events[str(groups["cancelled"].pk)]
    assert str(cancelled["status"]) == "CANCELLED"
    assert "url" not in cancelled and JOIN not in str(cancelled["description"])
    assert "731905" not in str(cancelled["description"])
    in_person = events[str(groups["in_person"].pk)]
    assert str(in_person["location"]) == "1 High Street, Townville"
    assert "url" not in in_person and "Join" not in str(in_person["description"])
    assert "Passcode" not in str(in_person["description"])


def test_the_answer_is_never_cached_and_needs_no_sign_in(
    client, groups, facilitator_a, organisation_a
):
    _feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    response = client.get(path_of(feed_url(token)))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert client.head(path_of(feed_url(token))).status_code == 200


@pytest.mark.parametrize("how", ["unknown", "stopped", "replaced", "left the organisation"])
def test_an_address_that_does_not_open_a_live_feed_is_a_bare_404(
    client, groups, facilitator_a, organisation_a, how
):
    _feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    if how == "unknown":
        token = token[:-4] + "abcd"
    elif how == "stopped":
        calendar_feed_revoke(organisation=organisation_a, user=facilitator_a)
    elif how == "replaced":
        calendar_feed_replace(organisation=organisation_a, user=facilitator_a)
    else:
        Membership.objects.filter(user=facilitator_a).update(ended_at=timezone.now())
    response = client.get(path_of(feed_url(token)))
    assert response.status_code == 404
    assert response.content == b"Not found\n"
    assert response["Content-Type"].startswith("text/plain")


def test_too_many_fetches_of_one_address_are_slowed(
    client, groups, facilitator_a, organisation_a, settings
):
    from peergroups import views_calendar_feed

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    views_calendar_feed.FEED_RATE = "3/h"
    try:
        _feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
        codes = [client.get(path_of(feed_url(token))).status_code for _ in range(4)]
    finally:
        views_calendar_feed.FEED_RATE = "120/h"
    assert codes == [200, 200, 200, 429]


def test_the_address_is_scrubbed_from_logs(groups, facilitator_a, organisation_a):
    _feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    line = f'"GET {path_of(feed_url(token))} HTTP/1.1" 200 2048'
    assert token not in scrub(line)
    assert "/calendar/" in scrub(line)


# --- Making, stopping and replacing ---------------------------------------------------------


def test_only_the_hash_is_kept_and_one_live_feed_each(facilitator_a, organisation_a):
    feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 43 and token not in str(CalendarFeed.objects.values())
    with pytest.raises(CalendarFeedError, match="already have"):
        calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    new, new_token = calendar_feed_replace(organisation=organisation_a, user=facilitator_a)
    assert new_token != token
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert CalendarFeed.objects.filter(user=facilitator_a, revoked_at__isnull=True).get() == new
    changes = list(
        AuditEvent.objects.filter(target_type="peergroups.calendarfeed")
        .order_by("pk")
        .values_list("detail__change", flat=True)
    )
    assert changes == ["calendar_feed_created", "calendar_feed_revoked", "calendar_feed_replaced"]


def test_someone_outside_the_organisation_cannot_make_one(caseworker_b, organisation_a):
    with pytest.raises(CalendarFeedError):
        calendar_feed_create(organisation=organisation_a, user=caseworker_b)


def test_the_staff_page_makes_shows_once_replaces_and_stops(
    client, groups, facilitator_a, organisation_a
):
    sign_in(client, facilitator_a)
    page = client.get(reverse("groups:calendar-feed"))
    assert "Subscribe in your calendar" in page.content.decode()
    made = client.post(
        reverse("groups:calendar-feed-new"), {"organisation": str(organisation_a.pk)}
    )
    html = made.content.decode()
    (address,) = re.findall(r'id="feed-address" type="text" value="([^"]+)"', html)
    assert address.startswith("http") and "/calendar/" in address and address.endswith(".ics")
    assert "Outlook" in html and "Google" in html and "Apple" in html
    assert client.get(path_of(address)).status_code == 200
    # Never shown again.
    again = client.get(reverse("groups:calendar-feed")).content.decode()
    assert address not in again and "Stop this feed" in again and "Make a new address" in again
    renewed = client.post(
        reverse("groups:calendar-feed-new"),
        {"organisation": str(organisation_a.pk), "replace": "yes"},
    ).content.decode()
    (new_address,) = re.findall(r'id="feed-address" type="text" value="([^"]+)"', renewed)
    assert client.get(path_of(address)).status_code == 404
    assert client.get(path_of(new_address)).status_code == 200
    stopped = client.post(
        reverse("groups:calendar-feed-stop"), {"organisation": str(organisation_a.pk)}, follow=True
    )
    assert "Feed stopped" in stopped.content.decode()
    assert client.get(path_of(new_address)).status_code == 404


def test_another_organisation_cannot_be_chosen(client, facilitator_a, organisation_b):
    sign_in(client, facilitator_a)
    response = client.post(
        reverse("groups:calendar-feed-new"), {"organisation": str(organisation_b.pk)}
    )
    assert response.status_code == 404
    assert not CalendarFeed.objects.exists()


def test_the_groups_page_links_to_the_feed(client, groups, facilitator_a):
    sign_in(client, facilitator_a)
    html = client.get(reverse("groups:list")).content.decode()
    assert reverse("groups:calendar-feed") in html


def test_the_feed_reads_a_few_queries_however_many_meetings(
    client, groups, facilitator_a, organisation_a, django_assert_max_num_queries
):
    _feed, token = calendar_feed_create(organisation=organisation_a, user=facilitator_a)
    online = groups["online"].group
    for days in range(10, 40):
        meeting(online, days=days, join_url=JOIN)
    with django_assert_max_num_queries(5):
        response = client.get(path_of(feed_url(token)))
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) > 30
