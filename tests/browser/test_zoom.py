"""At 200% zoom a 1280-pixel window is 640 CSS pixels wide: key page types still fit
without scrolling sideways and pass axe-core."""

import pytest
from django.urls import reverse

from referrals import links
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import sign_in_through_browser
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)

ZOOMED = {"width": 640, "height": 450}


def fits(page, url):
    page.goto(url)
    violations = axe_violations(page)
    assert violations == [], f"{url}:\n{format_violations(violations)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= ZOOMED["width"], f"{url} scrolls sideways at 200% zoom ({width}px)"


def test_key_pages_work_at_200_percent_zoom(axe_page, live_server, organisation_a, coordinator_a):
    person = make_referral(organisation_a)
    axe_page.set_viewport_size(ZOOMED)
    for url in (
        reverse("public:home"),
        reverse("selfreferral:step", kwargs={"slug": organisation_a.slug, "step": "safe-contact"}),
        links.participant_url(person),
    ):
        fits(axe_page, live_server.url + url)
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    axe_page.set_viewport_size(ZOOMED)
    for url in (
        reverse("staff:dashboard"),
        reverse("referrals:queue"),
        reverse("referrals:detail", kwargs={"referral_id": person.pk}),
        reverse("staff:report", kwargs={"organisation_id": organisation_a.pk}),
        reverse("staff:retention", kwargs={"organisation_id": organisation_a.pk}),
    ):
        fits(axe_page, live_server.url + url)
