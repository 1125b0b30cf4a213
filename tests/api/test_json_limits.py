"""JSON bodies too large or nested too deeply are a structured 400 at every endpoint that
reads JSON, never a 500 (Python's json module parses by recursion, so 100,000 opening
brackets raised RecursionError). Each reader is checked on its own, with the middleware
taken away, as well as with it."""

import ast
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp_webauthn.views import BaseWebAuthnView
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from peergroups.models import Session
from peergroups.services import booking_confirm, booking_offer
from portal.api.parsers import JsonBodyRefused, LimitedJSONParser
from portal.core.json_limits import MAX_JSON_BODY_BYTES, MAX_JSON_DEPTH, nesting_exceeds
from tests.api.conftest import key_client, referral_body
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MIDDLEWARE = "portal.core.json_limits.JsonBodyLimitMiddleware"
WITHOUT_THE_MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]

BODIES = {
    # 100,000 brackets: over the size limit as well as far too deep.
    "100,000 nested lists": ("[" * 100_000, {"request_too_large", "json_too_deep"}),
    "30,000 nested lists": ("[" * 30_000 + "]" * 30_000, {"json_too_deep"}),
    "nested objects": ('{"a":' * 10_000 + "1" + "}" * 10_000, {"json_too_deep"}),
    "an oversized body": (
        json.dumps({"person": {"full_name": "x" * (MAX_JSON_BODY_BYTES + 1)}}),
        {"request_too_large"},
    ),
}


@pytest.fixture
def attendance_url(organisation_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a)
    booking = booking_confirm(
        booking=booking_offer(
            group=group, referral=make_referral(organisation_a), actor=caseworker_a
        )
    )
    start = timezone.now() - timedelta(hours=1)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    return f"/api/v1/sessions/{session.pk}/attendance/{booking.pk}/"


@pytest.fixture(params=["referral API", "attendance PUT", "passkey begin", "passkey complete"])
def endpoint(request, partner_key, caseworker_a):
    """(client, method, url) for each endpoint that reads a JSON body."""
    if request.param == "referral API":
        return key_client(partner_key), "post", "/api/v1/referrals/"
    if request.param == "attendance PUT":
        url = request.getfixturevalue("attendance_url")
        return sign_in(APIClient(), caseworker_a), "put", url
    name = {
        "passkey begin": "otp_webauthn:credential-authentication-begin",
        "passkey complete": "otp_webauthn:credential-authentication-complete",
    }[request.param]
    return sign_in(Client(), caseworker_a), "post", reverse(name)


def _send(endpoint, body: str):
    client, method, url = endpoint
    return getattr(client, method)(url, data=body, content_type="application/json")


def _assert_structured_400(response, codes: set[str]):
    assert response.status_code == 400, response.content[:200]
    answer = response.json()
    assert answer["status"] == 400 and answer["code"] in codes
    assert answer["message"] and "Traceback" not in answer["message"]


@pytest.mark.parametrize("body", BODIES, ids=list(BODIES))
def test_every_json_endpoint_answers_a_structured_400(endpoint, body):
    text, codes = BODIES[body]
    _assert_structured_400(_send(endpoint, text), codes)


@pytest.mark.parametrize("body", BODIES, ids=list(BODIES))
def test_each_endpoints_own_reader_refuses_it_without_the_middleware(endpoint, body):
    text, codes = BODIES[body]
    with override_settings(MIDDLEWARE=WITHOUT_THE_MIDDLEWARE):
        _assert_structured_400(_send(endpoint, text), codes)


def test_the_passkey_script_still_gets_the_detail_it_shows(caseworker_a):
    client = sign_in(Client(), caseworker_a)
    url = reverse("otp_webauthn:credential-authentication-complete")
    for middleware in (settings.MIDDLEWARE, WITHOUT_THE_MIDDLEWARE):
        with override_settings(MIDDLEWARE=middleware):
            answer = client.post(url, "[" * 30_000, content_type="application/json").json()
        assert answer["detail"] == answer["message"]


def test_a_shallow_body_still_goes_through(partner_key):
    response = key_client(partner_key).post("/api/v1/referrals/", referral_body(), format="json")
    assert response.status_code == 201


def test_invalid_json_that_python_would_choke_on_is_a_400_too(partner_key):
    with override_settings(MIDDLEWARE=WITHOUT_THE_MIDDLEWARE):
        response = key_client(partner_key).post(
            "/api/v1/referrals/", data="[" + "1" * 5000 + "]", content_type="application/json"
        )
    _assert_structured_400(response, {"parse_error"})


def test_brackets_inside_strings_do_not_count():
    deep_in_a_string = json.dumps({"note": "[" * 500 + '\\"{' * 500})
    assert not nesting_exceeds(deep_in_a_string)
    assert nesting_exceeds("[" * (MAX_JSON_DEPTH + 1))
    assert not nesting_exceeds("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)


def test_the_api_parser_reads_no_more_than_the_limit():
    class Endless(io.RawIOBase):
        read_sizes: list[int] = []

        def read(self, size=-1):
            self.read_sizes.append(size)
            return b" " * (size if size > 0 else 10**9)

    stream = Endless()
    with pytest.raises(JsonBodyRefused):
        LimitedJSONParser().parse(stream, parser_context={})
    assert stream.read_sizes == [MAX_JSON_BODY_BYTES + 1]


# --- The class of fault: no reader of JSON can be added without the limits -------------


def _views(patterns=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern, getattr(pattern.callback, "view_class", None)


def test_every_api_view_parses_json_only_with_the_limited_parser():
    assert all(issubclass(p, LimitedJSONParser) for p in api_settings.DEFAULT_PARSER_CLASSES)
    checked = 0
    for pattern, view_class in _views():
        if view_class is None or not issubclass(view_class, APIView):
            continue
        for parser in view_class().get_parsers():
            if issubclass(type(parser), JSONParser) or "json" in parser.media_type:
                assert isinstance(parser, LimitedJSONParser), (pattern, parser)
        checked += 1
    assert checked > 5


def test_every_passkey_endpoint_reads_its_body_through_the_limits():
    from portal.accounts.passkeys import LimitedJsonBody

    passkey_views = [
        view_class
        for _pattern, view_class in _views()
        if view_class is not None and issubclass(view_class, BaseWebAuthnView)
    ]
    assert len(passkey_views) >= 4
    for view_class in passkey_views:
        assert issubclass(view_class, LimitedJsonBody), view_class


def _parses_a_request_body(tree: ast.AST) -> list[int]:
    """Calls like json.loads(request.body) or json.load(request)."""
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"loads", "load"}
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "json"
        ):
            continue
        source = ast.unparse(node.args[0]) if node.args else ""
        if "request" in source:
            found.append(node.lineno)
    return found


def test_no_module_parses_a_request_body_with_json_itself():
    offenders = []
    for folder in ("portal", "referrals", "peergroups", "resources"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = _parses_a_request_body(ast.parse(path.read_text(encoding="utf-8")))
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in lines]
    assert offenders == [], "Use portal.core.json_limits.json_loads_limited: " + ", ".join(
        offenders
    )
