"""A caseworker acts on a channel for someone safe to text only, on weekdays from 10am to
2pm, on a Saturday evening, in Chromium: logging a phone call is refused beside the
reason field, with what is safe shown beside the form; given a reason, the call is logged
and the timeline shows the override and the reason. A message written then says it will
go at their next safe time, and does. axe-core runs on each page, at desktop and phone
widths."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.notifications.contact_windows import ContactWindows, Window, clock_in_words
from portal.notifications.models import MessageLog
from referrals.models import ContactAttempt, SafeContactOverride
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")
REASON = "They rang from a friend's phone and asked us to call back now"
WORDS = "Hello, it was good to talk. Is Tuesday morning still a good time for a call?"


def next_saturday_evening() -> datetime:
    """A Saturday at 7pm after today: outside weekday windows, and never in the past (the
    browser's cookies must not look expired)."""
    today = datetime.now(LONDON).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    return datetime.combine(saturday, clock(19), tzinfo=LONDON)


def no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}:\n{format_violations(violations)}"


def test_a_caseworker_is_held_to_safe_contact_and_records_why_they_go_ahead(
    axe_page, live_server, organisation_a, caseworker_a
):
    saturday = next_saturday_evening()
    monday_10am = datetime.combine(saturday.date() + timedelta(days=2), clock(10), tzinfo=LONDON)
    next_safe = (
        f"{monday_10am:%A} {monday_10am.day} {monday_10am:%B} at {clock_in_words(clock(10))}"
    )
    person = make_referral(organisation_a, phone="07700 900123", safe_channels=["text"])
    person.safe_contact.set_windows(
        ContactWindows(tuple(Window(day, clock(10), clock(14)) for day in range(5)))
    )
    person.safe_contact.save()
    page = axe_page
    detail = live_server.url + reverse("referrals:detail", kwargs={"referral_id": person.pk})

    with time_machine.travel(saturday, tick=True):
        sign_in_through_browser(page, live_server, caseworker_a)
        check(page, detail)  # the page as it first opens, desktop then 320 px
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(detail)
        beside = page.locator("#safe-beside-contact-attempt").locator("..")
        assert "Text message" in beside.inner_text()
        assert "Monday to Friday, 10am to 2pm" in beside.inner_text()

        # A phone call, which they have not said is safe: refused beside the reason field.
        page.locator("#contact-attempt ~ form").get_by_label("Phone call").check()
        page.get_by_label("Spoke with them").check()
        page.get_by_role("button", name="Save contact attempt").click()
        error = page.locator("#id_override_reason_error")
        assert "They have not said that phone call is safe." in error.inner_text()
        assert (
            "This is not what they said is safe."
            in page.locator("aside[aria-labelledby=safe-beside-contact-attempt]").inner_text()
        )
        assert not ContactAttempt.objects.exists()
        no_violations(page, "the refused contact attempt")
        keep_screenshot(page, "contact-attempt-refused")
        page.set_viewport_size({"width": 375, "height": 740})
        no_violations(page, "the refused contact attempt on a phone")
        page.set_viewport_size({"width": 1280, "height": 900})

        # With a reason, it is logged, and the timeline says what was set aside and why.
        page.locator("#id_override_reason").fill(REASON)
        page.get_by_role("button", name="Save contact attempt").click()
        page.wait_for_url(f"**{reverse('referrals:detail', kwargs={'referral_id': person.pk})}")
        assert "Contact attempt saved." in page.content()
        assert ContactAttempt.objects.get().channel == "call"
        assert SafeContactOverride.objects.get().reason == REASON
        page.get_by_role("link", name="See the full timeline").click()
        timeline = page.locator("ol.timeline").inner_text()
        assert "Contacted outside what they said is safe" in timeline
        assert "Logged a contact attempt: by phone call, which they have not said is safe" in (
            timeline
        )
        assert REASON in timeline and f"Reason given by {caseworker_a}" in timeline
        check(page, page.url)

        # A message written now waits for their next safe time, and the page says when.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(detail)
        panel = page.locator("#send-message").locator("..")
        assert f"it will go on {next_safe}, their next safe time" in panel.inner_text()
        page.get_by_label("Your message").fill(WORDS)
        page.get_by_role("button", name="Send the message").click()
        page.wait_for_url(f"**{reverse('referrals:detail', kwargs={'referral_id': person.pk})}")
        assert f"It will go on {next_safe}, their next safe time" in page.content()
        no_violations(page, "the referral page after sending")
        keep_screenshot(page, "message-waits-for-a-safe-time")

    log = MessageLog.objects.get(template="message_from_caseworker")
    assert (log.status, log.channel, log.send_after) == ("waiting", "text", monday_10am)
    assert not log.time_override


def test_offering_a_group_outside_their_times_and_posting_a_pack_warn_first(
    axe_page, live_server, organisation_a, caseworker_a
):
    """The offer page lists the clashing meetings in words before anything is offered;
    the pack page refuses post beside the reason field. Both pass axe at both widths."""
    from peergroups.models import Booking, Session
    from resources.library import load_library
    from resources.models import Delivery
    from tests.factories import GroupFactory

    load_library()
    person = make_referral(organisation_a, safe_channels=["email"])
    person.safe_contact.set_windows(
        ContactWindows(tuple(Window(day, clock(10), clock(14)) for day in range(5)))
    )
    person.safe_contact.save()
    group = GroupFactory(organisation=organisation_a, title="Tuesday evening group")
    first = next_saturday_evening() + timedelta(days=3)  # a Tuesday, 7pm
    for week in range(3):
        start = first + timedelta(weeks=week)
        Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    page = axe_page
    sign_in_through_browser(page, live_server, caseworker_a)

    page.goto(live_server.url + reverse("groups:offer", kwargs={"referral_id": person.pk}))
    page.get_by_label("Tuesday evening group").check()
    page.get_by_role("button", name="Offer the place").click()
    warning = page.locator(".panel--warning").inner_text()
    assert "Tuesday evening group does not fit what they said" in warning
    assert f"{first:%A} {first.day} {first:%B} at 7pm to 8pm" in warning
    assert not Booking.objects.exists()
    no_violations(page, "the offer warning")
    page.set_viewport_size({"width": 375, "height": 740})
    no_violations(page, "the offer warning on a phone")
    keep_screenshot(page, "group-offer-warning-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(
        live_server.url + reverse("resources-staff:pack-send", kwargs={"referral_id": person.pk})
    )
    page.get_by_label("Printed, to post or hand over", exact=False).check()
    page.get_by_role("button", name="Preview what they will see").click()
    assert (
        "They have not said that post is safe."
        in page.locator("#id_override_reason_error").inner_text()
    )
    assert not Delivery.objects.exists()
    no_violations(page, "the refused pack by post")
    page.set_viewport_size({"width": 375, "height": 740})
    no_violations(page, "the refused pack by post on a phone")
