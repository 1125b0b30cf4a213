"""Coordinators see the schedule with its legal basis and what the next run will remove,
and change a period within the allowed limits; nobody else can."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.retention.models import RetentionRule
from referrals.services import referral_transition
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def schedule_url(organisation):
    return reverse("staff:retention", kwargs={"organisation_id": organisation.pk})


def rule_url(organisation, record_type="closed_referral"):
    return reverse(
        "staff:retention-rule",
        kwargs={"organisation_id": organisation.pk, "record_type": record_type},
    )


def test_the_schedule_shows_each_period_its_reason_and_what_is_due(
    client, organisation_a, coordinator_a, caseworker_a
):
    with time_machine.travel(timezone.now() - timedelta(days=800)):
        referral_transition(
            referral=make_referral(organisation_a),
            to_state="closed",
            close_reason="declined",
            actor=caseworker_a,
        )
    sign_in(client, coordinator_a)
    content = client.get(schedule_url(organisation_a)).content.decode()
    assert "Closed referrals" in content
    assert "24 months from the day the referral closed" in content
    assert "Article 5(1)(e)" in content  # the legal basis is shown
    assert "Zoom meeting links" in content and "7 days" in content
    row = content.split("Closed referrals", 1)[1].split("</tr>", 1)[0]
    assert "<td>1<br>" in row  # due at the next run


def test_a_coordinator_changes_a_period_and_it_is_audited(client, organisation_a, coordinator_a):
    sign_in(client, coordinator_a)
    response = client.post(
        rule_url(organisation_a),
        {"length": "36", "unit": "months", "legal_basis": "Our funder asks for three years."},
    )
    assert response.status_code == 302
    rule = RetentionRule.objects.get(organisation=organisation_a)
    assert (rule.length, rule.unit) == (36, "months")
    assert (
        "Our funder asks for three years."
        in client.get(schedule_url(organisation_a)).content.decode()
    )
    assert AuditEvent.objects.filter(
        organisation=organisation_a, detail__change="retention period set"
    ).exists()


@pytest.mark.parametrize(
    ("record_type", "length", "unit", "message"),
    [
        ("closed_referral", "20", "years", "Choose days or months"),
        ("closed_referral", "121", "months", "Choose a period between 1 month and 120 months"),
        ("audit_log", "3", "months", "Choose a period between 12 months and 120 months"),
        ("zoom_link", "six", "days", "Enter a whole number"),
    ],
)
def test_a_period_outside_the_limits_is_refused_with_a_clear_message(
    client, organisation_a, coordinator_a, record_type, length, unit, message
):
    sign_in(client, coordinator_a)
    response = client.post(
        rule_url(organisation_a, record_type),
        {"length": length, "unit": unit, "legal_basis": "Because."},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RetentionRule.objects.exists()


def test_only_coordinators_see_or_change_the_schedule(client, organisation_a, caseworker_a):
    sign_in(client, caseworker_a)
    assert client.get(schedule_url(organisation_a)).status_code == 404
    assert client.post(rule_url(organisation_a), {"length": "1", "unit": "days"}).status_code == 404


def test_an_unknown_record_type_is_not_found(client, organisation_a, coordinator_a):
    sign_in(client, coordinator_a)
    assert client.get(rule_url(organisation_a, "everything")).status_code == 404
