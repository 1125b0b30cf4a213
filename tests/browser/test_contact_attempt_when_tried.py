"""A caseworker logs, on a Tuesday morning, a text they sent at 7pm the evening before to
someone safe to text only on weekdays from 10am to 2pm, in Chromium: they say when they
tried with the browser's own date and time pickers, the attempt is checked against that
time and refused beside the reason field; corrected to 11am, it is saved without a
reason and listed at the time it happened. axe-core at desktop and phone widths."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.notifications.contact_windows import ContactWindows, Window
from referrals.models import ContactAttempt, SafeContactOverride
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")


def next_tuesday_morning() -> datetime:
    """A Tuesday at 10:30am after today, never in the past (the browser's cookies must
    not look expired)."""
    today = datetime.now(LONDON).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    return datetime.combine(tuesday, clock(10, 30), tzinfo=LONDON)


def no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}:\n{format_violations(violations)}"


def test_an_attempt_is_checked_against_when_it_was_made(
    axe_page, live_server, organisation_a, caseworker_a
):
    tuesday = next_tuesday_morning()
    monday = tuesday.date() - timedelta(days=1)
    person = make_referral(organisation_a, phone="07700 900123", safe_channels=["text"])
    person.safe_contact.set_windows(
        ContactWindows(tuple(Window(day, clock(10), clock(14)) for day in range(5)))
    )
    person.safe_contact.save()
    page = axe_page
    detail = live_server.url + reverse("referrals:detail", kwargs={"referral_id": person.pk})

    with time_machine.travel(tuesday, tick=True):
        sign_in_through_browser(page, live_server, caseworker_a)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(detail)
        form = page.locator("#contact-attempt ~ form")
        when = form.get_by_role("group", name="When did you try?")
        assert "Leave both empty if it was just now." in when.inner_text()

        # Sent at 7pm last night, outside their times: now (10:30) would have passed.
        form.get_by_label("Text message").check()
        form.get_by_label("Message sent").check()
        when.get_by_label("Date").fill(monday.isoformat())
        when.get_by_label("Time (UK time)").fill("19:00")
        page.get_by_role("button", name="Save contact attempt").click()
        error = page.locator("#id_override_reason_error")
        assert "outside the times they said are safe" in error.inner_text()
        assert not ContactAttempt.objects.exists()
        # What was typed is kept, so the caseworker only changes what was wrong.
        assert page.locator("#id_tried_at").input_value() == "19:00"
        no_violations(page, "the refused attempt, checked at the time it was made")
        keep_screenshot(page, "contact-attempt-refused-at-the-time-it-was-made")
        page.set_viewport_size({"width": 375, "height": 740})
        no_violations(page, "the refused attempt on a phone")
        page.set_viewport_size({"width": 1280, "height": 900})

        # A time still to come is refused beside the time.
        page.locator("#id_tried_on").fill(tuesday.date().isoformat())
        page.locator("#id_tried_at").fill("13:00")
        page.get_by_role("button", name="Save contact attempt").click()
        assert "has not happened yet" in page.locator("#id_tried_at_error").inner_text()
        no_violations(page, "a time still to come")

        # It was 11am on Monday after all: inside their times, no reason needed.
        page.locator("#id_tried_on").fill(monday.isoformat())
        page.locator("#id_tried_at").fill("11:00")
        page.get_by_role("button", name="Save contact attempt").click()
        page.wait_for_url(f"**{reverse('referrals:detail', kwargs={'referral_id': person.pk})}")
        assert "Contact attempt saved." in page.content()
        attempts = page.locator("h2:text('Contact attempts') + .record").inner_text()
        assert f"{monday.day} {monday:%b} {monday.year}, 11:00 a.m." in attempts
        check(page, detail)

    attempt = ContactAttempt.objects.get()
    assert attempt.made_at == datetime.combine(monday, clock(11), tzinfo=LONDON)
    assert not SafeContactOverride.objects.exists()
