"""The family's whole journey in one walk, on a 375 px phone in Chromium, as they meet it.

From another site to the home page, "Ask for support", every question, the quick exit
half-way (Back then reaches the other site, no portal page); again to the end and Send
(Back again reaches the other site); then the link in the acknowledgement, read from the
outbox, opens their support page, where they book a first call from the open times and
change their safe times, and see the booking; the caseworker sees both changes on the
referral's timeline. axe-core is run on every page of the walk.

The parts are tested on their own, with their edge cases, in test_no_trace.py and
test_support_page.py; this test proves that they join up.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from peergroups.models import InitialCallSlot
from referrals.models import Referral, SafeContact
from tests.browser.helpers import sign_in_through_browser
from tests.browser.self_referral import fill_in, press, question
from tests.browser.test_no_trace import (
    NEUTRAL,
    arrive_from_another_site,
    ask_for_support,
    assert_back_leaves_the_portal,
    entries,
    phone,
)
from tests.browser.test_support_page import (
    SUPPORT_LINK,
    fresh_rate_limits,  # noqa: F401 (autouse fixture)
)
from tests.browser.test_support_page import no_violations as accessible
from tests.peergroups.support_states import call_slot
from tests.referrals.test_self_referral import ANSWERS

pytestmark = pytest.mark.django_db(transaction=True)


def every_question_checked(page, *, until: str | None = None) -> None:
    """Answer each question in turn, with axe run on each, stopping before ``until``."""
    for step, answers in ANSWERS.items():
        if step == until:
            return
        assert question(page) == f"Question {list(ANSWERS).index(step) + 1} of 9", step
        accessible(page, f"question '{step}'")
        fill_in(page, answers)
        press(page, "Continue")


def test_a_family_walks_from_the_home_page_to_a_booked_call(
    browser, live_server, settings, organisation_a, facilitator_a, caseworker_a
):
    settings.PORTAL_BASE_URL = live_server.url
    first_time = call_slot(facilitator_a, organisation_a)
    call_slot(facilitator_a, organisation_a)

    page = phone(browser, live_server, settings, bypass_csp=True)

    # The home page leads with the way in; half-way through, the quick exit.
    count = arrive_from_another_site(page, live_server)
    accessible(page, "the home page")
    ask_for_support(page, live_server, organisation_a)
    accessible(page, "the start page")
    press(page, "Start now")
    every_question_checked(page, until="about-you")
    page.click("text=Exit this page")
    page.wait_for_url(NEUTRAL)
    assert entries(page) == count
    assert_back_leaves_the_portal(page, live_server)
    assert not Referral.objects.exists()

    # Another day: every question, the check page, Send, and Back leaves the portal.
    count = arrive_from_another_site(page, live_server)
    ask_for_support(page, live_server, organisation_a)
    press(page, "Start now")
    every_question_checked(page)
    accessible(page, "the check page")
    press(page, "Send")
    assert page.get_by_role("heading", name="Request sent").is_visible()
    accessible(page, "the confirmation")
    assert entries(page) == count
    assert_back_leaves_the_portal(page, live_server)
    referral = Referral.objects.get(organisation=organisation_a)

    # The acknowledgement went by the way they said is safe, with their page's link.
    [acknowledgement] = mail.outbox
    [link] = SUPPORT_LINK.findall(acknowledgement.body)
    page.goto(live_server.url + link)
    page.wait_for_url("**/support/")
    accessible(page, "the support page")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Book my call for")).first.click()
    assert InitialCallSlot.objects.get(pk=first_time.pk).referral_id == referral.pk
    page.get_by_label(re.compile("days or times that are safe")).fill("Weekday mornings only")
    with page.expect_navigation():
        page.get_by_role("button", name="Save how we contact you").click()
    assert SafeContact.objects.get(referral=referral).safe_times == "Weekday mornings only"
    page.goto(live_server.url + reverse("peergroups:participant"))
    assert "Your first call is booked" in page.locator("#where-things-stand").inner_text()
    accessible(page, "the support page with the call booked")
    page.context.close()

    # The caseworker sees both changes on the referral's timeline.
    desk = browser.new_context(locale="en-GB", timezone_id="Europe/London", bypass_csp=True)
    staff = desk.new_page()
    sign_in_through_browser(staff, live_server, caseworker_a)
    staff.goto(live_server.url + reverse("referrals:timeline", kwargs={"referral_id": referral.pk}))
    items = staff.locator(".timeline__item")
    for change in ("Initial call booked", "Safe contact updated"):
        line = items.filter(has_text=change)
        assert line.count() == 1, change
        assert "by them, on their support page" in line.inner_text()
    accessible(staff, "the referral's timeline")
    desk.close()
