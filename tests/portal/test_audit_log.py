"""The audit log: append-only, visible to the organisation's coordinators only."""

import pytest
from django.urls import reverse

from portal.audit.models import AppendOnlyError, AuditEvent
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def test_coordinators_see_their_organisations_audit_log(
    client, coordinator_a, caseworker_a, organisation_a, organisation_b
):
    referral = make_referral(organisation_a)
    other = make_referral(organisation_b)
    sign_in(client, caseworker_a)
    client.get(reverse("referrals:detail", kwargs={"referral_id": referral.pk}))
    sign_in(client, coordinator_a)
    page = client.get(reverse("staff:audit-log", kwargs={"organisation_id": organisation_a.pk}))
    content = page.content.decode()
    assert page.status_code == 200
    assert caseworker_a.get_full_name() in content
    assert str(other.pk) not in content
    filtered = client.get(
        reverse("staff:audit-log", kwargs={"organisation_id": organisation_a.pk}) + "?action=viewed"
    )
    assert all(event.action == "viewed" for event in filtered.context["page"].object_list)


def test_others_get_404(client, caseworker_a, coordinator_b, organisation_a):
    url = reverse("staff:audit-log", kwargs={"organisation_id": organisation_a.pk})
    for user in (caseworker_a, coordinator_b):
        sign_in(client, user)
        assert client.get(url).status_code == 404


def test_audit_rows_cannot_be_changed_or_deleted(caseworker_a):
    event = AuditEvent.objects.create(action="viewed", actor=caseworker_a)
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
