"""The family's support page on a 375 px phone, in Chromium, as the family meets it: they
refer themselves, open the link in the acknowledgement (read from the outbox), book a
first call from the open times, change their safe times and see the booking on their
page; then the caseworker sees each change on the referral's timeline. axe-core finds
nothing on the support page, the code page or the caseworker's pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from peergroups.models import InitialCallSlot
from referrals.models import Referral, SafeContact
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.self_referral import answer_questions, form_url, press
from tests.browser.test_api_pages import console_errors
from tests.peergroups.support_states import call_slot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
SUPPORT_LINK = re.compile(r"https?://[^\s\"<>]+(/support/[A-Za-z0-9_-]{43}/)")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}:\n{format_violations(violations)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{where} scrolls sideways ({width}px)"


def test_a_family_books_a_call_and_changes_their_safe_times_from_their_support_page(
    browser, live_server, settings, organisation_a, facilitator_a, caseworker_a
):
    settings.PORTAL_BASE_URL = live_server.url
    first, _second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )

    # They refer themselves on their phone; the acknowledgement goes by email, the way
    # they said is safe.
    phone = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
    page = phone.new_page()
    errors = console_errors(page)
    page.goto(form_url(live_server, organisation_a))
    press(page, "Start now")
    answer_questions(page)
    press(page, "Send")
    assert page.locator(".reference").first.is_visible()
    assert page.get_by_text("private support page").is_visible()
    referral = Referral.objects.get(organisation=organisation_a)
    [acknowledgement] = mail.outbox
    [link] = SUPPORT_LINK.findall(acknowledgement.body)

    # They open the link from the message: the secret is swapped for a grant and left
    # out of the address.
    page.goto(live_server.url + link)
    page.wait_for_url("**/support/")
    assert page.get_by_role("heading", name="Your support page").is_visible()
    where = page.locator("#where-things-stand")
    assert "We have your request." in where.inner_text()
    due = referral.first_contact_due
    assert f"by {due:%A} {due.day} {due:%B}" in where.inner_text()
    keep_screenshot(page, "support-page-received")

    # They book the first time offered.
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Book my call for")).first.click()
    assert "Your call is booked for" in page.locator(".notifications").inner_text()
    assert InitialCallSlot.objects.get(pk=first.pk).referral_id == referral.pk

    # They change their safe times.
    page.get_by_label(re.compile("days or times that are safe")).fill("Weekday mornings only")
    with page.expect_navigation():
        page.get_by_role("button", name="Save how we contact you").click()
    said = page.locator(".notifications").inner_text()
    assert "We will contact you only as you have said" in said
    assert SafeContact.objects.get(referral=referral).safe_times == "Weekday mornings only"

    # Their page shows the booking.
    page.goto(live_server.url + reverse("peergroups:participant"))
    assert "Your first call is booked" in page.locator("#where-things-stand").inner_text()
    assert "from our team will call you at" in page.locator("#your-call").inner_text()
    assert page.get_by_label(re.compile("days or times")).input_value() == "Weekday mornings only"
    keep_screenshot(page, "support-page-call-booked")
    assert [e for e in errors if "Content Security Policy" in e] == []

    # axe, in a context that may inject it, with the same session.
    checked = browser.new_context(
        viewport=PHONE, locale="en-GB", bypass_csp=True, storage_state=phone.storage_state()
    )
    phone.close()
    axe = checked.new_page()
    axe.goto(live_server.url + reverse("peergroups:participant"))
    axe.get_by_text("Move my call to another time").click()
    axe.get_by_text("Stop all contact from us").click()
    no_violations(axe, "the support page")
    for box in axe.locator("input[name='safe_channels']:checked").all():
        box.uncheck()
    with axe.expect_navigation():
        axe.get_by_role("button", name="Save how we contact you").click()
    assert axe.locator(".error-summary").is_visible()
    no_violations(axe, "the support page with an error")
    axe.goto(live_server.url + reverse("peergroups:support-code"))
    with axe.expect_navigation():
        axe.get_by_role("button", name="Open my page").click()
    no_violations(axe, "the code page with an error")
    checked.close()

    # The caseworker sees each change on the referral's timeline.
    desk = browser.new_context(locale="en-GB", timezone_id="Europe/London", bypass_csp=True)
    staff = desk.new_page()
    sign_in_through_browser(staff, live_server, caseworker_a)
    staff.goto(live_server.url + reverse("referrals:timeline", kwargs={"referral_id": referral.pk}))
    items = staff.locator(".timeline__item")
    booked = items.filter(has_text="Initial call booked")
    assert booked.count() == 1
    assert "by them, on their support page" in booked.inner_text()
    changed = items.filter(has_text="Safe contact updated")
    assert changed.count() == 1
    assert "safe times" in changed.inner_text()
    assert "by them, on their support page" in changed.inner_text()
    keep_screenshot(staff, "support-page-timeline")
    no_violations(staff, "the referral's timeline")
    desk.close()


def test_a_caseworker_gives_the_support_page_by_phone_and_the_person_opens_it(
    browser, live_server, settings, organisation_a, caseworker_a
):
    from django.test import Client

    from tests.referrals.factories import make_referral

    settings.PORTAL_BASE_URL = live_server.url
    person = make_referral(organisation_a, email="", phone="07911 123456", safe_channels=["call"])
    desk = browser.new_context(locale="en-GB", bypass_csp=True)
    staff = desk.new_page()
    sign_in_through_browser(staff, live_server, caseworker_a)
    staff.goto(live_server.url + reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    assert staff.get_by_text("No written way to reach them is safe").is_visible()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Give the support page link by phone").click()
    codes = staff.locator(".secret code").all_inner_texts()
    address, code = codes
    assert address == live_server.url + "/support/code/"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    no_violations(staff, "the code shown to the caseworker")
    desk.close()
    assert Client().get(reverse("peergroups:participant")).status_code == 404

    phone = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    page = phone.new_page()
    page.goto(address)
    no_violations(page, "the code page")
    page.get_by_label("Your code").fill(code.lower().replace("-", " "))
    with page.expect_navigation():
        page.get_by_role("button", name="Open my page").click()
    page.wait_for_url("**/support/")
    assert page.get_by_role("heading", name="Your support page").is_visible()
    phone.close()
