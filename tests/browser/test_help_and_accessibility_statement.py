"""On a 375px phone, from the home page: a visitor finds what to do if someone may harm
themselves on "Get help now", and the accessibility statement from the footer. axe-core
checks each page, and nothing scrolls sideways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import PHONE, keep_screenshot, no_sideways_scrolling, no_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_the_home_page_to_help_if_someone_may_harm_themselves(axe_page, live_server):
    page = axe_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:home"))
    no_violations(page)

    page.get_by_role("link", name="Get help now").first.click()
    page.wait_for_url(live_server.url + reverse("public:get-help-now"))
    heading = page.get_by_role(
        "heading", level=2, name="If you are worried someone may harm themselves"
    )
    heading.scroll_into_view_if_needed()
    assert heading.is_visible()
    # The ways to act are links a phone can ring or text.
    for name in ("Call 999", "Call 101", "Call 111", "116 123", "0808 1000 900"):
        assert page.get_by_role("link", name=name).first.is_visible(), name
    assert page.locator('a[href="sms:85258"]').first.is_visible()
    assert page.get_by_text("first 48 hours after an arrest").is_visible()
    assert page.get_by_text("custody sergeant").is_visible()

    # The link in words to help for the person and their family lands on its heading.
    page.get_by_role("link", name="help for the person, and for worried family and friends").click()
    assert page.url.endswith("#help-for-the-person")
    assert page.get_by_role(
        "heading", level=2, name="Help for the person, and for worried family and friends"
    ).is_visible()
    no_sideways_scrolling(page)
    keep_screenshot(page, "get-help-now-375")
    no_violations(page)


def test_from_the_home_page_to_the_accessibility_statement(axe_page, live_server, organisation_a):
    organisation_a.contact_phone = "+448081570192"
    organisation_a.contact_opening_hours = "Monday to Friday, 9am to 5pm"
    organisation_a.save()
    page = axe_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:home"))

    link = page.locator("footer").get_by_role("link", name="Accessibility")
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    link.click()
    page.wait_for_url(live_server.url + reverse("public:accessibility"))
    assert page.get_by_role("heading", level=1, name="Accessibility statement").is_visible()
    assert page.get_by_text(f"This website is run by {organisation_a.name}.").is_visible()
    assert page.get_by_role("link", name="0808 157 0192").is_visible()
    assert page.get_by_role("heading", name="Enforcement procedure").is_visible()
    no_sideways_scrolling(page)
    keep_screenshot(page, "accessibility-statement-375")
    no_violations(page)


@pytest.mark.parametrize("width", [1280, 320])
def test_the_new_pages_have_no_violations_at_any_width(
    axe_page, live_server, organisation_a, width
):
    page = axe_page
    page.set_viewport_size({"width": width, "height": 800})
    for name in (
        "public:accessibility",
        "public:privacy",
        "public:get-help-now",
        "resources:index",
    ):
        page.goto(live_server.url + reverse(name))
        violations = axe_violations(page)
        assert violations == [], f"{name} at {width}px:\n{format_violations(violations)}"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{name} scrolls sideways at {width}px ({scroll_width}px)"
