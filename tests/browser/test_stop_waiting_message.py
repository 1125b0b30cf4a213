"""A caseworker writes a message on a Saturday evening to someone safe to text only on
weekdays from 10am to 2pm, in Chromium; it waits for Monday, and the referral's list of
messages says so with a "Stop this message" button. They stop it: the list says it was
stopped, the button goes, the timeline says who stopped it, and on Monday nothing is
sent. axe-core at desktop and phone widths."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import MessageLog
from portal.notifications.services import release_waiting_messages
from portal.notifications.sms import LocmemSmsBackend
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.browser.test_safe_contact_actions import next_saturday_evening
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")
WORDS = "Hello, it was good to talk. Is Tuesday morning still a good time for a call?"


def test_a_caseworker_stops_a_message_waiting_for_a_safe_time(
    axe_page, live_server, organisation_a, caseworker_a
):
    LocmemSmsBackend.outbox.clear()
    saturday = next_saturday_evening()
    monday_10am = datetime.combine(saturday.date() + timedelta(days=2), clock(10), tzinfo=LONDON)
    person = make_referral(organisation_a, phone="07700 900123", safe_channels=["text"])
    person.safe_contact.set_windows(
        ContactWindows(tuple(Window(day, clock(10), clock(14)) for day in range(5)))
    )
    person.safe_contact.save()
    page = axe_page
    path = reverse("referrals:detail", kwargs={"referral_id": person.pk})
    detail = live_server.url + path

    with time_machine.travel(saturday, tick=True):
        sign_in_through_browser(page, live_server, caseworker_a)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(detail)
        page.get_by_label("Your message").fill(WORDS)
        page.get_by_role("button", name="Send the message").click()
        page.wait_for_url(f"**{path}")
        waiting = page.locator("h2:text('Messages') ~ .table-wrapper tbody tr").first.inner_text()
        assert f"Waiting for a safe time, until {monday_10am:%A} {monday_10am.day}" in waiting
        check(page, detail)  # with the button, desktop then 320 px

        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(detail)
        page.get_by_role("button", name="Stop this message").click()
        page.wait_for_url(f"**{path}")
        assert "Message stopped. It will not be sent." in page.content()
        stopped = page.locator("h2:text('Messages') ~ .table-wrapper tbody tr").first.inner_text()
        assert "(stopped by caseworker)" in stopped
        assert page.get_by_role("button", name="Stop this message").count() == 0
        keep_screenshot(page, "message-stopped")
        check(page, detail)

        page.goto(
            live_server.url + reverse("referrals:timeline", kwargs={"referral_id": person.pk})
        )
        timeline = page.locator("ol.timeline").inner_text()
        assert f"Message stopped by {caseworker_a} before it went" in timeline
        assert "written to go at their next safe time" in timeline

    log = MessageLog.objects.get(template="message_from_caseworker")
    assert (log.status, log.reason, log.sealed_context) == ("refused", "stopped by caseworker", "")
    with time_machine.travel(monday_10am, tick=False):
        release_waiting_messages()
        deliver_all()
    # Their acknowledgement may go then; the stopped message never does.
    assert not any("good to talk" in text["body"] for text in LocmemSmsBackend.outbox)
    assert MessageLog.objects.get(pk=log.pk).status == "refused"
