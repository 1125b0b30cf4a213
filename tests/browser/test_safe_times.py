"""Safe times in Chromium, as people meet them: a family on a 375 px phone chooses
"Weekday daytimes" on the self-referral and the caseworker's referral page says
"Monday to Friday, 9am to 5pm"; a caseworker turns a note into safe times with the rows
editor; a person chooses days and times on their support page. axe-core finds nothing
on any of these pages, with their errors shown too, and none scrolls sideways."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from referrals import links
from referrals.models import Referral, SafeContact
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.self_referral import fill_in, form_url, press, question
from tests.browser.test_support_page import PHONE, no_violations
from tests.referrals.factories import make_referral
from tests.referrals.test_self_referral import ANSWERS

pytestmark = pytest.mark.django_db(transaction=True)

DAYTIMES = "Weekday daytimes (Monday to Friday, 9am to 5pm)"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def desk(browser, live_server, user):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", bypass_csp=True)
    page = context.new_page()
    sign_in_through_browser(page, live_server, user)
    return page


def test_a_family_on_a_phone_chooses_weekday_daytimes_and_staff_see_them_in_words(
    browser, live_server, organisation_a, caseworker_a
):
    phone = browser.new_context(
        viewport=PHONE, locale="en-GB", timezone_id="Europe/London", bypass_csp=True
    )
    page = phone.new_page()
    page.goto(form_url(live_server, organisation_a))
    press(page, "Start now")
    for step, answers in ANSWERS.items():
        if step == "safe-contact":
            break
        fill_in(page, answers)
        press(page, "Continue")
    assert question(page) == "Question 8 of 9"
    assert page.get_by_text("On bank holidays, we use your Sunday times.").is_visible()
    no_violations(page, "the safe-contact question")

    # "Let me choose" with the times the wrong way round: told beside the field.
    fill_in(page, {k: v for k, v in ANSWERS["safe-contact"].items() if k != "safe_times_choice"})
    page.get_by_label("Let me choose").check()
    page.get_by_label("Tuesday").check()
    page.get_by_label("From", exact=True).fill("17:00")
    page.get_by_label("To", exact=True).fill("09:00")
    press(page, "Continue")
    error = page.locator("#id_safe_to_error")
    assert "The end time must be later than the start time." in error.inner_text()
    assert page.get_by_label("Tuesday").is_checked()  # what they chose is still there
    no_violations(page, "the safe-contact question with an error")
    keep_screenshot(page, "safe-times-error-phone")

    # They choose weekday daytimes instead.
    page.get_by_label(DAYTIMES).check()
    press(page, "Continue")
    fill_in(page, ANSWERS["agreement"])
    press(page, "Continue")
    check = page.locator("main").inner_text()
    assert "Monday to Friday, 9am to 5pm" in check
    assert "You also said: Weekday mornings" in check
    no_violations(page, "the check page")
    press(page, "Send")
    assert page.get_by_role("heading", name="Request sent").is_visible()
    phone.close()

    referral = Referral.objects.get(organisation=organisation_a)
    staff = desk(browser, live_server, caseworker_a)
    staff.goto(live_server.url + reverse("referrals:detail", kwargs={"referral_id": referral.pk}))
    panel = staff.locator("#safe-contact-heading").locator("..")
    assert "Monday to Friday, 9am to 5pm" in panel.inner_text()
    assert "Only a note" not in panel.inner_text()
    staff.context.close()


def test_a_caseworker_turns_a_note_into_safe_times(
    browser, live_server, organisation_a, caseworker_a
):
    referral = make_referral(organisation_a)
    safe = SafeContact.objects.get(referral=referral)
    safe.safe_times = "Weekday mornings, never weekends"
    safe.save()

    page = desk(browser, live_server, caseworker_a)
    page.goto(live_server.url + reverse("referrals:queue"))
    marker = page.get_by_text("Only a note: turn it into safe times")
    assert marker.count() == 1
    no_violations(page, "the queue with a marker")
    page.get_by_role("link", name=re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")).first.click()
    page.get_by_role("link", name=re.compile("Change safe contact")).click()
    assert "Weekday mornings, never weekends" in page.locator("main").inner_text()
    no_violations(page, "the safe-contact editor")

    # A row that does not pass is explained beside it.
    first = page.get_by_role("group", name="Time 1")
    first.get_by_label("Day").select_option("monday")
    first.get_by_label("From").fill("12:00")
    first.get_by_label("To").fill("09:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Save safe contact").click()
    assert (
        "The end time must be later than the start time."
        in page.locator("#id_windows-0-ends_error").inner_text()
    )
    no_violations(page, "the safe-contact editor with an error")

    for number, day in enumerate(("monday", "tuesday", "wednesday"), start=1):
        row = page.get_by_role("group", name=f"Time {number}")
        row.get_by_label("Day").select_option(day)
        row.get_by_label("From").fill("09:00")
        row.get_by_label("To").fill("12:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Save safe contact").click()
    panel = page.locator("#safe-contact-heading").locator("..")
    assert "Monday to Wednesday, 9am to midday" in panel.inner_text()
    assert "Only a note" not in panel.inner_text()
    page.goto(live_server.url + reverse("referrals:queue"))
    assert page.get_by_text("Only a note: turn it into safe times").count() == 0
    page.context.close()


def test_a_person_chooses_days_and_times_on_their_support_page(
    browser, live_server, organisation_a
):
    referral = make_referral(organisation_a, phone="07911 123456", safe_channels=["email"])
    phone = browser.new_context(
        viewport=PHONE, locale="en-GB", timezone_id="Europe/London", bypass_csp=True
    )
    page = phone.new_page()
    page.goto(live_server.url + links.participant_url(referral))
    page.wait_for_url("**/support/")
    section = page.locator("#how-to-reach-you")
    assert section.get_by_label("Any time").is_checked()
    section.get_by_label("Let me choose").check()
    section.get_by_label("Saturday").check()
    section.get_by_label("From", exact=True).fill("10:00")
    section.get_by_label("To", exact=True).fill("13:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Save how we contact you").click()
    assert (
        "We will contact you only as you have said" in page.locator(".notifications").inner_text()
    )
    assert SafeContact.objects.get(referral=referral).windows.describe() == "Saturday, 10am to 1pm"
    assert page.locator("#how-to-reach-you").get_by_label("Saturday").is_checked()
    no_violations(page, "the support page with safe times chosen")

    section = page.locator("#how-to-reach-you")
    section.get_by_label("To", exact=True).fill("08:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Save how we contact you").click()
    assert page.locator(".error-summary").is_visible()
    no_violations(page, "the support page with a safe-times error")
    keep_screenshot(page, "safe-times-support-page-error")
    phone.close()
