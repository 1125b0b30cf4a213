"""A facilitator opens tomorrow's register (refused: it says when it opens, and offers no
buttons), then yesterday's: takes it, writes a session note and raises a concern; a
coordinator sees on their dashboard who raised a concern about which meeting, without the
note's words, opens the note and marks it done. axe-core on every page on the way."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Attendance, Session, SessionNote
from peergroups.services import booking_confirm, booking_offer
from portal.notifications.models import StaffTask
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = "Something said near the end worried me; I would like to talk it through."


def no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}:\n{format_violations(violations)}"


def test_register_only_once_started_then_a_note_and_a_concern_reach_the_coordinator(
    axe_page, browser, live_server, organisation_a, caseworker_a, facilitator_a, coordinator_a
):
    group = GroupFactory(organisation=organisation_a, title="Tuesday evening group")
    group.facilitators.add(facilitator_a)
    person = make_referral(organisation_a, full_name="Robin Example")
    booking_confirm(booking=booking_offer(group=group, referral=person, actor=caseworker_a))
    now = timezone.now()
    tomorrow = Session.objects.create(
        group=group, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1)
    )
    yesterday = Session.objects.create(
        group=group, starts_at=now - timedelta(days=1), ends_at=now - timedelta(days=1, hours=-1)
    )

    page = axe_page
    sign_in_through_browser(page, live_server, facilitator_a)

    # Tomorrow's register is not open: the page says when it opens and offers no buttons.
    page.goto(live_server.url + reverse("groups:session", kwargs={"session_id": tomorrow.pk}))
    closed = page.locator("#register-closed")
    assert "not open yet" in closed.inner_text()
    assert re.search(r"You can take it from \w+day \d+ \w+ at ", closed.inner_text())
    assert page.get_by_role("heading", name=re.compile("Robin Example")).is_visible()
    assert page.get_by_role("button", name=re.compile("^Attended")).count() == 0
    no_violations(page, "future register")
    keep_screenshot(page, "register-not-open-yet")

    # Yesterday's register is taken.
    page.goto(live_server.url + reverse("groups:session", kwargs={"session_id": yesterday.pk}))
    assert page.locator("#register-closed").count() == 0
    page.get_by_role("button", name=re.compile(f"^Attended .*{person.reference}")).click()
    page.wait_for_load_state()
    assert Attendance.objects.get(session=yesterday).status == "attended"
    no_violations(page, "register taken")

    # A session note, raised as a concern with the coordinators.
    page.get_by_role("textbox", name="Note").fill(WORDS)
    page.get_by_label("Something in this worries me: tell the coordinators").check()
    page.get_by_role("button", name="Save note").click()
    page.wait_for_load_state()
    assert "the coordinators have been told about your concern" in page.content()
    note = SessionNote.objects.get(session=yesterday)
    assert page.locator(f"#note-{note.pk}").get_by_text(WORDS).is_visible()
    assert page.get_by_text("Concern raised with the coordinators").is_visible()
    no_violations(page, "register with a note")
    keep_screenshot(page, "session-note-concern")
    assert StaffTask.objects.get().kind == StaffTask.Kind.CONCERN_RAISED

    # The coordinator sees it on their dashboard, in plain words and without the note's.
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    theirs = context.new_page()
    sign_in_through_browser(theirs, live_server, coordinator_a)
    theirs.goto(live_server.url + reverse("staff:dashboard"))
    concern = theirs.locator(".staff-task", has_text="raised a concern")
    assert (
        f"{facilitator_a.get_full_name()} raised a concern about the Tuesday evening group"
        in concern.inner_text()
    )
    assert WORDS not in theirs.content()
    no_violations(theirs, "coordinator dashboard with a concern")
    keep_screenshot(theirs, "dashboard-concern")
    concern.get_by_role("link", name=re.compile("^Read the note")).click()
    theirs.wait_for_load_state()
    assert theirs.get_by_text(WORDS).is_visible()

    theirs.goto(live_server.url + reverse("staff:dashboard"))
    theirs.locator(".staff-task", has_text="raised a concern").get_by_role(
        "button", name=re.compile("^Mark as done")
    ).click()
    theirs.wait_for_load_state()
    assert "raised a concern" not in theirs.content()
    assert StaffTask.objects.get().done_at is not None
    context.close()
