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


THE_READER = "portal/core/json_limits.py"
# Modules that read other JSON libraries' parsers would skip the limits just the same.
OTHER_JSON_LIBRARIES = {"simplejson", "ujson", "orjson", "rapidjson", "ijson", "json5"}
# Where JSON is parsed without the limits, by (module, function), and why that is safe:
# each reads what the portal itself wrote, never what a visitor, an uploader or a
# provider sent. Anything else goes through json_loads_limited.
PARSES_THE_PORTALS_OWN_JSON = {
    ("portal/accounts/passkeys.py", "PasskeyRegistrationComplete.post"): (
        "the passkey library's answer to this same request, made by the portal, to find "
        "the new passkey's id (the body it came from was read through the limits)"
    ),
    ("portal/operations/benchmark/load.py", "_drive"): (
        "locust's statistics file, written by the benchmark's own load process"
    ),
    ("portal/operations/benchmark/measure.py", "_pages"): (
        "the benchmark's own answer from the portal, in a command run by an operator"
    ),
    ("portal/notifications/services.py", "_unseal"): (
        "a waiting message's context, decrypted from the row the portal wrote when it "
        "decided to send it"
    ),
    ("referrals/models.py", "SafeContact.windows"): (
        "a person's safe-time windows, decrypted from the row the portal wrote after "
        "validating them (ContactWindows.to_json)"
    ),
    ("referrals/selfreferral.py", "_draft_data"): (
        "a self-referral draft's answers, decrypted from the row the portal wrote"
    ),
    ("resources/library.py", "read_library"): "packs.json, shipped in the repository",
}


def _qualified_names(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node's enclosing function, as Class.function (nested functions by their
    outer one, which is what the allow-list names)."""
    names: dict[ast.AST, str] = {}

    def visit(node: ast.AST, name: str, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            child_name, child_in_function = name, in_function
            if isinstance(child, ast.ClassDef) and not in_function:
                child_name = f"{name}.{child.name}" if name else child.name
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and not in_function:
                child_name = f"{name}.{child.name}" if name else child.name
                child_in_function = True
            names[child] = child_name
            visit(child, child_name, child_in_function)

    visit(tree, "", False)
    return names


def json_parsing(source: str) -> list[tuple[int, str, str]]:
    """Every place ``source`` parses JSON: ``json.load``/``json.loads`` (however json or
    the function is imported), ``json.JSONDecoder``, a response's ``.json()``, and other
    JSON libraries. Returns (line, enclosing function, what)."""
    tree = ast.parse(source)
    json_modules = {"json"}
    json_functions: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "json":
                    json_modules.add(alias.asname or "json")
                if alias.name.split(".")[0] in OTHER_JSON_LIBRARIES:
                    found.append((node, f"imports {alias.name}"))
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "json":
                for alias in node.names:
                    if alias.name in {"load", "loads", "JSONDecoder"}:
                        json_functions.add(alias.asname or alias.name)
            if node.module.split(".")[0] in OTHER_JSON_LIBRARIES:
                found.append((node, f"imports from {node.module}"))
    names = _qualified_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Attribute):
            on_json = isinstance(function.value, ast.Name) and function.value.id in json_modules
            if on_json and function.attr in {"load", "loads", "JSONDecoder"}:
                found.append((node, f"json.{function.attr}"))
            elif function.attr == "json" and not node.args and not node.keywords:
                found.append((node, ".json()"))
            elif function.attr == "raw_decode":
                found.append((node, "raw_decode"))
        elif isinstance(function, ast.Name) and function.id in json_functions:
            found.append((node, function.id))
    return sorted((node.lineno, names.get(node, ""), what) for node, what in found)


def test_the_scan_finds_every_way_of_parsing_json():
    """The scan itself, on a module written to hide its parsing."""
    found = json_parsing(
        "import json as j\n"
        "from json import loads as parse\n"
        "import orjson\n"
        "def read(request, response, upload):\n"
        "    j.loads(upload.read())\n"
        "    parse(request.body)\n"
        "    j.load(upload)\n"
        "    j.JSONDecoder().decode(upload.read())\n"
        "    response.json()\n"
        "class Client:\n"
        "    def token(self):\n"
        "        return self.http.post('/token').json()['access_token']\n"
    )
    assert [(line, what) for line, _, what in found] == [
        (3, "imports orjson"),
        (5, "json.loads"),
        (6, "parse"),
        (7, "json.load"),
        (8, "json.JSONDecoder"),
        (9, ".json()"),
        (12, ".json()"),
    ]
    assert {where for _, where, _ in found} == {"", "read", "Client.token"}


def test_no_module_parses_json_except_through_the_limited_reader():
    """The class of fault: Python's parser recurses, so JSON from outside the portal (a
    request, an uploaded file, a provider's answer) read any other way can raise
    RecursionError. Only json_limits parses; the portal's own data is on the list above,
    each with its reason."""
    offenders, allowed_and_used = [], set()
    for folder in ("portal", "referrals", "peergroups", "resources"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts or relative == THE_READER:
                continue
            for line, where, what in json_parsing(path.read_text(encoding="utf-8")):
                if (relative, where) in PARSES_THE_PORTALS_OWN_JSON:
                    allowed_and_used.add((relative, where))
                else:
                    offenders.append(f"{relative}:{line} ({where or 'module'}: {what})")
    assert offenders == [], (
        "Parse JSON with portal.core.json_limits.json_loads_limited (or, for the portal's "
        "own stored data, add it to PARSES_THE_PORTALS_OWN_JSON with the reason): "
        + ", ".join(offenders)
    )
    assert allowed_and_used == set(PARSES_THE_PORTALS_OWN_JSON), "the allow-list is out of date"
