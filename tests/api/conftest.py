"""API fixtures: keys issued through the real service, and request helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api.models import Scope
from portal.api.services import api_key_issue

ALL_SCOPES = list(Scope.values)


def issue_key(organisation, agency, actor, *, scopes=ALL_SCOPES, days: int = 30) -> str:
    _, raw = api_key_issue(
        organisation=organisation,
        agency=agency,
        name="Case system",
        scopes=scopes,
        expires_on=timezone.localdate() + timedelta(days=days),
        actor=actor,
    )
    return raw


def key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def referral_body(**overrides) -> dict:
    body = {
        "person": {
            "full_name": "Robin Example",
            "email": "robin@example.org",
            "phone": "07911 123456",
            "relationship": "partner",
            "stage": "searched_or_arrested",
            "children_in_household": "yes",
            "support_wanted": "initial_call",
            "format_preference": "either",
            "area": "Northbridge",
            "accessibility_needs": "Needs a hearing loop",
        },
        "safe_contact": {
            "channels": ["call", "text"],
            "safe_times": "After 6pm",
            "name_to_use": "Rob",
            "may_name_organisation": False,
            "shares_device_with_person": False,
            "shares_address_with_person": True,
        },
        "consent": {
            "given": True,
            "method": "verbal",
            "given_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "statement_version": "professional-2026-11",
            "recorded_by": {"name": "PC Sam Jones", "identifier": "4521"},
            "scope": {"share_status_with_referrer": True},
        },
    }
    for path, value in overrides.items():
        section, _, name = path.rpartition(".")
        target = body
        for part in section.split(".") if section else []:
            target = target[part]
        if value is DELETE:
            target.pop(name, None)
        else:
            target[name] = value
    return body


DELETE = object()


@pytest.fixture
def partner_key(organisation_a, police_agency, coordinator_a) -> str:
    return issue_key(organisation_a, police_agency, coordinator_a)


@pytest.fixture
def partner(partner_key) -> APIClient:
    return key_client(partner_key)
