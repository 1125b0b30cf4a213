"""A facilitator finishes a course in the browser: the group page offers it, the
confirmation lists who will be marked completed and needs the box ticked, and then every
place is completed. The "at exit" questions message goes to each person by email (the way
they said is safe); its link opens their support page on a phone, where the questions
wait. Then a meeting whose Zoom update failed shows the error in plain words and the next
try, and "Try again now" queues a try that the worker makes. axe-core finds nothing on
any page, at desktop and phone widths."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from peergroups import tasks
from peergroups.meetings import session_meeting_sync
from peergroups.models import Booking, Session, ZoomAccount
from portal.outcomes.models import OutcomeSchedule
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.peergroups.fake_zoom import FakeZoom
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
SUPPORT_LINK = re.compile(r"https?://[^\s\"<>]+(/support/[A-Za-z0-9_-]{43}/)")


def no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}:\n{format_violations(violations)}"


def test_a_facilitator_finishes_a_course_and_the_exit_questions_reach_the_family(
    axe_page,
    browser,
    live_server,
    settings,
    organisation_a,
    facilitator_a,
    shipped_questionnaires,
):
    settings.PORTAL_BASE_URL = live_server.url
    wellbeing = shipped_questionnaires["ons4-wellbeing"]
    OutcomeSchedule.objects.create(
        organisation=organisation_a, questionnaire=wellbeing, at_intake=False, at_exit=True
    )
    group = GroupFactory(organisation=organisation_a, title="Thursday group", format="in_person")
    group.facilitators.add(facilitator_a)
    people = [make_referral(organisation_a) for _ in range(2)]
    for person in people:
        Booking.objects.create(
            group=group, referral=person, state="confirmed", confirmed_at=timezone.now()
        )

    sign_in_through_browser(axe_page, live_server, facilitator_a)
    group_url = live_server.url + reverse("groups:detail", kwargs={"group_id": group.pk})
    check(axe_page, group_url)
    axe_page.set_viewport_size({"width": 1280, "height": 900})
    axe_page.goto(group_url)
    axe_page.get_by_role("link", name="Finish the course").last.click()
    axe_page.wait_for_url("**/finish/")
    listed = axe_page.locator("main table").inner_text()
    for person in people:
        assert person.reference in listed
    no_violations(axe_page, "the confirmation")

    # Without the box ticked nothing changes, and the error is beside the box.
    axe_page.get_by_role("button", name="Mark all 2 completed").click()
    assert axe_page.locator(".error-summary").is_visible()
    assert "Tick the box" in axe_page.locator("#confirm-finish-error").inner_text()
    no_violations(axe_page, "the confirmation with its error")
    assert not Booking.objects.filter(state="completed").exists()

    axe_page.get_by_label("Everyone listed has finished the course").check()
    axe_page.get_by_role("button", name="Mark all 2 completed").click()
    axe_page.wait_for_url(f"**/groups/{group.pk}/")
    assert "Course finished: 2 places marked completed" in axe_page.inner_text(".notifications")
    assert axe_page.get_by_role("heading", name="Places that have ended").is_visible()
    no_violations(axe_page, "the group page after finishing")
    keep_screenshot(axe_page, "course-finished")
    assert Booking.objects.filter(group=group, state="completed").count() == 2

    # The messages go as a worker sends them: by email, the way each said is safe.
    deliver_all()
    sent = [m for m in mail.outbox if m.subject == "A few optional questions"]
    assert sorted(m.to[0] for m in sent) == sorted(p.email for p in people)
    first = next(m for m in sent if m.to == [people[0].email])
    [link] = SUPPORT_LINK.findall(first.body)

    phone = browser.new_context(
        viewport=PHONE, locale="en-GB", timezone_id="Europe/London", bypass_csp=True
    )
    page = phone.new_page()
    page.goto(live_server.url + link)
    page.wait_for_url("**/support/")
    questions = page.locator("#questions")
    assert questions.get_by_role("heading", name=wellbeing.title).is_visible()
    no_violations(page, "the support page with the exit questions")
    keep_screenshot(page, "support-page-exit-questions")
    questions.get_by_role("link", name=re.compile("Answer the questions")).click()
    assert f"/support/questions/{wellbeing.pk}/exit/" in page.url
    no_violations(page, "the exit questions")
    phone.close()


@pytest.fixture
def zoom(settings):
    cache.clear()
    fake = FakeZoom().start()
    settings.ZOOM_API_BASE = f"{fake.url}/v2"
    settings.ZOOM_OAUTH_URL = f"{fake.url}/oauth/token"
    yield fake
    fake.stop()


def test_a_failed_zoom_update_shows_its_retry_and_try_again_now_works(
    axe_page, live_server, zoom, organisation_a, facilitator_a
):
    ZoomAccount.objects.create(
        organisation=organisation_a, account_id="acct", client_id="client", client_secret="s"
    )
    group = GroupFactory(organisation=organisation_a, format="zoom")
    group.facilitators.add(facilitator_a)
    start = timezone.now() + timedelta(days=2)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), sync_state="pending"
    )
    zoom.fail_next("POST", "/v2/users/me/meetings", 400)
    session_meeting_sync(session_id=session.pk)

    sign_in_through_browser(axe_page, live_server, facilitator_a)
    url = live_server.url + reverse("groups:session", kwargs={"session_id": session.pk})
    check(axe_page, url)
    axe_page.set_viewport_size({"width": 1280, "height": 900})
    axe_page.goto(url)
    panel = axe_page.locator("#zoom")
    assert "Zoom update failed." in panel.inner_text()
    assert "Zoom refused the change." in panel.inner_text()
    assert "will try again by itself at" in panel.inner_text()
    keep_screenshot(axe_page, "zoom-update-failed")

    asked = len(zoom.requests)
    axe_page.get_by_role("button", name="Try again now").click()
    axe_page.wait_for_url("**#zoom")
    assert "Trying the Zoom update again now" in axe_page.inner_text(".notifications")
    assert len(zoom.requests) == asked  # the page never waits on Zoom
    assert Session.objects.get(pk=session.pk).sync_state == "pending"
    no_violations(axe_page, "the meeting page after trying again")

    # The worker makes the try it was given.
    tasks.sync_session_meeting(str(session.pk))
    axe_page.reload()
    assert "Zoom meeting up to date" in axe_page.locator("#zoom").inner_text()
    assert Session.objects.get(pk=session.pk).zoom_meeting_id in zoom.meetings
