"""Coordinators filter the audit log by action and dates, and export it as CSV; the
export is itself audited."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def url(organisation, name="staff:audit-export"):
    return reverse(name, kwargs={"organisation_id": organisation.pk})


def test_the_export_matches_the_filters_and_is_recorded(
    client, organisation_a, organisation_b, caseworker_a, coordinator_a
):
    referral = make_referral(organisation_a)
    detail = reverse("referrals:detail", kwargs={"referral_id": referral.pk})
    sign_in(client, caseworker_a)
    with time_machine.travel(datetime(2026, 11, 2, 10, tzinfo=LONDON)):
        client.get(detail)
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=LONDON)):
        client.get(detail)
    make_referral(organisation_b)

    sign_in(client, coordinator_a)
    response = client.get(url(organisation_a) + "?action=viewed&since=2026-11-10&until=2026-11-30")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["when", "who", "action"]
    assert [(row[1], row[2], row[5]) for row in rows[1:]] == [
        (caseworker_a.email, "viewed", str(referral.pk))
    ]
    assert rows[1][0].startswith("2026-11-20T10:00")
    export = AuditEvent.objects.get(action="exported")
    assert export.actor == coordinator_a and export.detail["since"] == "2026-11-10"

    page = client.get(url(organisation_a, "staff:audit-log") + "?since=2026-11-10&until=nonsense")
    assert page.status_code == 200  # a nonsense date is ignored, not a 500


def test_only_the_organisations_coordinators_can_export(
    client, organisation_a, caseworker_a, coordinator_b
):
    for user in (caseworker_a, coordinator_b):
        sign_in(client, user)
        assert client.get(url(organisation_a)).status_code == 404
    assert not AuditEvent.objects.filter(action="exported").exists()
