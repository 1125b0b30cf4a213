"""Partners send referrals with a key: the same rules as the web form, retried safely."""

import uuid

import pytest
from django.core import mail

from portal.api.models import ApiCall
from referrals.models import ConsentRecord, Referral
from tests.api.conftest import DELETE, issue_key, key_client, referral_body
from tests.factories import OrganisationFactory, ReferringAgencyFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals/"


def test_a_partner_sends_a_referral_with_its_consent(partner, organisation_a, police_agency):
    response = partner.post(URL, referral_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get()
    assert body["reference"] == referral.reference  # stored as it is shown: KM7T-P2XQ
    assert body["status"] == "received" and body["status_shared"] is True
    assert response["Location"] == f"/api/v1/referrals/{body['reference']}/"
    assert referral.organisation == organisation_a
    assert referral.referring_agency == police_agency
    assert referral.referred_by is None and referral.api_key.agency == police_agency
    assert referral.full_name == "Robin Example" and referral.phone == "+447911123456"
    assert referral.safe_contact.safe_to_call and not referral.safe_contact.safe_to_email
    consent = ConsentRecord.objects.get(referral=referral)
    assert consent.method == "verbal" and consent.statement_version == "professional-2026-11"
    assert consent.professional_name == "PC Sam Jones"
    assert consent.professional_agency == police_agency.name
    assert consent.scope["share_status_with_referrer"] is True
    assert not mail.outbox  # nothing goes to the person from a partner's submission


def test_the_same_idempotency_key_and_body_make_one_referral(partner):
    body = referral_body()
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = partner.post(URL, body, format="json", headers=headers)
    again = partner.post(URL, body, format="json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Referral.objects.count() == 1


def test_the_same_idempotency_key_with_a_different_body_is_a_conflict(partner):
    headers = {"Idempotency-Key": "case-1234"}
    assert partner.post(URL, referral_body(), format="json", headers=headers).status_code == 201
    other = referral_body(**{"person.full_name": "Someone Else"})
    response = partner.post(URL, other, format="json", headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Referral.objects.count() == 1


def test_idempotency_keys_belong_to_one_caller(
    partner, organisation_a, police_agency, coordinator_a
):
    other_key = key_client(issue_key(organisation_a, police_agency, coordinator_a))
    headers = {"Idempotency-Key": "shared-value"}
    assert partner.post(URL, referral_body(), format="json", headers=headers).status_code == 201
    assert other_key.post(URL, referral_body(), format="json", headers=headers).status_code == 201
    assert Referral.objects.count() == 2


def test_without_an_idempotency_key_each_request_is_a_new_referral(partner):
    partner.post(URL, referral_body(), format="json")
    partner.post(URL, referral_body(), format="json")
    assert Referral.objects.count() == 2


def test_a_malformed_idempotency_key_is_refused(partner):
    response = partner.post(
        URL, referral_body(), format="json", headers={"Idempotency-Key": "has spaces"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_errors_name_the_field_path_with_a_code_and_plain_message(partner):
    body = referral_body(
        **{
            "person.full_name": "",
            "person.email": "not-an-email",
            "safe_contact.channels": ["email", "pigeon"],
            "consent.given": False,
        }
    )
    response = partner.post(URL, body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid" and payload["status"] == 400
    errors = {(e["field"], e["code"]) for e in payload["errors"]}
    assert ("person.full_name", "required") in errors
    assert ("person.email", "invalid") in errors
    assert ("safe_contact.channels", "invalid_choice") in errors
    assert ("consent.given", "required") in errors
    messages = {e["field"]: e["message"] for e in payload["errors"]}
    assert messages["person.full_name"] == "Enter a name."
    assert not Referral.objects.exists()


def test_missing_sections_and_wrong_types_are_400s(partner):
    for body in (
        {},
        referral_body(person=DELETE),
        referral_body(**{"person.full_name": {"nested": True}}),
        referral_body(**{"safe_contact.channels": "call"}),
        referral_body(**{"consent.given": "maybe"}),
        [1, 2, 3],
    ):
        response = partner.post(URL, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["errors"]


def test_broken_json_and_other_content_types_get_structured_errors(partner):
    broken = partner.post(URL, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "parse_error"
    form = partner.post(URL, {"a": "b"})  # multipart
    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"


def test_a_key_refers_only_to_its_own_organisation(partner, organisation_a, police_agency):
    elsewhere = OrganisationFactory(name="Elsewhere")
    elsewhere.partner_agencies.add(police_agency)
    response = partner.post(URL, referral_body(organisation=elsewhere.slug), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organisation"
    ok = partner.post(URL, referral_body(organisation=organisation_a.slug), format="json")
    assert ok.status_code == 201


def test_an_organisation_that_stopped_partnering_refuses_the_key(
    partner, organisation_a, police_agency
):
    organisation_a.partner_agencies.remove(police_agency)
    response = partner.post(URL, referral_body(), format="json")
    assert response.status_code == 400
    assert Referral.objects.count() == 0


def test_a_signed_in_referrer_can_use_the_api_with_their_session(
    referrer, organisation_a, police_agency
):
    from rest_framework.test import APIClient

    from tests.conftest import sign_in

    client = sign_in(APIClient(), referrer)
    response = client.post(URL, referral_body(organisation=organisation_a.slug), format="json")
    assert response.status_code == 201, response.json()
    assert Referral.objects.get().referred_by == referrer


def test_staff_without_a_referrer_role_cannot_send_referrals(coordinator_a, organisation_a):
    from rest_framework.test import APIClient

    from tests.conftest import sign_in

    client = sign_in(APIClient(), coordinator_a)
    response = client.post(URL, referral_body(organisation=organisation_a.slug), format="json")
    assert response.status_code == 403


def test_every_call_is_logged_against_the_key(partner, partner_key):
    partner.post(URL, referral_body(), format="json")
    partner.get("/api/v1/services/")
    calls = list(ApiCall.objects.order_by("at").values_list("method", "path", "status_code"))
    assert calls == [("POST", URL, 201), ("GET", "/api/v1/services/", 200)]
    assert ApiCall.objects.filter(key__prefix=partner_key.split(".")[0]).count() == 2


def test_a_key_for_another_agency_is_refused_at_issue(organisation_a, coordinator_a):
    from portal.api.services import ApiKeyError

    stranger = ReferringAgencyFactory(name="Not a partner", domain="stranger.example")
    with pytest.raises(ApiKeyError):
        issue_key(organisation_a, stranger, coordinator_a)
