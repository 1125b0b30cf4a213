"""Public pages: quick exit everywhere, nothing from other sites, essential cookies only."""

import re

import pytest
from django.urls import reverse

from tests.portal.test_url_protection import PUBLIC_URL_NAMES, URLS

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    reverse(name)
    for name in (
        "public:home",
        "public:staying-safe-online",
        "public:get-help-now",
        "public:cookies",
        "account_login",
        "account_reset_password",
        "selfreferral:choose",
    )
]
PUBLIC_HTML_URLS = [url for name, url in URLS if name in PUBLIC_URL_NAMES]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_has_a_quick_exit_control(client, url):
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "data-quick-exit" in content
    assert "Exit this page" in content
    assert 'src="/static/js/quick-exit.js"' in content


@pytest.mark.parametrize("url", PUBLIC_HTML_URLS)
def test_public_urls_load_nothing_from_other_sites(client, url):
    response = client.get(url)
    content = response.content.decode(errors="replace")
    external = re.findall(r'(?:src|href)="(https?://[^"]*)"', content)
    # The only outward link is the quick exit's neutral site, used by the script.
    assert [link for link in external if "bbc.co.uk/weather" not in link] == []
    links = re.findall(r"<link[^>]*>", content)
    assert all('href="/static/' in link for link in links), links


def test_quick_exit_forgets_the_visitor_and_leaves_for_a_neutral_site(client, settings):
    session = client.session
    session["something-typed"] = "kept until exit"
    session.save()
    response = client.get(reverse("public:quick-exit"))
    assert response.status_code == 302
    assert response["Location"] == settings.QUICK_EXIT_URL
    assert '"cookies"' in response["Clear-Site-Data"]
    assert "something-typed" not in client.session


def test_quick_exit_also_works_by_post_without_a_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("public:quick-exit")).status_code == 302


def test_get_help_now_gives_the_emergency_and_helpline_numbers(client):
    content = client.get(reverse("public:get-help-now")).content.decode()
    for number in ("999", "101", "0800 1111", "116 123", "0808 1000 900", "0800 555 111"):
        assert number in content, number


@pytest.mark.parametrize(
    "url", [reverse("public:home"), reverse("account_login"), reverse("staff:dashboard")]
)
def test_pages_send_the_security_headers(client, caseworker_a, url):
    from tests.conftest import sign_in

    sign_in(client, caseworker_a)
    response = client.get(url)
    assert response.status_code == 200 or url == reverse("account_login")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


def test_only_essential_cookies_are_set(client):
    response = client.get(reverse("account_login"))
    assert set(response.cookies) <= {"portal_csrf", "portal_session"}
    for cookie in response.cookies.values():
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"


def test_unknown_pages_get_a_kind_404_with_quick_exit(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert "data-quick-exit" in content
