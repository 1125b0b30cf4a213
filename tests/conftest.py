"""Shared fixtures: named personas in two organisations, and signed-in clients."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from portal.accounts.passkeys import PASSKEY_REQUIRED_SESSION_KEY, passkey_requirement_snapshot
from portal.organisations.roles import Role
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ReferringAgencyFactory,
    TOTPDeviceFactory,
    UserFactory,
)


def current_totp(device, offset_steps: int = 0) -> str:
    """The code an authenticator app shows for ``device`` now (or ``offset_steps`` later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


def sign_in(client: Client, user, *, verified: bool = True) -> Client:
    """Sign ``user`` in on ``client``; with ``verified`` the second factor is done too."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    if verified:
        device = user.totpdevice_set.filter(confirmed=True).first() or TOTPDeviceFactory(user=user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        # As the code page does when the code is right.
        session[PASSKEY_REQUIRED_SESSION_KEY] = passkey_requirement_snapshot(user)
        session.save()
    return client


@pytest.fixture
def organisation_a():
    return OrganisationFactory(name="Organisation A")


@pytest.fixture
def organisation_b():
    return OrganisationFactory(name="Organisation B")


@pytest.fixture
def police_agency(organisation_a):
    agency = ReferringAgencyFactory(name="Example Constabulary", domain="police.example")
    organisation_a.partner_agencies.add(agency)
    return agency


def _member(organisation, role, email):
    user = UserFactory(email=email)
    TOTPDeviceFactory(user=user)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def coordinator_a(organisation_a):
    return _member(organisation_a, Role.COORDINATOR, "coordinator@a.example")


@pytest.fixture
def caseworker_a(organisation_a):
    return _member(organisation_a, Role.CASEWORKER, "caseworker@a.example")


@pytest.fixture
def facilitator_a(organisation_a):
    return _member(organisation_a, Role.FACILITATOR, "facilitator@a.example")


@pytest.fixture
def coordinator_b(organisation_b):
    return _member(organisation_b, Role.COORDINATOR, "coordinator@b.example")


@pytest.fixture
def caseworker_b(organisation_b):
    return _member(organisation_b, Role.CASEWORKER, "caseworker@b.example")


@pytest.fixture
def referrer(police_agency):
    user = UserFactory(email="officer@police.example")
    TOTPDeviceFactory(user=user)
    MembershipFactory(user=user, organisation=None, agency=police_agency, role=Role.REFERRER)
    return user


BROWSER_PREREQUISITES = {
    "Chromium (apt-get install chromium)": Path("/usr/bin/chromium"),
    "axe-core (npm install)": Path(__file__).resolve().parent.parent
    / "node_modules/axe-core/axe.min.js",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "postgres: needs PostgreSQL (row locks, real concurrency); CI runs it there"
    )
    config.addinivalue_line(
        "markers",
        "contract: Schemathesis against the live schema (minutes); CI runs it once, on PostgreSQL",
    )


def _skip_postgres_tests_on_other_databases(items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            "PostgreSQL-only tests were selected on another database: in CI run them with "
            "DATABASE_URL pointing at PostgreSQL, or deselect them with -m 'not postgres'."
        )
    marker = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(marker)


@pytest.hookimpl(trylast=True)  # after -m has deselected what it will
def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium and axe-core. CI installs both and must run them; on a
    laptop without them they are skipped with a note saying what to install."""
    if any(item.get_closest_marker("postgres") for item in items):
        _skip_postgres_tests_on_other_databases(items)
    missing = [name for name, path in BROWSER_PREREQUISITES.items() if not path.exists()]
    if not missing:
        return
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    if not browser_items:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests; missing: " + ", ".join(missing))
    marker = pytest.mark.skip(reason="browser tests need " + ", ".join(missing))
    for item in browser_items:
        item.add_marker(marker)


@pytest.fixture
def shipped_questionnaires(db):
    """The questionnaires the data migration ships. Tests that run in transactions empty
    the tables between tests, so the rows are put back here (the install is idempotent)."""
    from portal.outcomes.models import Question, Questionnaire
    from portal.outcomes.shipped import install

    install(Questionnaire, Question)
    return {q.key: q for q in Questionnaire.objects.filter(organisation__isnull=True)}
