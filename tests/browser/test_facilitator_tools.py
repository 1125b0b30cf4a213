"""A facilitator's own tools, in Chromium, on a Saturday evening.

Message the group: from the group's page they write to the group and check the list
before sending, which says who gets it by email now, who by text at their next safe
time (Monday at 10am), and who cannot be reached and why; they send it: the email goes
by a worker, the text waits for Monday, and the words are not kept.

Calendar feed: from the groups page they subscribe; the address is shown once with how
to add it to Outlook, Google or Apple calendars; fetched without signing in, it is
iCalendar with London times, the neutral title and no one's name.

axe-core on every page, at desktop and phone widths.
"""

from __future__ import annotations

import urllib.request
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from peergroups.models import Group, Session
from peergroups.services import booking_confirm, booking_offer
from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import MessageLog
from portal.notifications.sms import LocmemSmsBackend
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.browser.test_safe_contact_actions import next_saturday_evening
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")
WORDS = "Hello everyone. Next week we start half an hour later, at 7:30pm."
JOIN = "https://zoom.example/j/81234567890"


def accessible_here(page, where: str) -> None:
    """axe-core on the page as it is (a page a form answered cannot be opened again by
    its address), at desktop and phone widths."""
    for width, height in ((1280, 900), (320, 640)):
        page.set_viewport_size({"width": width, "height": height})
        violations = axe_violations(page)
        assert violations == [], f"{where} at {width}px:\n{format_violations(violations)}"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{where} scrolls sideways at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def the_group(organisation, facilitator, caseworker, saturday):
    group = GroupFactory(
        organisation=organisation, title="Partners group, Tuesdays", format=Group.Format.ZOOM
    )
    group.facilitators.add(facilitator)
    by_email = make_referral(organisation, full_name="Robin Emailer", safe_channels=["email"])
    by_text = make_referral(
        organisation, full_name="Sky Texter", phone="07700 900123", safe_channels=["text"]
    )
    by_text.safe_contact.set_windows(
        ContactWindows(tuple(Window(day, clock(10), clock(14)) for day in range(5)))
    )
    by_text.safe_contact.save()
    calls_only = make_referral(
        organisation, full_name="Casey Caller", phone="07700 900456", safe_channels=["call"]
    )
    for referral in (by_email, by_text, calls_only):
        booking_confirm(booking=booking_offer(group=group, referral=referral, actor=caseworker))
    tuesday = datetime.combine(saturday.date() + timedelta(days=3), clock(19), tzinfo=LONDON)
    Session.objects.create(
        group=group,
        starts_at=tuesday,
        ends_at=tuesday + timedelta(minutes=90),
        join_url=JOIN,
        passcode="731905",
    )
    return group


def test_a_facilitator_messages_the_group_and_subscribes_to_their_calendar(
    axe_page, live_server, organisation_a, facilitator_a, caseworker_a
):
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    saturday = next_saturday_evening()
    monday = saturday.date() + timedelta(days=2)
    page = axe_page
    with time_machine.travel(saturday, tick=True):
        group = the_group(organisation_a, facilitator_a, caseworker_a, saturday)
        # The acknowledgements and offers of setting up: not what this test is about.
        deliver_all()
        mail.outbox.clear()
        LocmemSmsBackend.outbox.clear()
        sign_in_through_browser(page, live_server, facilitator_a)
        page.set_viewport_size({"width": 1280, "height": 900})

        # --- Message the group ---
        page.goto(live_server.url + reverse("groups:detail", kwargs={"group_id": group.pk}))
        page.get_by_role("link", name="Message the group").click()
        message_url = reverse("groups:group-message", kwargs={"group_id": group.pk})
        page.wait_for_url(f"**{message_url}")
        check(page, live_server.url + message_url)
        page.get_by_label("Your message to the group").fill(WORDS)
        page.get_by_role("button", name="Check who gets it").click()
        page.get_by_role("heading", name="Check before sending").wait_for()
        gets_it = page.locator("[data-reach=reached] li").all_inner_texts()
        not_reached = page.locator("[data-reach=not-reached] li").all_inner_texts()
        assert [line.split(" (")[0] for line in gets_it] == ["Robin Emailer", "Sky Texter"]
        assert gets_it[0].endswith("by email, now")
        waits = f"by text message, at their next safe time, {monday:%A} {monday.day} "
        assert waits in gets_it[1]
        assert [line.split(" (")[0] for line in not_reached] == ["Casey Caller"]
        assert "not said that email or text is safe" in not_reached[0]
        preview = page.locator("main").inner_text()
        assert "This message is for everyone in your group." in preview
        assert WORDS in preview
        keep_screenshot(page, "group-message-preview")
        accessible_here(page, "the preview")
        assert not MessageLog.objects.filter(template="message_to_group").exists()

        page.get_by_role("button", name="Send to 2 people").click()
        page.get_by_role("heading", name="Message to the group sent").wait_for()
        result = page.locator("main").inner_text()
        assert "1 person gets it now." in result
        assert "1 person gets it at their next safe time, automatically." in result
        accessible_here(page, "the result")

        # The email goes now (by a worker); the text waits for Monday.
        deliver_all()
        (email,) = mail.outbox
        assert WORDS in email.body and "Partners group" not in email.body + email.subject
        text = MessageLog.objects.get(template="message_to_group", channel="text")
        assert text.status == "waiting"
        assert text.send_after == datetime.combine(monday, clock(10), tzinfo=LONDON)
        assert LocmemSmsBackend.outbox == []

        # --- The calendar feed ---
        page.goto(live_server.url + reverse("groups:list"))
        page.get_by_role("link", name="Your calendar feed").click()
        page.wait_for_url(f"**{reverse('groups:calendar-feed')}")
        check(page, live_server.url + reverse("groups:calendar-feed"))
        page.get_by_role("button", name="Subscribe in your calendar").click()
        page.get_by_role("heading", name="Your calendar feed's address").wait_for()
        address = page.get_by_label("Calendar feed address").input_value()
        for app in ("Outlook", "Google Calendar", "Apple Calendar"):
            assert page.get_by_role("heading", name=app).is_visible()
        keep_screenshot(page, "calendar-feed-address")
        accessible_here(page, "the feed's address")

        # A calendar app fetches it with no sign-in (no cookies at all).
        feed_url = live_server.url + "/" + address.split("/", 3)[3]
        with urllib.request.urlopen(feed_url) as response:  # noqa: S310 - the test server
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert "no-store" in response.headers["Cache-Control"]
            body = response.read()
        calendar = Calendar.from_ical(body)
        (event,) = calendar.walk("VEVENT")
        assert str(event["summary"]) == "Group meeting"
        assert event["dtstart"].params["TZID"] == "Europe/London"
        assert event.decoded("dtstart").hour == 19
        assert JOIN in str(event["description"])
        assert calendar.walk("VTIMEZONE")
        for private in (b"Partners group", b"Robin", b"Sky", b"Casey", b"Emailer"):
            assert private not in body

        page.goto(live_server.url + reverse("groups:calendar-feed"))
        assert page.get_by_role("button", name="Stop this feed").is_visible()
        assert address not in page.content()
