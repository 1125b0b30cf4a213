"""The API and the referrer's web form accept and refuse exactly the same answers.

Each case changes one field from a valid referral and feeds it to both routes: the web
form (signed-in referrer) and POST /api/v1/referrals/ (agency key). Both must accept, or
both refuse with the same message on the same field.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from tests.api.conftest import referral_body
from tests.conftest import sign_in
from tests.referrals.test_referrer import answers

pytestmark = pytest.mark.django_db

# (web form field, API path, value for the form, value for the API)
CASES = [
    ("full_name", "person.full_name", "", ""),
    ("full_name", "person.full_name", "x" * 151, "x" * 151),
    ("full_name", "person.full_name", "  Ashley  ", "  Ashley  "),
    ("email", "person.email", "not-an-email", "not-an-email"),
    ("email", "person.email", "ash@example.org", "ash@example.org"),
    ("phone", "person.phone", "12345", "12345"),
    ("phone", "person.phone", "+1 202 555 0100", "+1 202 555 0100"),
    ("phone", "person.phone", "020 7946 0000", "020 7946 0000"),  # landline, texts chosen
    ("phone", "person.phone", "+44 7911 123456", "+44 7911 123456"),
    ("relationship", "person.relationship", "neighbour", "neighbour"),
    ("relationship", "person.relationship", "friend", "friend"),
    ("stage", "person.stage", "", ""),
    ("children_in_household", "person.children_in_household", "maybe", "maybe"),
    ("support_wanted", "person.support_wanted", "peer_group", "peer_group"),
    ("format_preference", "person.format_preference", "carrier pigeon", "carrier pigeon"),
    ("area", "person.area", "y" * 101, "y" * 101),
    ("accessibility_needs", "person.accessibility_needs", "z" * 2001, "z" * 2001),
    ("safe_channels", "safe_contact.channels", [], []),
    ("safe_channels", "safe_contact.channels", ["post"], ["post"]),
    ("safe_channels", "safe_contact.channels", ["email", "call"], ["email", "call"]),
    ("safe_channels", "safe_contact.channels", ["smoke"], ["smoke"]),
    ("safe_times", "safe_contact.safe_times", "s" * 501, "s" * 501),
    ("name_to_use", "safe_contact.name_to_use", "n" * 101, "n" * 101),
    ("may_name_organisation", "safe_contact.may_name_organisation", "yes", True),
    ("shares_device_with_person", "safe_contact.shares_device_with_person", "", ""),
    ("postal_address", "safe_contact.postal_address", "p" * 501, "p" * 501),
    ("consent_confirmed", "consent.given", "", False),
    ("consent_method", "consent.method", "telepathy", "telepathy"),
    ("consent_method", "consent.method", "written", "written"),
    ("consent_given_at", "consent.given_at", "tomorrow-ish", "tomorrow-ish"),
    ("consent_given_at", "consent.given_at", "FUTURE", "FUTURE"),
    ("consent_given_at", "consent.given_at", "LONG_AGO", "LONG_AGO"),
    ("professional_name", "consent.recorded_by.name", "", ""),
    ("professional_identifier", "consent.recorded_by.identifier", "i" * 101, "i" * 101),
    ("share_status_with_referrer", "consent.scope.share_status_with_referrer", "no", False),
]


def _moment(value):
    now = timezone.localtime()
    moments = {"FUTURE": now + timedelta(days=1), "LONG_AGO": now - timedelta(days=45)}
    if value in moments:
        return moments[value]
    return None


def web_outcome(client, organisation, field, value) -> tuple[bool, set[str]]:
    moment = _moment(value) if isinstance(value, str) else None
    if moment is not None:
        value = moment.strftime("%Y-%m-%dT%H:%M")
    before = Referral.objects.count()
    response = client.post(reverse("referrer:new"), answers(organisation, **{field: value}))
    if Referral.objects.count() > before:
        return True, set()
    errors = response.context["form"].errors
    return False, {html.unescape(m) for messages in errors.values() for m in messages}


def api_outcome(client, path, value) -> tuple[bool, set[str]]:
    moment = _moment(value) if isinstance(value, str) else None
    if moment is not None:
        value = moment.isoformat()
    response = client.post("/api/v1/referrals/", referral_body(**{path: value}), format="json")
    if response.status_code == 201:
        return True, set()
    assert response.status_code == 400, response.content
    return False, {e["message"] for e in response.json()["errors"]}


@pytest.mark.parametrize(("field", "path", "web_value", "api_value"), CASES)
def test_both_routes_give_the_same_answer(
    client, referrer, partner, organisation_a, field, path, web_value, api_value
):
    sign_in(client, referrer)
    web_ok, web_messages = web_outcome(client, organisation_a, field, web_value)
    api_ok, api_messages = api_outcome(partner, path, api_value)
    assert web_ok == api_ok
    assert web_messages == api_messages
