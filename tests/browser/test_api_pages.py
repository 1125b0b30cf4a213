"""The API's readers work under the strict Content-Security-Policy, and the key pages
meet WCAG 2.2 AA at desktop and phone widths."""

import pytest
from django.urls import reverse

from tests.api.conftest import issue_key
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import sign_in_through_browser
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.django_db(transaction=True)


def console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


@pytest.mark.parametrize(
    ("url_name", "shows"),
    [("api:redoc", "Caseworker portal API"), ("api:swagger", "/api/v1/referrals/")],
)
def test_the_api_readers_render_from_our_own_files(page, live_server, url_name, shows):
    errors = console_errors(page)
    loaded: list[str] = []
    page.on("response", lambda response: loaded.append(response.url))
    page.goto(live_server.url + reverse(url_name))
    page.get_by_text(shows).first.wait_for(timeout=15000)
    # Nothing comes from elsewhere. (Redoc asks for its makers' logo from their site;
    # the Content-Security-Policy refuses it, and that refusal is the only one allowed.)
    elsewhere = [
        url for url in loaded if url.startswith("http") and not url.startswith(live_server.url)
    ]
    assert elsewhere == []
    refused = [e for e in errors if "Content Security Policy" in e and "cdn.redoc.ly" not in e]
    assert refused == []


def test_the_key_pages_are_accessible(
    axe_page, live_server, coordinator_a, organisation_a, police_agency
):
    issue_key(organisation_a, police_agency, coordinator_a)
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    kwargs = {"organisation_id": organisation_a.pk}
    check(axe_page, live_server.url + reverse("staff:api-keys", kwargs=kwargs))
    check(axe_page, live_server.url + reverse("staff:api-key-create", kwargs=kwargs))
    axe_page.set_viewport_size({"width": 1280, "height": 900})
    axe_page.fill("#id_name", "")
    axe_page.click("main button[type=submit]")
    assert axe_page.locator(".error-summary").is_visible()
    assert axe_violations(axe_page) == []
    axe_page.fill("#id_name", "Force case system")
    axe_page.check("#id_agency_0")
    axe_page.click("main button[type=submit]")
    assert axe_page.get_by_text("Copy it now").is_visible()
    violations = axe_violations(axe_page)
    assert violations == [], format_violations(violations)
