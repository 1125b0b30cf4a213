"""With Redis down or hanging, signing in, staff pages and a password reset still answer.

allauth's sign-in limits, the passkey policy's version and Zoom's tokens are kept in the
cache; Django's RedisCache raised for each of them, a 500 on every one of those pages.
These tests use the production cache backend (portal/core/cache.py) against a Redis that
refuses connections, and one that accepts them and never answers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.core import cache as outage_tolerant
from portal.settings import base as base_settings
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.production_environment import production_environment
from tests.silent_server import silent_server

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOGIN = reverse("account_login")
DASHBOARD = reverse("staff:dashboard")


def unreachable_redis_caches(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "portal.core.cache.OutageTolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def forget_outages():
    outage_tolerant._unreachable_until = 0.0
    yield
    outage_tolerant._unreachable_until = 0.0


@pytest.fixture
def redis_down(settings, forget_outages):
    """Nothing listens on port 1: every connection is refused at once."""
    settings.CACHES = unreachable_redis_caches("redis://127.0.0.1:1/1")
    # The test settings turn allauth's limits off; production counts them in the cache.
    settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS


@pytest.fixture
def redis_hanging(settings, forget_outages):
    """A server that accepts connections and never answers."""
    with silent_server() as port:
        settings.CACHES = unreachable_redis_caches(f"redis://127.0.0.1:{port}/1")
        settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS
        yield


def test_production_uses_the_cache_that_survives_redis_being_down():
    program = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "print(json.dumps(settings.CACHES['default']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout.strip().splitlines()[-1])
    assert default["BACKEND"] == "portal.core.cache.OutageTolerantRedisCache"
    assert default["LOCATION"] == "redis://redis:6379/1"
    assert default["OPTIONS"]["socket_timeout"] == base_settings.CACHE_SOCKET_TIMEOUT_SECONDS


def test_signing_in_works_with_redis_down(redis_down, caseworker_a):
    person = Client(raise_request_exception=False)
    assert person.get(LOGIN).status_code == 200
    wrong = person.post(LOGIN, {"login": caseworker_a.email, "password": "not-it"})
    assert wrong.status_code == 200
    assert "not correct" in wrong.content.decode()
    right = person.post(LOGIN, {"login": caseworker_a.email, "password": PASSWORD})
    assert right.status_code == 302
    assert person.session.get("_auth_user_id") == str(caseworker_a.pk)


def test_wrong_passwords_still_lock_out_with_redis_down(redis_down, settings, caseworker_a):
    """django-axes keeps its count in the database, so the lockout holds."""
    attacker = Client(raise_request_exception=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(LOGIN, {"login": caseworker_a.email, "password": "not-it"})
    locked = attacker.post(LOGIN, {"login": caseworker_a.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in attacker.session


def test_staff_pages_answer_with_redis_down(redis_down, caseworker_a):
    client = sign_in(Client(raise_request_exception=False), caseworker_a)
    assert client.get(DASHBOARD).status_code == 200


def test_passkeys_required_is_still_enforced_with_redis_down(
    redis_down, organisation_a, caseworker_a
):
    """With no policy version to be had, the database is read on every request."""
    client = sign_in(Client(raise_request_exception=False), caseworker_a)
    organisation_a.require_passkeys = True
    organisation_a.save(update_fields=["require_passkeys"])
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:passkey-required"))


def test_a_password_reset_is_sent_with_redis_down(redis_down, caseworker_a):
    response = Client(raise_request_exception=False).post(
        reverse("account_reset_password"), {"email": caseworker_a.email}
    )
    assert response.status_code == 302
    assert [email.to for email in mail.outbox] == [[caseworker_a.email]]


def test_a_hanging_redis_costs_one_timeout_not_one_per_cache_call(redis_hanging, caseworker_a):
    person = Client(raise_request_exception=False)
    started = time.monotonic()
    right = person.post(LOGIN, {"login": caseworker_a.email, "password": PASSWORD})
    assert right.status_code == 302
    # allauth alone makes eight cache calls for a sign-in: one 0.5 s timeout, then none.
    assert time.monotonic() - started < 2.5


def test_an_outage_is_logged_without_the_servers_address(redis_down, caseworker_a, caplog):
    Client(raise_request_exception=False).post(
        LOGIN, {"login": caseworker_a.email, "password": PASSWORD}
    )
    [warning] = [r for r in caplog.records if r.name == "portal.core.cache"]
    assert "ConnectionError" in warning.getMessage()
    assert "127.0.0.1" not in warning.getMessage()
