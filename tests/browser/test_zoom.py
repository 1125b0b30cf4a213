"""At 200% zoom a 1280-pixel window is 640 CSS pixels wide: key page types still fit
without scrolling sideways and pass axe-core."""

import pytest
from django.urls import reverse

from referrals import links
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import sign_in_through_browser
from tests.browser.self_referral import answer_questions, form_url, press
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)

ZOOMED = {"width": 640, "height": 450}


def fits(page, url):
    """``url``, or with None the page already open."""
    if url is not None:
        page.goto(url)
    url = url or page.url
    violations = axe_violations(page)
    assert violations == [], f"{url}:\n{format_violations(violations)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= ZOOMED["width"], f"{url} scrolls sideways at 200% zoom ({width}px)"


def test_key_pages_work_at_200_percent_zoom(axe_page, live_server, organisation_a, coordinator_a):
    person = make_referral(organisation_a)
    axe_page.set_viewport_size(ZOOMED)
    for url in (
        reverse("public:home"),
        reverse("selfreferral:start", kwargs={"slug": organisation_a.slug}),
        links.participant_url(person),
    ):
        fits(axe_page, live_server.url + url)
    # A question page, with the buttons that look like links.
    axe_page.goto(form_url(live_server, organisation_a))
    press(axe_page, "Start now")
    answer_questions(axe_page, until="safe-contact")
    fits(axe_page, None)
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
