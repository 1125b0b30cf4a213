"""A passkey added and then used to sign in, in a real browser with a virtual
authenticator, under the strict Content-Security-Policy."""

import pytest
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from portal.audit.models import AuditEvent
from tests.browser.helpers import sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.browser.test_api_pages import console_errors
from tests.conftest import current_totp
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def authenticator(page, live_server, settings):
    """Chromium's virtual authenticator: a passkey that answers without a person."""
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session


def test_a_passkey_is_added_after_the_password_and_then_signs_in(
    page, live_server, authenticator, caseworker_a
):
    errors = console_errors(page)
    sign_in_through_browser(page, live_server, caseworker_a)

    page.goto(live_server.url + reverse("accounts:passkey-add"))
    page.wait_for_url("**/reauthenticate/**")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/passkeys/add/")
    page.click("#passkey-register-button")
    page.wait_for_url(live_server.url + reverse("accounts:passkeys"))
    assert WebAuthnCredential.objects.filter(user=caseworker_a, confirmed=True).count() == 1
    assert page.locator("td").first.inner_text().startswith("Passkey added")

    page.locator("form[action$='/logout/'] button").first.click()
    page.goto(live_server.url + reverse("account_login"))
    page.fill("#id_login", caseworker_a.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/two-factor/verify/**")
    page.click("#passkey-verification-button")
    page.wait_for_url(live_server.url + reverse("staff:dashboard"))

    assert AuditEvent.objects.filter(
        actor=caseworker_a, action=AuditEvent.Action.TWO_FACTOR_VERIFIED, detail__method="passkey"
    ).exists()
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_the_passkey_pages_are_accessible(axe_page, live_server, caseworker_a, organisation_a):
    organisation_a.require_passkeys = True
    organisation_a.save()
    sign_in_through_browser(axe_page, live_server, caseworker_a, second_factor=False)
    axe_page.wait_for_url("**/two-factor/verify/**")
    axe_page.fill("#id_code", current_totp(caseworker_a.totpdevice_set.get()))
    axe_page.click("main button[type=submit]")
    axe_page.wait_for_url("**/passkeys/required/**")
    for name in ("accounts:passkey-required", "accounts:passkeys"):
        check(axe_page, live_server.url + reverse(name))
