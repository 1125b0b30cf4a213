"""Schemathesis against the live schema, with a real key and a real staff session.

A live server runs the portal; the schemathesis command reads /api/v1/schema/ from it and
sends a few hundred generated requests to every operation. It fails on any server
error, any response that breaks the schema (status, content type, headers, body) and
any operation that answers without the credentials it requires.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from peergroups.models import Session
from peergroups.services import booking_confirm, booking_offer
from tests.api.conftest import issue_key, key_client, referral_body
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = [pytest.mark.contract, pytest.mark.django_db(transaction=True)]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "ignored_auth",
    ]
)
EXAMPLES = "200"


def schemathesis_command() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is installed with the dev dependencies"
    return found


@pytest.fixture
def generous_rates():
    # The run sends thousands of requests; throttling is proven in test_throttling.py.
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {"caller": "100000/hour", "submit": "100000/hour"}
    yield
    SimpleRateThrottle.THROTTLE_RATES = original


def run_schemathesis(
    live_server, tmp_path, name: str, path_regex: str, headers: list[str], parameters: dict
):
    """Run the command; ``parameters`` are real ids, so generated requests reach real rows
    as well as missing ones."""
    report = tmp_path / f"{name}.junit.xml"
    config = tmp_path / f"{name}.toml"
    config.write_text(
        "[parameters]\n" + "".join(f'"{key}" = "{value}"\n' for key, value in parameters.items())
    )
    # Kept under test-results/ too, as a CI artefact.
    keep = Path(__file__).resolve().parents[2] / "test-results" / f"schemathesis-{name}.xml"
    command = [
        schemathesis_command(),
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES,
        "--include-path-regex",
        path_regex,
        "--seed",
        "20261128",
        # Examples, boundary coverage and random fuzzing; the API has no links between
        # operations for a stateful phase to follow.
        "--phases",
        "examples,coverage,fuzzing",
        "--max-failures",
        "5",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        *[part for header in headers for part in ("-H", header)],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1500, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    summary = re.findall(r"=+ (.+?) in [\d.]+s =+", output)[-1]
    assert "failure" not in summary and "error" not in summary, output[-3000:]
    keep.parent.mkdir(exist_ok=True)
    keep.write_bytes(report.read_bytes())
    return operations_in_report(report)


def operations_in_report(report: Path) -> set[str]:
    """The operations the run exercised, from its JUnit report (one case each)."""
    from xml.etree import ElementTree

    cases = ElementTree.parse(report).getroot().iter("testcase")  # noqa: S314 - our own file
    return {case.get("name") for case in cases}


def test_agency_operations_hold_to_the_schema(
    live_server, tmp_path, generous_rates, organisation_a, police_agency, coordinator_a
):
    key = issue_key(organisation_a, police_agency, coordinator_a)
    sent = key_client(key).post("/api/v1/referrals/", referral_body(), format="json")
    operations = run_schemathesis(
        live_server,
        tmp_path,
        "agency",
        r"^/api/v1/(referrals|services)",
        [f"Authorization: Api-Key {key}"],
        {"path.reference": sent.json()["reference"]},
    )
    assert {
        "POST /api/v1/referrals/",
        "GET /api/v1/referrals/{reference}/",
        "GET /api/v1/services/",
    } <= operations


def test_staff_operations_hold_to_the_schema(
    live_server, tmp_path, generous_rates, organisation_a, caseworker_a
):
    group = GroupFactory(organisation=organisation_a)
    start = timezone.now() + timedelta(days=1)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    booking = booking_confirm(
        booking=booking_offer(
            group=group, referral=make_referral(organisation_a), actor=caseworker_a
        )
    )
    client = sign_in(Client(), caseworker_a)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_urlsafe(32)
    operations = run_schemathesis(
        live_server,
        tmp_path,
        "staff",
        r"^/api/v1/(me|groups|sessions)",
        [
            f"Cookie: {settings.SESSION_COOKIE_NAME}={session_cookie}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}",
            f"X-CSRFToken: {csrf}",
        ],
        {
            "path.group_id": group.pk,
            "path.session_id": session.pk,
            "path.booking_id": booking.pk,
        },
    )
    assert {
        "GET /api/v1/me/",
        "GET /api/v1/groups/",
        "GET /api/v1/groups/{group_id}/",
        "GET /api/v1/groups/{group_id}/sessions/",
        "GET /api/v1/groups/{group_id}/bookings/",
        "GET /api/v1/sessions/{session_id}/",
        "GET /api/v1/sessions/{session_id}/attendance/",
        "PUT /api/v1/sessions/{session_id}/attendance/{booking_id}/",
    } <= operations
