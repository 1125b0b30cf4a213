"""Coordinators issue keys (shown once, stored hashed), see their use, and revoke them."""

import re

import pytest
from django.urls import reverse

from portal.api.models import AgencyApiKey
from portal.audit.models import AuditEvent
from tests.api.conftest import key_client
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def keys_url(organisation, name="staff:api-keys"):
    return reverse(name, kwargs={"organisation_id": organisation.pk})


def issue(client, organisation, agency, **overrides):
    data = {
        "name": "Force case system",
        "agency": agency.pk,
        "scopes": ["referrals:submit", "referrals:status", "services:read"],
        "expires_on": "2099-01-01",
    }
    data.update(overrides)
    return client.post(keys_url(organisation, "staff:api-key-create"), data)


def test_a_coordinator_issues_a_key_that_is_shown_once_and_stored_hashed(
    client, coordinator_a, organisation_a, police_agency, time_machine
):
    time_machine.move_to("2098-06-01")
    sign_in(client, coordinator_a)
    response = issue(client, organisation_a, police_agency)
    assert response.status_code == 200
    raw_key = re.search(r"<code>([A-Za-z0-9]{8}\.[A-Za-z0-9]+)</code>", response.content.decode())[
        1
    ]
    key = AgencyApiKey.objects.get()
    assert raw_key not in key.hashed_key and raw_key.split(".")[1] not in key.id
    assert key.created_by == coordinator_a and key.agency == police_agency
    assert "no-store" in response["Cache-Control"]
    assert key_client(raw_key).get("/api/v1/services/").status_code == 200
    listing = client.get(keys_url(organisation_a)).content.decode()
    assert key.prefix in listing and raw_key not in listing
    assert AuditEvent.objects.filter(detail__change="api key issued").exists()


def test_revoking_a_key_stops_it_at_once(
    client, coordinator_a, organisation_a, police_agency, partner_key
):
    sign_in(client, coordinator_a)
    key = AgencyApiKey.objects.get()
    response = client.post(
        reverse(
            "staff:api-key-revoke",
            kwargs={"organisation_id": organisation_a.pk, "key_prefix": key.prefix},
        )
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked and key.revoked_by == coordinator_a
    assert key_client(partner_key).get("/api/v1/services/").status_code == 401


def test_form_errors_are_plain_and_beside_the_field(
    client, coordinator_a, organisation_a, police_agency
):
    sign_in(client, coordinator_a)
    response = issue(
        client, organisation_a, police_agency, name="", scopes=[], expires_on="2001-01-01"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a name for the key." in page
    assert "Choose at least one thing the key may do." in page
    assert "The expiry date must be in the future." in page
    assert not AgencyApiKey.objects.exists()


def test_only_the_organisations_coordinators_reach_the_key_pages(
    client, caseworker_a, coordinator_b, organisation_a, police_agency, partner_key
):
    key = AgencyApiKey.objects.get()
    revoke = reverse(
        "staff:api-key-revoke",
        kwargs={"organisation_id": organisation_a.pk, "key_prefix": key.prefix},
    )
    for user in (caseworker_a, coordinator_b):
        sign_in(client, user)
        assert client.get(keys_url(organisation_a)).status_code == 404
        assert issue(client, organisation_a, police_agency).status_code == 404
        assert client.post(revoke).status_code == 404
    key.refresh_from_db()
    assert not key.revoked and AgencyApiKey.objects.count() == 1
