"""No admin page shows a second factor's secret: not a TOTP key (hex or base32), not a
backup code, not a passkey's credential. Even a superuser with a verified second factor
could otherwise copy a colleague's authenticator and act as them."""

import base64
import contextlib
import hashlib
import os

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp_webauthn.models import WebAuthnCredential

from tests.conftest import sign_in
from tests.factories import TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

SECOND_FACTOR_APPS = {"otp_totp", "otp_static", "otp_hotp", "otp_email", "otp_webauthn"}


@pytest.fixture
def superuser_client():
    superuser = UserFactory(email="platform@admin.example", is_staff=True, is_superuser=True)
    return sign_in(Client(), superuser)


@pytest.fixture
def colleague_secrets():
    """A staff member's authenticator, backup codes and passkey, and every form of each
    secret that could be copied from a page."""
    colleague = UserFactory(email="colleague@charity.example")
    totp = TOTPDeviceFactory(user=colleague)
    backup = StaticDevice.objects.create(user=colleague, name="backup", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(3)]
    for code in codes:
        backup.token_set.create(token=code)
    credential_id, public_key = os.urandom(32), os.urandom(77)
    passkey = WebAuthnCredential.objects.create(
        user=colleague,
        name="Passkey",
        confirmed=True,
        credential_id=credential_id,
        credential_id_sha256=hashlib.sha256(credential_id).hexdigest(),
        public_key=public_key,
    )
    base32 = base64.b32encode(totp.bin_key).decode()
    secrets = {
        "totp key (hex)": totp.key,
        "totp key (base32)": base32.rstrip("="),
        "totp key (base32, spaced)": " ".join(base32[i : i + 4] for i in range(0, 32, 4)),
        "passkey credential id (hex)": credential_id.hex(),
        "passkey public key (hex)": public_key.hex(),
        **{f"backup code {n}": code for n, code in enumerate(codes)},
    }
    return {"devices": [totp, backup, passkey], "secrets": secrets}


def _assert_no_secret(page: str, secrets: dict, url: str) -> None:
    shown = [name for name, secret in secrets.items() if secret.lower() in page.lower()]
    assert not shown, f"{url} shows {shown}"


def _admin_url(model, view: str, **kwargs) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", **kwargs)


def _admin_urls_for(model, obj) -> list[str]:
    urls = [_admin_url(model, "changelist")]
    if obj is not None:
        for view in ("change", "delete", "history"):
            urls.append(_admin_url(model, view, args=[obj.pk]))
        # django-otp's own extra pages for a TOTP device: its setup page and QR code.
        for view in ("config", "qrcode"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(_admin_url(model, view, kwargs={"pk": obj.pk}))
    return urls


def test_a_totp_device_page_does_not_show_its_key(superuser_client, colleague_secrets):
    [totp, *_] = colleague_secrets["devices"]
    url = reverse("admin:otp_totp_totpdevice_change", args=[totp.pk])
    response = superuser_client.get(url)
    assert response.status_code == 200
    _assert_no_secret(response.content.decode(), colleague_secrets["secrets"], url)


def test_no_admin_page_of_any_registered_model_shows_a_second_factor_secret(
    superuser_client, colleague_secrets
):
    """Walks every model registered in the admin, so a second-factor model or inline
    registered later is checked too."""
    secrets = colleague_secrets["secrets"]
    by_model = {type(device): device for device in colleague_secrets["devices"]}
    pages = 0
    for model in admin.site._registry:
        for url in _admin_urls_for(model, by_model.get(model)):
            response = superuser_client.get(url)
            assert response.status_code in (200, 302, 403, 404), url
            _assert_no_secret(response.content.decode(), secrets, url)
            pages += 1
    assert pages > 20


def test_second_factor_devices_cannot_be_added_in_the_admin(superuser_client):
    """Only the person themselves sets up a second factor, by scanning their own code: an
    administrator who chose the key would know it."""
    second_factor_models = [
        model for model in admin.site._registry if model._meta.app_label in SECOND_FACTOR_APPS
    ]
    assert second_factor_models
    for model in second_factor_models:
        assert superuser_client.get(_admin_url(model, "add")).status_code == 403
