"""Coordinators record a lawful basis per purpose against a published privacy notice;
the public page shows the current notice; history is kept, never edited."""

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.core.append_only import AppendOnlyError
from portal.organisations.models import LawfulBasisRecord, PrivacyNotice
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def page(organisation):
    return reverse("staff:data-protection", kwargs={"organisation_id": organisation.pk})


def publish(client, organisation, version, body):
    return client.post(
        page(organisation), {"publish_notice": "1", "version": version, "body": body}
    )


def record(client, organisation, **overrides):
    data = {
        "record_basis": "1",
        "purpose": "support",
        "lawful_basis": "consent",
        "condition": "explicit_consent",
        "explanation": "People agree when they refer themselves or are referred.",
        "privacy_notice_version": "2026-11",
        "sharing_agreement_version": "ISA-3",
        **overrides,
    }
    return client.post(page(organisation), data)


def test_a_coordinator_publishes_a_notice_and_records_the_basis(
    client, organisation_a, coordinator_a
):
    sign_in(client, coordinator_a)
    assert "Publish one before" in client.get(page(organisation_a)).content.decode()
    refused = record(client, organisation_a)
    assert refused.status_code == 400  # no notice yet: nothing to choose
    assert not LawfulBasisRecord.objects.exists()

    assert (
        publish(client, organisation_a, "2026-11", "## Who we are\n\nWe keep it safe.").status_code
        == 302
    )
    assert record(client, organisation_a).status_code == 302
    assert record(client, organisation_a, lawful_basis="legitimate_interests").status_code == 302
    content = client.get(page(organisation_a)).content.decode()
    assert "Legitimate interests (Art. 6(1)(f))" in content  # the newest applies
    assert LawfulBasisRecord.objects.count() == 2  # and the old one is kept
    assert AuditEvent.objects.filter(detail__change="lawful basis recorded").count() == 2

    again = publish(client, organisation_a, "2026-11", "Another text")
    assert again.status_code == 400
    assert "already published" in again.content.decode()

    public = client.get(reverse("public:privacy-notice", kwargs={"slug": organisation_a.slug}))
    assert "<h2>Who we are</h2>" in public.content.decode()
    assert "Version 2026-11" in public.content.decode()


def test_records_cannot_be_edited(organisation_a, coordinator_a):
    notice = PrivacyNotice.objects.create(
        organisation=organisation_a, version="1", body="x", published_by=coordinator_a
    )
    notice.body = "changed"
    with pytest.raises(AppendOnlyError):
        notice.save()


def test_only_the_organisations_coordinators_manage_it(
    client, organisation_a, caseworker_a, coordinator_b
):
    for user in (caseworker_a, coordinator_b):
        sign_in(client, user)
        assert client.get(page(organisation_a)).status_code == 404
        assert publish(client, organisation_a, "x", "y").status_code == 404
    assert not PrivacyNotice.objects.exists()


def test_the_public_page_without_a_notice_is_kind(client, organisation_a):
    response = client.get(reverse("public:privacy-notice", kwargs={"slug": organisation_a.slug}))
    assert response.status_code == 200 and "has not published" in response.content.decode()
    assert client.get("/privacy/no-such-charity/").status_code == 404
