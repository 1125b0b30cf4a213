"""The funders' report, with its charts and tables, meets WCAG 2.2 AA at desktop and
phone widths."""

import pytest
import time_machine
from django.urls import reverse

from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.reports.dataset import at, build_quarter

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_report_is_accessible(
    axe_page, live_server, organisation_a, coordinator_a, caseworker_a, facilitator_a, referrer
):
    with time_machine.travel(at(4, 15), tick=False):
        build_quarter(
            organisation_a, caseworker=caseworker_a, facilitator=facilitator_a, referrer=referrer
        )
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    url = reverse("staff:report", kwargs={"organisation_id": organisation_a.pk})
    check(axe_page, f"{live_server.url}{url}?start=2026-01-01&end=2026-03-31")
    assert axe_page.locator("svg.chart__svg").count() == 3
    axe_page.set_viewport_size({"width": 1280, "height": 900})
    keep_screenshot(axe_page, "report-desktop")
