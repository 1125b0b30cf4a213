"""Password sign-in: clear, non-revealing errors, lockout, resets that keep the second factor."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.audit.models import AuditEvent
from tests.conftest import current_totp
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def attempt(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def test_wrong_password_and_unknown_address_get_the_same_message(client):
    user = UserFactory()
    wrong_password = attempt(client, user.email, "not-the-password")
    unknown = attempt(client, "nobody@nowhere.example", "not-the-password")
    assert wrong_password.status_code == unknown.status_code == 200

    def error(response):
        return re.search(r'class="error-summary__list">(.*?)</ul>', response.content.decode(), re.S)

    assert error(wrong_password).group(1).strip() == error(unknown).group(1).strip()
    assert "not correct" in error(wrong_password).group(1)


def test_every_sign_in_attempt_is_logged(client):
    user = UserFactory()
    attempt(client, user.email, "wrong-password")
    attempt(client, user.email, PASSWORD)
    actions = list(AuditEvent.objects.order_by("at").values_list("action", flat=True))
    assert actions == ["sign_in_failed", "sign_in"]


def test_repeated_wrong_passwords_lock_the_account_even_with_the_right_one(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.email, "wrong-password")
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_looks_the_same_for_unknown_addresses(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = attempt(client, "nobody@nowhere.example", "wrong-password")
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()


def test_a_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "no@one.example"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert mail.outbox == []


def test_a_password_reset_never_bypasses_the_second_factor(client):
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    form_url = client.get(link.group(1))["Location"]
    new_password = "a-brand-new-long-password"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    # Not signed in by the reset.
    assert client.get(reverse("staff:dashboard"))["Location"].startswith(LOGIN)

    attempt(client, user.email, new_password)
    assert client.get(reverse("staff:dashboard"))["Location"].startswith(
        reverse("accounts:two-factor-verify")
    )
    client.post(reverse("accounts:two-factor-verify"), {"code": current_totp(device)})
    assert client.get(reverse("staff:dashboard")).status_code == 200


def test_a_tampered_reset_link_is_refused_clearly(client):
    response = client.get("/accounts/password/reset/key/zz-forged-token/", follow=True)
    assert response.status_code == 200
    assert "This link is not valid" in response.content.decode()


def test_public_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "me@example.org", "password1": "long-password-1", "password2": "long-password-1"},
    )
    assert "Accounts are by invitation" in response.content.decode()
    from portal.accounts.models import User

    assert not User.objects.filter(email="me@example.org").exists()
