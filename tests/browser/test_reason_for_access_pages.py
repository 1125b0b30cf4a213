"""The reason-for-access page (with and without errors) and the coordinators' review
list meet WCAG 2.2 AA at desktop and phone widths."""

import pytest
from django.urls import reverse

from referrals.models import Referral
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def test_reason_pages_are_accessible(
    axe_page, live_server, organisation_a, coordinator_a, facilitator_a
):
    referral = make_referral(organisation_a)
    Referral.objects.filter(pk=referral.pk).update(assigned_to=facilitator_a)
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    reason_url = live_server.url + reverse(
        "referrals:access-reason", kwargs={"referral_id": referral.pk}
    )
    check(axe_page, reason_url)
    axe_page.set_viewport_size({"width": 1280, "height": 900})
    axe_page.click("main button[type=submit]")
    assert axe_page.locator(".error-summary").is_visible()
    assert axe_violations(axe_page) == []
    axe_page.fill("#id_reason", "Reviewing the case with the caseworker")
    axe_page.click("main button[type=submit]")
    axe_page.wait_for_url(f"**/staff/referrals/{referral.pk}/")
    review = reverse("referrals:access-reasons", kwargs={"organisation_id": organisation_a.pk})
    check(axe_page, live_server.url + review)
    violations = axe_violations(axe_page)
    assert violations == [], format_violations(violations)
