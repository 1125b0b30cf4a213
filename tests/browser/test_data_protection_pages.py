"""The lawful-basis page and the public privacy notice meet WCAG 2.2 AA at desktop and
phone widths."""

import pytest
from django.urls import reverse

from portal.organisations.data_protection import privacy_notice_publish
from tests.browser.helpers import sign_in_through_browser
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.django_db(transaction=True)


def test_data_protection_pages_are_accessible(axe_page, live_server, organisation_a, coordinator_a):
    privacy_notice_publish(
        organisation=organisation_a,
        version="2026-11",
        body="## Who we are\n\nWe support families.\n\n## Your rights\n\nYou can ask for a copy.",
        actor=coordinator_a,
    )
    check(axe_page, live_server.url + reverse("public:privacy-notice", args=[organisation_a.slug]))
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    check(
        axe_page,
        live_server.url
        + reverse("staff:data-protection", kwargs={"organisation_id": organisation_a.pk}),
    )


def test_the_erasure_page_is_accessible(axe_page, live_server, organisation_a, coordinator_a):
    from tests.referrals.factories import make_referral

    referral = make_referral(organisation_a)
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    check(
        axe_page, live_server.url + reverse("referrals:erase", kwargs={"referral_id": referral.pk})
    )
