"""Every API answer that shows a person leaves a VIEWED row and comes from a marked view.

The walk calls every API endpoint (lists and single records) with every method, with a
valid body as well as bad ones, as a member of staff signed in with their second factor
and as an agency's key. One person's name, the name they asked to be called by and two
references are canaries. Any answer containing one must come from a
``ShowsPersonalData`` view and must have left a VIEWED row for the person's organisation
(naming the member of staff, or the key's prefix). No answer may ever contain what only
the referral's own page shows (contact details, notes): the API has no reason-for-access
gate, so it has nothing of the record to give.

Valid bodies come from ``VALID_BODIES``, one per operation in the OpenAPI description
that takes a body: a new endpoint without an example fails here, and so does an API
URL that is neither a marked view nor listed in ``SHOWS_NO_ONE`` with a reason.
"""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from portal.audit.models import AuditEvent
from portal.audit.viewing import shows_personal_data_page
from referrals.models import Referral
from referrals.references import display_reference
from tests.api.conftest import issue_key, key_client, referral_body
from tests.conftest import sign_in
from tests.portal import test_personal_data_gate as gate
from tests.portal.test_url_protection import URLS, _keyword_names

pytestmark = pytest.mark.django_db

# The staff walk's objects, person (canary details, a note, a place) and viewer (every
# role in organisation A).
organisation_a_objects = gate.organisation_a_objects
person = gate.person
viewer = gate.viewer

# A valid body for each operation that takes one, by method and the path as the OpenAPI
# description writes it; built from the walk's objects.
VALID_BODIES = {
    ("post", "/api/v1/referrals/"): lambda objects: referral_body(),
    ("put", "/api/v1/sessions/{session_id}/attendance/{booking_id}/"): lambda objects: {
        "status": "attended"
    },
}
BAD_BODIES = {
    "empty": "{}",
    "nonsense": '{"status": "maybe", "person": "x", "consent": [1]}',
    "not JSON": "{not json",
}

# API URLs whose views are not ``ShowsPersonalData`` views, and why nobody is in them.
SHOWS_NO_ONE = {
    "api:schema": "the API's description",
    "api:swagger": "a reader for the description",
    "api:redoc": "a reader for the description",
    "api:me": "the caller's own name and roles",
    "api:services": "organisations and their services, public by nature",
    "api:groups": "groups and how many places are taken, no one in them",
    "api:group": "one group and how many places are taken",
    "api:group-sessions": "meeting dates and times",
    "api:session": "one meeting's date and time",
    "api:referrals": "answers with the reference of the referral the caller has just sent "
    "(its creation is audited as such)",
}

# Answers the walk must see showing the person, so that it cannot pass by reaching
# nothing: by URL name and caller.
MUST_SHOW = {
    ("api:group-bookings", "staff"),
    ("api:session-attendance", "staff"),
    ("api:attendance-record", "staff"),
    ("api:referral-status", "key"),
}


def api_url_names() -> list[str]:
    return [name for name, url in URLS if url.startswith("/api/")]


def sample_url(name: str) -> str:
    return dict(URLS)[name]


def schema_operations() -> dict[tuple[str, str], dict]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method, path): operation
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }


def schema_path_of(url: str, paths: set[str]) -> str | None:
    for path in paths:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), url):
            return path
    return None


def test_every_operation_that_takes_a_body_has_a_valid_example():
    with_body = {
        key for key, operation in schema_operations().items() if "requestBody" in operation
    }
    assert with_body - set(VALID_BODIES) == set(), "add a valid body to VALID_BODIES"
    assert set(VALID_BODIES) - with_body == set(), "stale entries in VALID_BODIES"


def test_every_endpoint_is_described_so_the_walk_knows_its_methods():
    paths = {path for _, path in schema_operations()}
    for name in api_url_names():
        if name in ("api:schema", "api:swagger", "api:redoc"):
            continue
        assert schema_path_of(sample_url(name), paths), f"{name} is not in the OpenAPI schema"


@pytest.mark.parametrize("name", api_url_names())
def test_every_endpoint_is_marked_or_says_why_it_shows_no_one(name):
    marked = shows_personal_data_page(resolve(sample_url(name)).func)
    if name in SHOWS_NO_ONE:
        assert not marked, f"{name} is marked: take it off SHOWS_NO_ONE"
    else:
        assert marked, (
            f"{name}: make its view a portal.api.personal_data.ShowsPersonalData view, or "
            "add it to SHOWS_NO_ONE with the reason no person is in its answers"
        )


def _url(name: str, objects: dict) -> str:
    keywords = _keyword_names(name)[0]
    return reverse(name, kwargs={keyword: objects[keyword] for keyword in keywords})


def _requests(name: str, url: str, objects: dict):
    """Every method, and for those that take a body the valid one and each bad one."""
    path = schema_path_of(url, {path for _, path in VALID_BODIES})
    for method in ("get", "head", "options", "delete"):
        yield method, None, None
    for method in ("post", "put", "patch"):
        valid = VALID_BODIES.get((method, path))
        if valid is not None:
            yield method, "valid", valid(objects)
        for label, body in BAD_BODIES.items():
            yield method, label, body


def _send(client, method: str, url: str, body):
    if body is None:
        return getattr(client, method)(url)
    if isinstance(body, dict):
        return getattr(client, method)(url, body, format="json")
    return getattr(client, method)(url, data=body, content_type="application/json")


@pytest.fixture
def canaries(person, organisation_a_objects) -> dict[str, str]:
    # The referral the key sent (its status is what the key may read) carries the name.
    sent = Referral.objects.get(reference=organisation_a_objects["reference"])
    sent.full_name = gate.NAME_CANARIES["full name"]
    sent.save()
    return {
        **gate.NAME_CANARIES,
        "reference": display_reference(person.reference),
        "sent reference": organisation_a_objects["reference"],
    }


@pytest.fixture
def callers(viewer, organisation_a, police_agency, coordinator_a) -> dict:
    raw_key = issue_key(organisation_a, police_agency, coordinator_a)
    return {
        "staff": (sign_in(APIClient(), viewer), {"actor_id": viewer.pk}),
        "key": (key_client(raw_key), {"actor_id": None, "api_key": raw_key.split(".")[0]}),
    }


@pytest.mark.parametrize("caller", ["staff", "key"])
@pytest.mark.parametrize("name", api_url_names())
def test_every_answer_that_shows_a_person_is_audited(
    name, caller, organisation_a_objects, person, canaries, callers
):
    url = _url(name, organisation_a_objects)
    marked = shows_personal_data_page(resolve(url).func)
    client, who = callers[caller]
    showed = False

    for method, label, body in _requests(name, url, organisation_a_objects):
        request = f"{method.upper()} {url}{f' ({label} body)' if label else ''} as {caller}"
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = _send(client, method, url, body)
        assert response.status_code < 500, request
        text = response.content.decode(errors="replace")
        record = {label for label, canary in gate.RECORD_CANARIES.items() if canary in text}
        assert not record, f"{request} showed {record}: the API never shows the record"
        shown = {label for label, canary in canaries.items() if canary in text}
        if not shown:
            continue
        showed = True
        assert marked, f"{request} showed {shown} from a view not marked as personal data"
        viewed = AuditEvent.objects.filter(
            id__gt=last,
            action=AuditEvent.Action.VIEWED,
            organisation_id=person.organisation_id,
            actor_id=who["actor_id"],
        )
        if "api_key" in who:
            viewed = viewed.filter(detail__api_key=who["api_key"])
        assert viewed.exists(), f"{request} showed {shown} and left no VIEWED row"

    if (name, caller) in MUST_SHOW:
        assert showed, f"the walk never saw {name} show the person as {caller}"


def test_an_answer_that_fails_leaves_no_viewed_row(organisation_a_objects, person, callers):
    client, _ = callers["staff"]
    url = _url("api:attendance-record", organisation_a_objects)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    viewed = AuditEvent.objects.filter(id__gt=last, action=AuditEvent.Action.VIEWED)
    assert client.put(url, {"status": "maybe"}, format="json").status_code == 400
    assert not viewed.exists()
    assert client.put(url, {"status": "attended"}, format="json").status_code == 200
    [row] = viewed
    assert row.target_id == str(person.pk)
    assert row.detail == {
        "page": "api attendance recorded",
        "session": str(organisation_a_objects["session_id"]),
    }
