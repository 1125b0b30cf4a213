"""A family chooses how their first call happens, on a 375 px phone in Chromium, from
what they actually see: they refer themselves saying calls and email are safe, open
their support page from the link in the acknowledgement (read from the outbox), choose
"a phone call" and a time marked as in their safe times, and the page says we will ring
them then; they change it to a video call and the page says the link comes by email
before the call. The caseworker sees both on the timeline. A caseworker booking from
the referral's page sees what is safe beside the choice, is refused a phone call the
person did not mark safe, and goes ahead with a reason. axe-core finds nothing on the
pages at each step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peergroups.models import InitialCallSlot
from portal.notifications.contact_windows import PRESETS
from portal.notifications.models import MessageLog
from referrals.models import Referral, SafeContact
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.self_referral import answer_questions, form_url, press
from tests.browser.test_support_page import (
    PHONE,
    SUPPORT_LINK,
    fresh_rate_limits,  # noqa: F401 (autouse fixture)
    no_violations,
)
from tests.peergroups.support_states import call_slot
from tests.referrals.self_referral import ANSWERS

pytestmark = pytest.mark.django_db(transaction=True)
# The call is joined from their page; the message by email only links back to it.
VIDEO_BY_EMAIL = (
    "A video call: you join from this page. We also send you a message by email, at a time "
    "you told us is safe, with a link back here"
)


def weekday_at(hour: int, days_ahead: int):
    day = timezone.localtime() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def slot_at(facilitator, organisation, moment):
    return call_slot(
        facilitator, organisation, hours=(moment - timezone.now()) / timedelta(hours=1)
    )


def test_a_family_chooses_how_and_when_their_call_happens_and_their_page_says_so(
    browser, live_server, settings, organisation_a, facilitator_a, caseworker_a
):
    settings.PORTAL_BASE_URL = live_server.url
    evening = slot_at(facilitator_a, organisation_a, weekday_at(19, days_ahead=6))
    daytime = slot_at(facilitator_a, organisation_a, weekday_at(11, days_ahead=8))

    # They refer themselves, saying that calls and email are both safe.
    answers = {**ANSWERS, "safe-contact": {**ANSWERS["safe-contact"]}}
    answers["safe-contact"]["safe_channels"] = ["email", "call"]
    context = browser.new_context(
        viewport=PHONE, locale="en-GB", timezone_id="Europe/London", bypass_csp=True
    )
    page = context.new_page()
    page.goto(form_url(live_server, organisation_a))
    press(page, "Start now")
    answer_questions(page, answers=answers)
    press(page, "Send")
    referral = Referral.objects.get(organisation=organisation_a)
    [acknowledgement] = mail.outbox
    [link] = SUPPORT_LINK.findall(acknowledgement.body)
    # Since then, they told us weekday daytimes are safe.
    safe = SafeContact.objects.get(referral=referral)
    safe.set_windows(PRESETS["weekday_daytimes"])
    safe.save(update_fields=["contact_windows"])

    # From the link in the message, their support page: the ways safe for them, and the
    # times, the one in their safe times marked.
    page.goto(live_server.url + link)
    page.wait_for_url("**/support/")
    call = page.locator("#your-call")
    ways = call.get_by_role("group", name="How would you like to talk?")
    assert ways.get_by_label("A phone call: we ring you on the number you gave us").is_visible()
    assert ways.get_by_label(VIDEO_BY_EMAIL).is_visible()
    times = call.get_by_role("button", name=re.compile("^Book my call for"))
    assert times.count() == 2
    marked = call.get_by_role("button", name=re.compile(r"\(in your safe times\)$"))
    assert marked.count() == 1
    no_violations(page, "the support page, choosing a call")
    keep_screenshot(page, "call-choosing")

    # A phone call, at the time in their safe times.
    ways.get_by_label("A phone call: we ring you on the number you gave us").check()
    with page.expect_navigation():
        marked.click()
    notice = page.locator(".notifications").inner_text()
    assert "Your call is booked for" in notice
    assert "We will ring you then, on the number you gave us." in notice
    booked = InitialCallSlot.objects.get(pk=daytime.pk)
    assert (booked.referral_id, booked.method) == (referral.pk, "phone")
    assert InitialCallSlot.objects.get(pk=evening.pk).referral_id is None
    when = timezone.localtime(booked.starts_at)
    day = f"{when:%A} {when.day} {when:%B}"
    said = page.locator("#your-call").inner_text()
    assert "will ring you at 11:00 a.m. on " + day + ", on the number you gave us." in said
    assert f"on {day}, by phone." in page.locator("#where-things-stand").inner_text()
    assert MessageLog.objects.filter(template="call_booked").count() == 1
    no_violations(page, "the support page with a phone call booked")

    # They would rather talk by video: same time, another way.
    page.get_by_text("Move my call to another time, or change how we talk").click()
    page.locator("#your-call").get_by_label(VIDEO_BY_EMAIL).check()
    no_violations(page, "the support page, changing the call")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Keep my time")).click()
    assert "is now a video call" in page.locator(".notifications").inner_text()
    said = page.locator("#your-call").inner_text()
    assert f"will call you at 11:00 a.m. on {day}, by video." in said
    assert (
        "Join the call from this page. We will also send you a message by email at a time "
        "you told us is safe, with a link back here." in said
    )
    assert "video call link" not in said  # the message links to this page, not the call
    assert InitialCallSlot.objects.get(pk=daytime.pk).method == "video"
    assert MessageLog.objects.filter(template="call_moved").count() == 1
    keep_screenshot(page, "call-booked-by-video")
    no_violations(page, "the support page with a video call booked")
    context.close()

    # The caseworker sees both on the timeline.
    desk = browser.new_context(locale="en-GB", timezone_id="Europe/London", bypass_csp=True)
    staff = desk.new_page()
    sign_in_through_browser(staff, live_server, caseworker_a)
    staff.goto(live_server.url + reverse("referrals:timeline", kwargs={"referral_id": referral.pk}))
    items = staff.locator(".timeline__item")
    assert ", a phone call" in items.filter(has_text="Initial call booked").inner_text()
    assert "now a video call (was a phone call)" in (
        items.filter(has_text="Initial call moved").inner_text()
    )
    no_violations(staff, "the referral's timeline")
    desk.close()


def test_a_caseworker_books_a_call_beside_what_is_safe_and_gives_a_reason_to_go_ahead(
    axe_page, live_server, organisation_a, facilitator_a, caseworker_a
):
    from tests.peergroups.call_people import person

    referral = person(organisation_a, ways=("email",))
    slot = call_slot(facilitator_a, organisation_a)
    page = axe_page
    sign_in_through_browser(page, live_server, caseworker_a)
    page.goto(live_server.url + reverse("referrals:detail", kwargs={"referral_id": referral.pk}))
    with page.expect_navigation():
        page.get_by_role("link", name="Book or move an initial call").click()
    aside = page.locator(".panel--safe-contact")
    assert "Email" in aside.inner_text()
    page.get_by_role("group", name="Which time?").get_by_role("radio").first.check()
    page.get_by_label(re.compile("^Phone call: we ring them")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Book the call").click()
    assert "This is not what they said is safe." in aside.inner_text()
    assert page.locator("#id_override_reason_error").is_visible()
    no_violations(page, "the call booking page, refused")

    page.get_by_label(re.compile("^Reason for going ahead")).fill("They rang and asked us to.")
    with page.expect_navigation():
        page.get_by_role("button", name="Book the call").click()
    slot.refresh_from_db()
    assert (slot.referral_id, slot.method) == (referral.pk, "phone")
    page.goto(live_server.url + reverse("groups:calls"))
    no_violations(page, "the calls page")
