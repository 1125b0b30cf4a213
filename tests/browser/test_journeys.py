"""Whole journeys in a real browser, under the strict Content-Security-Policy, with
screenshots of the key pages kept in test-results/screenshots/:

- a family member refers themselves, page by page, and gets a reference;
- a referral goes from triage to an initial call, an offer, the person confirming
  through their private link, the roster and the register;
- a caseworker sends a resource pack and the person opens it.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Attendance, Booking
from peergroups.services import call_slot_publish
from referrals import links
from referrals.models import Referral
from resources.models import Delivery
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.self_referral import answer_questions, form_url, press
from tests.browser.test_api_pages import console_errors
from tests.factories import GroupFactory, session_today
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral
from tests.referrals.test_self_referral import ANSWERS

pytestmark = pytest.mark.django_db(transaction=True)


def no_policy_refusals(errors: list[str]) -> None:
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_a_family_member_refers_themselves(page, live_server, organisation_a):
    errors = console_errors(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(form_url(live_server, organisation_a))
    keep_screenshot(page, "self-referral-start")
    press(page, "Start now")
    for step, answers in ANSWERS.items():
        if step == "safe-contact":
            keep_screenshot(page, "self-referral-safe-contact")
        answer_questions(page, answers={step: answers})
    keep_screenshot(page, "self-referral-check")
    assert page.get_by_text("Pat Doe").is_visible()
    press(page, "Send")
    assert page.url == form_url(live_server, organisation_a)
    keep_screenshot(page, "self-referral-done")
    reference = page.locator(".reference").inner_text().strip()
    referral = Referral.objects.get(organisation=organisation_a)
    assert reference == referral.reference  # the one form, NW8X-BDR5, as stored
    assert referral.full_name == "Pat Doe" and referral.safe_contact.safe_channels == ["email"]
    no_policy_refusals(errors)


def test_from_triage_to_the_register(
    page, browser, live_server, organisation_a, caseworker_a, facilitator_a
):
    errors = console_errors(page)
    person = make_referral(organisation_a, full_name="Robin Example")
    group = GroupFactory(organisation=organisation_a, title="Tuesday evening group")
    group.facilitators.add(facilitator_a)
    # Starting in 10 minutes: its register is open (from 15 minutes before the start).
    session = session_today(group, minutes_from_now=10)
    tomorrow = timezone.now() + timedelta(days=1)
    call_slot_publish(
        facilitator=facilitator_a,
        organisation=organisation_a,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(minutes=30),
    )

    # Each person in their own browser: a code from an authenticator app works once, so
    # nobody signs in twice within the same 30 seconds.
    their_desk = browser.new_context(locale="en-GB")
    facilitator = their_desk.new_page()
    facilitator_errors = console_errors(facilitator)

    # Triage: the caseworker takes the referral, records the first call, books an
    # initial call with a facilitator.
    sign_in_through_browser(page, live_server, caseworker_a)
    page.goto(live_server.url + reverse("referrals:queue"))
    keep_screenshot(page, "queue")
    page.get_by_role("link", name=re.compile(person.reference[:4])).first.click()
    page.wait_for_url(f"**/{person.pk}/")
    page.get_by_role("button", name="Assign to me").click()
    page.locator("[name='channel'][value='call']").check()
    page.locator("[name='outcome'][value='reached']").check()
    page.fill("[name='note']", "Talked through what the group is like.")
    page.get_by_role("button", name="Save contact attempt").click()
    keep_screenshot(page, "referral")
    page.get_by_role("link", name="Book or move an initial call").click()
    page.locator("[name='slot']").first.check()
    page.get_by_role("button", name="Book the call").click()
    page.wait_for_url(f"**/{person.pk}/")

    # The facilitator has the call and records that a group suits them.
    sign_in_through_browser(facilitator, live_server, facilitator_a)
    facilitator.goto(live_server.url + reverse("groups:calls"))
    facilitator.select_option("select[name='outcome']", "suitable_for_group")
    facilitator.get_by_role("button", name="Save outcome").click()
    facilitator.wait_for_load_state()

    # The caseworker offers a place.
    page.goto(live_server.url + reverse("groups:offer", kwargs={"referral_id": person.pk}))
    page.get_by_label(re.compile("Tuesday evening group")).check()
    page.get_by_role("button", name="Offer the place").click()
    page.wait_for_url(f"**/{person.pk}/")
    assert Booking.objects.get(referral=person).state == "offered"

    # The person accepts through their private link, on their phone.
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    theirs = phone.new_page()
    theirs.goto(live_server.url + links.participant_url(person))
    keep_screenshot(theirs, "participant-offer")
    theirs.get_by_role("button", name="Accept the place").click()
    theirs.wait_for_load_state()
    keep_screenshot(theirs, "participant-confirmed")
    phone.close()
    assert Booking.objects.get(referral=person).state == "confirmed"

    # The facilitator sees them on the roster and takes the register.
    facilitator.goto(live_server.url + reverse("groups:session", kwargs={"session_id": session.pk}))
    assert facilitator.get_by_role("heading", name=re.compile("Robin Example")).is_visible()
    keep_screenshot(facilitator, "register")
    facilitator.get_by_role("button", name=re.compile(f"^Attended .*{person.reference}")).click()
    facilitator.wait_for_load_state()
    assert Attendance.objects.get(session=session, booking__referral=person).status == "attended"
    their_desk.close()
    no_policy_refusals(errors + facilitator_errors)


def test_a_pack_is_sent_and_opened(page, browser, live_server, organisation_a, caseworker_a):
    call_command("load_library", verbosity=0)
    errors = console_errors(page)
    person = make_referral(organisation_a, full_name="Jo Example", stage="on_bail")
    sign_in_through_browser(page, live_server, caseworker_a)
    page.goto(
        live_server.url + reverse("resources-staff:pack-send", kwargs={"referral_id": person.pk})
    )
    keep_screenshot(page, "pack-send")
    page.get_by_role("button", name="Preview what they will see").click()
    keep_screenshot(page, "pack-preview")
    mail.outbox.clear()
    page.get_by_role("button", name="Send the pack").click()
    page.wait_for_load_state()
    delivery = Delivery.objects.get(referral=person)
    assert delivery.first_opened_at is None

    deliver_all()  # anything still queued goes now, as a worker would send it
    links_sent = [
        match
        for message in mail.outbox
        for match in re.findall(r"/information/pack/[^\s\"<>]+/", message.body)
    ]
    assert links_sent, "the pack's private link went out by a safe channel"
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    theirs = phone.new_page()
    theirs.goto(live_server.url + links_sent[0])
    assert theirs.get_by_role("heading", name=delivery.title).first.is_visible()
    keep_screenshot(theirs, "pack-opened")
    phone.close()
    delivery.refresh_from_db()
    assert delivery.first_opened_at is not None and delivery.open_count == 1
    no_policy_refusals(errors)
