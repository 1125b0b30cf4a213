"""Staff sessions: 30 minutes idle, 12 hours in all, ended when a user is deactivated."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from portal.accounts.services import user_deactivate
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("staff:dashboard")


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_session_ends_after_30_minutes_idle(client, caseworker_a):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, caseworker_a)
        assert client.get(DASHBOARD).status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get(DASHBOARD).status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get(DASHBOARD).status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert signed_out(client.get(DASHBOARD))


def test_a_session_ends_after_12_hours_however_active(client, caseworker_a):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, caseworker_a)
        for _ in range(12 * 3 + 1):
            traveller.shift(timedelta(minutes=20))
            response = client.get(DASHBOARD)
        assert signed_out(response)


def test_deactivating_a_user_ends_every_session(client, caseworker_a):
    laptop = sign_in(client, caseworker_a)
    phone = sign_in(client.__class__(), caseworker_a)
    assert Session.objects.count() == 2
    user_deactivate(user=caseworker_a)
    assert Session.objects.count() == 0
    assert signed_out(laptop.get(DASHBOARD))
    assert signed_out(phone.get(DASHBOARD))


def test_unticking_active_in_the_admin_also_ends_sessions(client, caseworker_a):
    sign_in(client, caseworker_a)
    caseworker_a.is_active = False
    caseworker_a.save()
    assert signed_out(client.get(DASHBOARD))


def test_signing_out_removes_the_session(client, caseworker_a):
    sign_in(client, caseworker_a)
    client.post(reverse("account_logout"))
    assert signed_out(client.get(DASHBOARD))
    assert caseworker_a.login_sessions.count() == 0
