"""The sending agency reads a referral's status, only as far as the person agreed."""

import pytest

from portal.audit.models import AuditEvent
from referrals.models import Referral
from referrals.services import contact_attempt_record
from tests.api.conftest import issue_key, key_client, referral_body
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def send(client, **overrides) -> str:
    response = client.post("/api/v1/referrals/", referral_body(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["reference"]


def test_status_follows_the_referral_with_nothing_else(partner, partner_key, caseworker_a):
    reference = send(partner)
    assert partner.get(f"/api/v1/referrals/{reference}/").json()["status"] == "received"
    referral = Referral.objects.get()
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome="reached",
        note="Spoke at length",
        actor=caseworker_a,
    )
    body = partner.get(f"/api/v1/referrals/{reference.replace('-', '').lower()}/").json()
    assert body["status"] == "contacted" and body["status_label"] == "Contacted"
    assert set(body) == {
        "reference",
        "organisation",
        "submitted_at",
        "status_shared",
        "status",
        "status_label",
    }
    assert "Spoke" not in str(body) and "Robin" not in str(body)
    viewed = AuditEvent.objects.filter(action="viewed", target_id=str(referral.pk))
    assert viewed.count() == 2 and viewed.first().detail["page"] == "api status"
    assert viewed.first().detail["api_key"] == partner_key.split(".")[0]


def test_no_status_when_the_person_did_not_agree_to_share_it(partner):
    reference = send(partner, **{"consent.scope": {"share_status_with_referrer": False}})
    body = partner.get(f"/api/v1/referrals/{reference}/").json()
    assert body["status_shared"] is False and body["status"] is None


def test_another_partners_reference_looks_exactly_like_a_missing_one(
    partner, organisation_a, police_agency, coordinator_a
):
    reference = send(partner)
    # Same agency, but a key issued by another organisation: cannot read organisation A's.
    elsewhere = OrganisationFactory(name="Elsewhere")
    elsewhere.partner_agencies.add(police_agency)
    from portal.organisations.roles import Role
    from tests.factories import MembershipFactory

    their_coordinator = MembershipFactory(organisation=elsewhere, role=Role.COORDINATOR).user
    other = key_client(issue_key(elsewhere, police_agency, their_coordinator))
    hidden = other.get(f"/api/v1/referrals/{reference}/")
    missing = other.get("/api/v1/referrals/ZZZZ-9999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
