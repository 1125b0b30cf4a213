"""The way in, on a phone: from the home page a frightened visitor finds "Ask for support"
at once (seen without scrolling sideways, reached with the keyboard), sees how to phone or
email each service, and before starting is shown the chosen service's privacy notice.
axe-core checks every page of the walk, and the coordinator's page for the details."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}


def no_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{format_violations(violations)}"


def no_sideways_scrolling(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width}px)"


@pytest.fixture
def services(organisation_a):
    organisation_a.contact_phone = "+448081570192"
    organisation_a.contact_email = "support@northbridge.example"
    organisation_a.contact_opening_hours = "Monday to Friday, 9am to 5pm\nClosed on bank holidays"
    organisation_a.save()
    other = OrganisationFactory(
        name="Riverside Peer Network",
        contact_phone="+441134960123",
        contact_opening_hours="Tuesday to Saturday, 10am to 4pm",
    )
    return organisation_a, other


def test_from_the_home_page_to_the_privacy_notice_on_a_phone(axe_page, live_server, services):
    chosen, other = services
    page = axe_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:home"))

    # In view at once: not below the fold, not off to the side.
    route = page.locator("header [data-ask-for-support]")
    box = route.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["y"] + box["height"] <= PHONE["height"], box
    no_sideways_scrolling(page)
    assert page.get_by_text("A person will contact you within two working days").is_visible()
    keep_screenshot(page, "way-in-home-375")
    no_violations(page)

    # With the keyboard alone: a few presses of Tab from the top of the page, then Enter.
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-ask-for-support')"):
            break
    else:
        pytest.fail("Ask for support is not among the first few things Tab reaches")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + reverse("selfreferral:choose"))

    # Each service says how to phone or email it.
    for organisation, phone in ((chosen, "0808 157 0192"), (other, "0113 496 0123")):
        item = page.locator(".help-list__item", has_text=organisation.name)
        assert item.get_by_role("link", name=phone).is_visible()
    assert page.get_by_role("link", name="support@northbridge.example").is_visible()
    assert page.get_by_text("Closed on bank holidays").is_visible()
    no_sideways_scrolling(page)
    keep_screenshot(page, "way-in-choose-375")
    no_violations(page)
    # No route back to the page the visitor is on.
    assert page.locator("[data-ask-for-support]").count() == 0
    # Long email addresses wrap on the narrowest phones too.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(PHONE)

    page.get_by_role("link", name=f"Ask {chosen.name} for support").click()
    page.wait_for_url(f"**/refer/{chosen.slug}/")
    notice = page.get_by_role("link", name=f"Read how {chosen.name} looks after your information")
    assert notice.is_visible()
    assert notice.get_attribute("href") == reverse(
        "public:privacy-notice", kwargs={"slug": chosen.slug}
    )
    no_sideways_scrolling(page)
    keep_screenshot(page, "way-in-start-375")
    no_violations(page)

    notice.click()
    page.wait_for_url(f"**/privacy/{chosen.slug}/")
    assert page.get_by_role("heading", name=f"Contact {chosen.name}").is_visible()
    no_sideways_scrolling(page)
    no_violations(page)


def test_the_route_is_there_on_the_information_pages_and_an_error_page(axe_page, live_server):
    page = axe_page
    page.set_viewport_size(PHONE)
    for path in (
        reverse("public:get-help-now"),
        reverse("public:staying-safe-online"),
        reverse("resources:index"),
        "/no-such-page/",
    ):
        page.goto(live_server.url + path)
        route = page.locator("header [data-ask-for-support]")
        assert route.is_visible(), path
        assert route.get_attribute("href") == reverse("selfreferral:choose")
        no_sideways_scrolling(page)
        no_violations(page)


def test_the_coordinators_contact_details_page_is_accessible(
    axe_page, live_server, coordinator_a, organisation_a
):
    page = axe_page
    sign_in_through_browser(page, live_server, coordinator_a)
    page.goto(
        live_server.url + reverse("staff:team", kwargs={"organisation_id": organisation_a.pk})
    )
    page.get_by_role("link", name="Contact details for families").click()
    no_violations(page)
    page.fill("#id_contact_phone", "not a number")
    page.click("main button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    no_violations(page)
    page.fill("#id_contact_phone", "0113 496 0123")
    page.fill("#id_contact_opening_hours", "Monday to Friday, 9am to 5pm")
    page.click("main button[type=submit]")
    assert page.get_by_text("Contact details saved.").is_visible()
    assert page.get_by_role("link", name="0113 496 0123").is_visible()
    no_violations(page)
