"""Passkeys as a second factor: adding one needs the password again, a coordinator can
require them, and a session verified with an app code is then sent to use a passkey."""

import hashlib
import os

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.models import WebAuthnCredential

from portal.audit.models import AuditEvent
from tests.conftest import current_totp, sign_in
from tests.factories import PASSWORD, TOTPDeviceFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("staff:dashboard")
REQUIRED = reverse("accounts:passkey-required")
BEGIN_REGISTRATION = reverse("otp_webauthn:credential-registration-begin")


def a_passkey(user) -> WebAuthnCredential:
    credential_id = os.urandom(32)
    return WebAuthnCredential.objects.create(
        user=user,
        name="Test passkey",
        confirmed=True,
        credential_id=credential_id,
        credential_id_sha256=hashlib.sha256(credential_id).hexdigest(),
        public_key=os.urandom(64),
    )


def security_url(organisation):
    return reverse("staff:security", kwargs={"organisation_id": organisation.pk})


def require_passkeys(client, organisation, coordinator, django_capture_on_commit_callbacks):
    sign_in(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(security_url(organisation), {"require_passkeys": "on"})
    assert response.status_code == 302
    client.logout()


def test_a_coordinator_requires_passkeys_and_it_is_audited(
    client, organisation_a, coordinator_a, caseworker_a, django_capture_on_commit_callbacks
):
    a_passkey(caseworker_a)
    sign_in(client, coordinator_a)
    page = client.get(security_url(organisation_a)).content.decode()
    assert "Who has a passkey" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(security_url(organisation_a), {"require_passkeys": "on"})
    organisation_a.refresh_from_db()
    assert organisation_a.require_passkeys
    assert AuditEvent.objects.filter(
        organisation=organisation_a, detail__change="passkeys required"
    ).exists()


def test_only_a_coordinator_can_change_the_requirement(client, organisation_a, caseworker_a):
    sign_in(client, caseworker_a)
    assert client.post(security_url(organisation_a), {"require_passkeys": "on"}).status_code == 404
    organisation_a.refresh_from_db()
    assert not organisation_a.require_passkeys


def test_a_session_verified_with_a_code_is_sent_to_use_a_passkey_once_required(
    client, organisation_a, coordinator_a, caseworker_a, django_capture_on_commit_callbacks
):
    # Signed in with an app code before the coordinator changes the policy.
    sign_in(client, caseworker_a)
    assert client.get(DASHBOARD).status_code == 200

    require_passkeys(Client(), organisation_a, coordinator_a, django_capture_on_commit_callbacks)

    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(REQUIRED)
    assert "Add a passkey" in client.get(REQUIRED).content.decode()
    # JSON callers get a 403 rather than a redirect.
    assert client.get(DASHBOARD, HTTP_ACCEPT="application/json").status_code == 403


def test_the_requirement_survives_the_cache_being_emptied(
    client, organisation_a, coordinator_a, caseworker_a, django_capture_on_commit_callbacks
):
    """The cache only says when to look again; an emptied cache (a restart, an eviction)
    means look again, never "nothing changed"."""
    cache.clear()
    sign_in(client, caseworker_a)
    assert client.get(DASHBOARD).status_code == 200

    require_passkeys(Client(), organisation_a, coordinator_a, django_capture_on_commit_callbacks)
    cache.clear()

    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(REQUIRED)


def test_the_requirement_holds_when_the_cache_cannot_keep_anything(
    client, organisation_a, coordinator_a, caseworker_a, django_capture_on_commit_callbacks
):
    sign_in(client, caseworker_a)
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ):
        require_passkeys(
            Client(), organisation_a, coordinator_a, django_capture_on_commit_callbacks
        )
        response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(REQUIRED)


def test_a_session_verified_with_a_passkey_goes_through(
    client, organisation_a, coordinator_a, caseworker_a, django_capture_on_commit_callbacks
):
    require_passkeys(client, organisation_a, coordinator_a, django_capture_on_commit_callbacks)
    passkey = a_passkey(caseworker_a)
    client.force_login(caseworker_a, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey.persistent_id
    session.save()
    assert client.get(DASHBOARD).status_code == 200


def test_someone_outside_the_organisation_is_not_affected(
    client, organisation_a, coordinator_a, caseworker_b, django_capture_on_commit_callbacks
):
    require_passkeys(client, organisation_a, coordinator_a, django_capture_on_commit_callbacks)
    sign_in(client, caseworker_b)
    assert client.get(DASHBOARD).status_code == 200


def test_the_code_page_offers_the_passkey_to_someone_who_has_one(client, caseworker_a):
    a_passkey(caseworker_a)
    TOTPDeviceFactory(user=caseworker_a)
    client.post(reverse("account_login"), {"login": caseworker_a.email, "password": PASSWORD})
    page = client.get(reverse("accounts:two-factor-verify")).content.decode()
    assert 'id="passkey-verification-button"' in page
    assert 'id="otp_webauthn_config"' in page


def test_adding_a_passkey_needs_the_password_again(client, caseworker_a):
    sign_in(client, caseworker_a)
    # Signed in long ago (no recent password): the ceremony will not start.
    refused = client.post(BEGIN_REGISTRATION, content_type="application/json")
    assert refused.status_code in (302, 401)
    assert "challenge" not in refused.content.decode()
    asked = client.get(reverse("accounts:passkey-add"))
    assert asked.status_code == 302 and "/accounts/reauthenticate/" in asked["Location"]


def test_after_the_password_again_the_ceremony_starts(client, caseworker_a):
    device = TOTPDeviceFactory(user=caseworker_a)
    client.post(reverse("account_login"), {"login": caseworker_a.email, "password": PASSWORD})
    client.post(reverse("accounts:two-factor-verify"), {"code": current_totp(device)})
    asked = client.get(reverse("accounts:passkey-add"))
    resumed = client.post(asked["Location"], {"password": PASSWORD}, follow=True)
    assert "Add a passkey" in resumed.content.decode()
    response = client.post(BEGIN_REGISTRATION, content_type="application/json")
    assert response.status_code == 200
    options = response.json()
    assert options["rp"]["id"] == "localhost" and options["challenge"]
    assert client.get(reverse("accounts:passkey-add")).status_code == 200


def test_a_failed_passkey_check_is_audited(client, caseworker_a):
    TOTPDeviceFactory(user=caseworker_a)
    client.post(reverse("account_login"), {"login": caseworker_a.email, "password": PASSWORD})
    response = client.post(
        reverse("otp_webauthn:credential-authentication-complete"),
        data="{}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert AuditEvent.objects.filter(
        actor=caseworker_a, action=AuditEvent.Action.TWO_FACTOR_FAILED, detail__method="passkey"
    ).exists()


def test_the_last_passkey_cannot_be_removed_while_they_are_required(
    client, organisation_a, coordinator_a, caseworker_a, django_capture_on_commit_callbacks
):
    require_passkeys(client, organisation_a, coordinator_a, django_capture_on_commit_callbacks)
    passkey = a_passkey(caseworker_a)
    client.post(reverse("account_login"), {"login": caseworker_a.email, "password": PASSWORD})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey.persistent_id
    session.save()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    remove = reverse("accounts:passkey-remove", kwargs={"passkey_id": passkey.pk})
    response = client.post(remove, follow=True)
    assert "add another before removing" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()

    second = a_passkey(caseworker_a)
    client.post(remove)
    assert list(WebAuthnCredential.objects.filter(user=caseworker_a)) == [second]


def test_nobody_can_remove_someone_elses_passkey(client, caseworker_a, coordinator_a):
    theirs = a_passkey(coordinator_a)
    client.post(reverse("account_login"), {"login": caseworker_a.email, "password": PASSWORD})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = a_passkey(caseworker_a).persistent_id
    session.save()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("accounts:passkey-remove", kwargs={"passkey_id": theirs.pk}))
    assert response.status_code == 404
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()
