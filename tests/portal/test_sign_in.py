"""Password sign-in: clear, non-revealing errors, lockout, resets that keep the second factor."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal.audit.models import AuditEvent
from portal.notifications.models import MessageLog
from portal.notifications.services import message_deliver
from portal.settings import base as base_settings
from tests.conftest import current_totp
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ATTACKER = {"REMOTE_ADDR": "198.51.100.66", "HTTP_USER_AGENT": FIREFOX_ON_WINDOWS}
ATTACKER_ELSEWHERE = {"REMOTE_ADDR": "192.0.2.200", "HTTP_USER_AGENT": "python-requests/2.32"}


def attempt(client, email, password, **where):
    return client.post(LOGIN, {"login": email, "password": password}, **where)


def lock_out(email, limit, **where):
    attacker = Client()
    for _ in range(limit + 2):
        response = attempt(attacker, email, "wrong-password", **where)
    assert response.status_code == 429
    return attacker


def notices(user=None):
    found = MessageLog.objects.filter(template="sign_in_paused")
    return found.filter(recipient_id=str(user.public_id)) if user else found


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


# --- Lockouts cannot be used to keep a person out, and the person is told -----------------


@pytest.fixture
def production_sign_in_limits(settings):
    """allauth's own sign-in limits as production has them (the test settings turn them
    off), in a fresh cache."""
    settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "elsewhere",
    [
        pytest.param(
            {"REMOTE_ADDR": "203.0.113.10", "HTTP_USER_AGENT": FIREFOX_ON_WINDOWS},
            id="another address, the same kind of browser",
        ),
        pytest.param(
            {"REMOTE_ADDR": ATTACKER["REMOTE_ADDR"], "HTTP_USER_AGENT": SAFARI_ON_IPHONE},
            id="the same address (a shared office), another browser",
        ),
    ],
)
def test_a_lockout_from_one_address_and_browser_leaves_the_person_free_elsewhere(
    production_sign_in_limits, settings, caseworker_a, elsewhere
):
    attacker = lock_out(caseworker_a.email, settings.AXES_FAILURE_LIMIT, **ATTACKER)
    assert attempt(attacker, caseworker_a.email, PASSWORD, **ATTACKER).status_code == 429
    assert "_auth_user_id" not in attacker.session

    person = Client()
    attempt(person, caseworker_a.email, PASSWORD, **elsewhere)
    assert person.session.get("_auth_user_id") == str(caseworker_a.pk)


def test_reaching_the_lockout_emails_the_account_holder_once(settings, caseworker_a):
    lock_out(caseworker_a.email, settings.AXES_FAILURE_LIMIT, **ATTACKER)
    # A second lockout elsewhere within the cool-off period is not a second email.
    lock_out(caseworker_a.email, settings.AXES_FAILURE_LIMIT, **ATTACKER_ELSEWHERE)
    [notice] = notices(caseworker_a)
    assert notice.status == MessageLog.Status.PENDING

    message_deliver(log_id=notice.pk, last_attempt=True)
    [email] = mail.outbox
    assert email.to == [caseworker_a.email]
    assert email.subject == "Someone tried to sign in to your account"
    html = email.alternatives[0][0]
    for text in (email.body, html):
        assert "paused signing in from the device they used for 15 minutes" in text
        assert "Firefox on Windows" in text
        assert "you can still sign in as usual from your own device" in text
        # Time and the kind of device only: never the address, nor what the browser sent.
        assert ATTACKER["REMOTE_ADDR"] not in text
        assert FIREFOX_ON_WINDOWS not in text
    notice.refresh_from_db()
    assert notice.status == MessageLog.Status.SENT
    assert notice.context == {}


def test_the_account_holder_is_told_again_only_after_the_cool_off(settings, caseworker_a):
    lock_out(caseworker_a.email, settings.AXES_FAILURE_LIMIT, **ATTACKER)
    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        lock_out(caseworker_a.email, settings.AXES_FAILURE_LIMIT, **ATTACKER)
    assert notices(caseworker_a).count() == 2


def test_no_email_for_an_address_with_no_account(settings, caseworker_a):
    lock_out("nobody@nowhere.example", settings.AXES_FAILURE_LIMIT, **ATTACKER)
    assert not notices().exists()
    assert mail.outbox == []


def test_a_referrer_is_told_under_a_partner_charitys_name(settings, referrer, organisation_a):
    lock_out(referrer.email, settings.AXES_FAILURE_LIMIT, **ATTACKER)
    [notice] = notices(referrer)
    assert notice.organisation == organisation_a


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_lockout_still_answers_and_the_email_waits(
    settings, caseworker_a, monkeypatch
):
    """The notice is saved as pending when the sign-in commits; the job that requeues
    stalled messages sends it once the broker is back."""
    from portal.notifications import tasks

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_message, "delay", broker_down)
    attacker = lock_out(caseworker_a.email, settings.AXES_FAILURE_LIMIT, **ATTACKER)
    assert attempt(attacker, caseworker_a.email, PASSWORD, **ATTACKER).status_code == 429
    [notice] = notices(caseworker_a)
    assert notice.status == MessageLog.Status.PENDING
