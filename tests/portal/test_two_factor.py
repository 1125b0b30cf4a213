"""Two-factor sign-in: setup with a real TOTP code, verification, reuse, backup codes, lockout."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.services import (
    CodeRefused,
    backup_codes_regenerate,
    second_factor_verify,
)
from portal.audit.models import AuditEvent
from tests.conftest import current_totp
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two-factor-setup")
VERIFY = reverse("accounts:two-factor-verify")
DASHBOARD = reverse("staff:dashboard")


def password_sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def test_a_new_user_sets_up_an_authenticator_with_a_real_code(client):
    user = UserFactory()
    password_sign_in(client, user)
    assert client.get(DASHBOARD)["Location"].startswith(SETUP)

    page = client.get(SETUP)
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code is drawn here, not by another service
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    response = client.post(SETUP, {"code": current_totp(device)})
    assert response["Location"] == reverse("accounts:backup-codes-new")
    codes_page = client.get(response["Location"])
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", codes_page.content.decode())
    assert len(codes) == 10
    # Shown once only.
    assert client.get(reverse("accounts:backup-codes-new"))["Location"] == reverse(
        "accounts:two-factor-manage"
    )
    assert client.get(DASHBOARD).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(actor=user, action="2fa_set_up").exists()


def test_a_wrong_setup_code_is_refused_and_nothing_is_confirmed(client):
    user = UserFactory()
    password_sign_in(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(current_totp(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_a_malformed_setup_code_gets_a_clear_message(client):
    password_sign_in(client, UserFactory())
    response = client.post(SETUP, {"code": "12ab"})
    assert "The code should be 6 digits" in response.content.decode()


def test_sign_in_with_a_device_asks_for_the_code_and_accepts_the_right_one(client):
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    response = password_sign_in(client, user)
    assert client.get(response["Location"])["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": current_totp(device)})
    assert response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_verification_returns_to_the_page_asked_for_but_never_off_site(client):
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    password_sign_in(client, user)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": current_totp(device)})
    assert response["Location"] == DASHBOARD


def test_a_wrong_code_is_refused(client):
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    password_sign_in(client, user)
    wrong = f"{(int(current_totp(device)) + 500_000) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302
    assert AuditEvent.objects.filter(actor=user, action="2fa_failed").count() == 1


def test_a_code_is_accepted_only_once(client):
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    code = current_totp(device)
    password_sign_in(client, user)
    assert client.post(VERIFY, {"code": code})["Location"] == DASHBOARD
    client.post(reverse("account_logout"))

    password_sign_in(client, user)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "Codes can only be used once" in response.content.decode()


def test_a_backup_code_works_once_and_is_refused_the_second_time(client):
    user = UserFactory()
    TOTPDeviceFactory(user=user)
    codes = backup_codes_regenerate(user=user)
    password_sign_in(client, user)
    # People type codes with spaces and capitals; both are fine.
    typed = f"{codes[0][:4].upper()} {codes[0][4:]}"
    assert client.post(VERIFY, {"code": typed})["Location"] == DASHBOARD
    client.post(reverse("account_logout"))

    password_sign_in(client, user)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()


def test_repeated_wrong_codes_lock_the_device_even_for_the_right_code(client):
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    password_sign_in(client, user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        right = current_totp(device)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(3):
            client.post(VERIFY, {"code": wrong})
        response = client.post(VERIFY, {"code": right})
        assert "Too many wrong codes" in response.content.decode()
        assert client.get(DASHBOARD).status_code == 302
        # After the wait has passed, a fresh right code works again.
        traveller.shift(60)
        assert client.post(VERIFY, {"code": current_totp(device)})["Location"] == DASHBOARD


def test_the_session_id_changes_at_sign_in_and_at_verification(client):
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    password_sign_in(client, user)
    after_password = client.session.session_key
    client.post(VERIFY, {"code": current_totp(device)})
    after_code = client.session.session_key
    assert len({before, after_password, after_code}) == 3
    assert user.login_sessions.get().session_key == after_code


def test_making_new_backup_codes_stops_the_old_ones(client):
    user = UserFactory()
    old = backup_codes_regenerate(user=user)
    new = backup_codes_regenerate(user=user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with pytest.raises(CodeRefused):
            second_factor_verify(user=user, code=old[0])
        traveller.shift(2)  # past the throttle's one-second wait
        assert second_factor_verify(user=user, code=new[0]) is not None


def test_new_backup_codes_need_the_password_again(client, caseworker_a):
    from portal.accounts.selectors import backup_codes_remaining
    from tests.conftest import sign_in

    sign_in(client, caseworker_a)
    before = backup_codes_remaining(caseworker_a)  # none yet
    regenerate = reverse("accounts:backup-codes-regenerate")
    asked = client.post(regenerate)
    assert asked.status_code == 302 and "/accounts/reauthenticate/" in asked["Location"]
    assert backup_codes_remaining(caseworker_a) == before  # nothing changed yet

    wrong = client.post(asked["Location"], {"password": "not the password"})
    assert wrong.status_code == 200 and backup_codes_remaining(caseworker_a) == before

    resumed = client.post(asked["Location"], {"password": PASSWORD}, follow=True)
    assert resumed.status_code == 200
    assert backup_codes_remaining(caseworker_a) == 10
    assert "backup" in resumed.content.decode().lower()
