"""The questionnaire a participant answers, and the coordinator's outcome pages, meet
WCAG 2.2 AA at desktop and phone widths, with and without errors."""

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Booking
from portal.outcomes.models import OutcomeSchedule, Response
from referrals import links
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_participant_answers_the_questions_on_a_phone(
    axe_page, live_server, organisation_a, shipped_questionnaires
):
    wellbeing = shipped_questionnaires["ons4-wellbeing"]
    OutcomeSchedule.objects.create(organisation=organisation_a, questionnaire=wellbeing)
    person = make_referral(organisation_a)
    Booking.objects.create(
        group=GroupFactory(organisation=organisation_a),
        referral=person,
        state="confirmed",
        confirmed_at=timezone.now(),
    )
    # The private link opens their page (the secret is exchanged for a session grant);
    # the questions are reached from there.
    axe_page.goto(live_server.url + links.participant_url(person))
    axe_page.wait_for_url("**/support/")
    url = live_server.url + reverse(
        "peergroups:participant-questionnaire",
        kwargs={"questionnaire_id": wellbeing.pk, "time_point": "intake"},
    )
    check(axe_page, url)  # ends at 320 px
    axe_page.click("main button[type=submit]")
    assert axe_page.locator(".error-summary").is_visible()
    violations = axe_violations(axe_page)
    assert violations == [], format_violations(violations)
    for question in wellbeing.questions.all():
        axe_page.locator(f"input[name='question_{question.pk}'][value='6']").check()
    keep_screenshot(axe_page, "questionnaire-phone")
    axe_page.click("main button[type=submit]")
    axe_page.wait_for_url("**/support/")
    assert Response.objects.get(referral=person).answers.count() == 4


def test_the_coordinators_outcome_pages_are_accessible(
    axe_page, live_server, organisation_a, coordinator_a
):
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    kwargs = {"organisation_id": organisation_a.pk}
    for name in ("staff:outcomes", "staff:questionnaire-add"):
        check(axe_page, live_server.url + reverse(name, kwargs=kwargs))
