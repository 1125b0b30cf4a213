"""Every endpoint against every kind of caller, with the status each must get.

Callers: no credentials, a revoked key, an expired key, a key of another agency, staff
without their second factor, staff of another organisation, and the allowed caller.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from peergroups.models import Session
from peergroups.services import booking_confirm, booking_offer
from portal.api.models import AgencyApiKey
from portal.api.services import api_key_revoke
from tests.api.conftest import issue_key, key_client, referral_body
from tests.conftest import sign_in
from tests.factories import GroupFactory, ReferringAgencyFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

CALLERS = [
    "anonymous",
    "revoked_key",
    "expired_key",
    "other_agency_key",
    "staff_without_second_factor",
    "other_organisation_staff",
    "allowed",
]


@pytest.fixture
def world(organisation_a, police_agency, coordinator_a, caseworker_a, coordinator_b, referrer):
    referral = make_referral(
        organisation_a, referrer=referrer, agency=police_agency, share_status_with_referrer=True
    )
    # A referral this partner's key sent, so the allowed key has one to read.
    partner_key = issue_key(organisation_a, police_agency, coordinator_a)
    sent = key_client(partner_key).post("/api/v1/referrals/", referral_body(), format="json")
    group = GroupFactory(organisation=organisation_a)
    # Under way, so its register can be taken (registers open only once a meeting starts).
    start = timezone.now() - timedelta(minutes=30)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=referral, actor=caseworker_a)
    )

    revoked = issue_key(organisation_a, police_agency, coordinator_a)
    api_key_revoke(key=AgencyApiKey.objects.get(prefix=revoked.split(".")[0]), actor=coordinator_a)
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        expired = issue_key(organisation_a, police_agency, coordinator_a, days=5)
    other_agency = ReferringAgencyFactory(name="Youth Offending Service", domain="yos.example")
    organisation_a.partner_agencies.add(other_agency)
    other_agency_key = issue_key(organisation_a, other_agency, coordinator_a)

    return {
        "keys": {
            "allowed": partner_key,
            "revoked_key": revoked,
            "expired_key": expired,
            "other_agency_key": other_agency_key,
        },
        "staff": caseworker_a,
        "other_staff": coordinator_b,
        "reference": sent.json()["reference"],
        "group": group,
        "session": session,
        "booking": booking,
    }


def client_for(caller: str, world, *, staff_endpoint: bool) -> APIClient:
    if caller == "anonymous":
        return APIClient()
    if caller in world["keys"] and not (caller == "allowed" and staff_endpoint):
        return key_client(world["keys"][caller])
    if caller == "staff_without_second_factor":
        return sign_in(APIClient(), world["staff"], verified=False)
    if caller == "other_organisation_staff":
        return sign_in(APIClient(), world["other_staff"])
    return sign_in(APIClient(), world["staff"])  # the allowed caller of staff endpoints


# expected status per caller, in the order of CALLERS
AGENCY_ENDPOINTS = {
    "submit referral": (401, 401, 401, 201, 403, 403, 201),
    "referral status": (401, 401, 401, 404, 403, 404, 200),
    "services": (401, 401, 401, 200, 403, 200, 200),
}
# A key of any kind is not staff: 403 once the key itself is valid.
STAFF_ENDPOINTS = {
    "me": (401, 401, 401, 403, 403, 200, 200),
    "groups": (401, 401, 401, 403, 403, 200, 200),
    "group": (401, 401, 401, 403, 403, 404, 200),
    "group sessions": (401, 401, 401, 403, 403, 404, 200),
    "group bookings": (401, 401, 401, 403, 403, 404, 200),
    "session": (401, 401, 401, 403, 403, 404, 200),
    "register": (401, 401, 401, 403, 403, 404, 200),
    "record attendance": (401, 401, 401, 403, 403, 404, 200),
}


def call(client: APIClient, endpoint: str, world):
    group, session, booking = world["group"], world["session"], world["booking"]
    if endpoint == "submit referral":
        return client.post("/api/v1/referrals/", referral_body(), format="json")
    if endpoint == "record attendance":
        return client.put(
            f"/api/v1/sessions/{session.pk}/attendance/{booking.pk}/",
            {"status": "attended"},
            format="json",
        )
    path = {
        "referral status": f"/api/v1/referrals/{world['reference']}/",
        "services": "/api/v1/services/",
        "me": "/api/v1/me/",
        "groups": "/api/v1/groups/",
        "group": f"/api/v1/groups/{group.pk}/",
        "group sessions": f"/api/v1/groups/{group.pk}/sessions/",
        "group bookings": f"/api/v1/groups/{group.pk}/bookings/",
        "session": f"/api/v1/sessions/{session.pk}/",
        "register": f"/api/v1/sessions/{session.pk}/attendance/",
    }[endpoint]
    return client.get(path)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", list(AGENCY_ENDPOINTS))
def test_agency_endpoints(endpoint, caller, world):
    expected = AGENCY_ENDPOINTS[endpoint][CALLERS.index(caller)]
    response = call(client_for(caller, world, staff_endpoint=False), endpoint, world)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["status"] == expected


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", list(STAFF_ENDPOINTS))
def test_staff_endpoints(endpoint, caller, world):
    expected = STAFF_ENDPOINTS[endpoint][CALLERS.index(caller)]
    response = call(client_for(caller, world, staff_endpoint=True), endpoint, world)
    assert response.status_code == expected, response.content


def test_401s_say_how_to_authenticate(world):
    response = APIClient().get("/api/v1/services/")
    assert response["WWW-Authenticate"] == "Api-Key"
    bad = key_client("nope.nope").get("/api/v1/services/")
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_api_key"


def test_list_pages_never_include_another_organisations_rows(world, coordinator_b, organisation_b):
    GroupFactory(organisation=organisation_b, title="B's own group")
    titles = [
        g["title"]
        for g in sign_in(APIClient(), coordinator_b).get("/api/v1/groups/").json()["results"]
    ]
    assert titles == ["B's own group"]


def test_a_key_without_the_scope_is_refused(organisation_a, police_agency, coordinator_a):
    from portal.api.models import Scope

    only_services = key_client(
        issue_key(organisation_a, police_agency, coordinator_a, scopes=[Scope.READ_SERVICES])
    )
    assert only_services.get("/api/v1/services/").status_code == 200
    submit = only_services.post("/api/v1/referrals/", referral_body(), format="json")
    assert submit.status_code == 403
    assert only_services.get("/api/v1/referrals/ABCD-2345/").status_code == 403
