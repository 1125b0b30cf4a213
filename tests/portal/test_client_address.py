"""One function decides the client's address, behind the production proxy as in development.

The sign-in lockouts (django-axes, allauth), the rate limits (django-ratelimit, the API's
throttles), the API call log and the audit log all use ``client_address``. Behind the
proxy, two visitors are two addresses; a forged ``X-Forwarded-For`` sent straight to the
portal changes nothing.
"""

from __future__ import annotations

import ast
import ipaddress
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse
from django_ratelimit.core import _get_ip as ratelimit_address

from portal.accounts.adapters import InvitationOnlyAccountAdapter
from portal.api.throttling import CallerRateThrottle
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.core.client_address import client_address, proxy_settings_check
from referrals import views_public
from referrals.views_public import WITHDRAW_RATE
from tests.factories import PASSWORD, UserFactory
from tests.production_environment import production_environment

ROOT = Path(__file__).resolve().parents[2]
# A private withdrawal link with a wrong secret: refused, but counted against the limit.
WITHDRAWAL_LINK = "/refer/withdraw/not-a-real-token/"

# Docker hands the host proxy's connections to gunicorn from the compose network's gateway.
PROXY = "172.18.0.1"
VISITOR_A = "198.51.100.7"
VISITOR_B = "203.0.113.9"
# A peer on the internet, reaching gunicorn directly (a port published by mistake).
STRANGER = "198.51.100.250"

ADDRESS_SETTINGS = (
    "TRUSTED_PROXY_COUNT",
    "TRUSTED_PROXIES",
    "RATELIMIT_IP_META_KEY",
    "AXES_CLIENT_IP_CALLABLE",
    "AXES_LOCKOUT_PARAMETERS",
    "ACCOUNT_RATE_LIMITS",
    "ACCOUNT_ADAPTER",
)


def env_example_proxy_settings() -> dict[str, str]:
    """What an operator copies from .env.example for the proxy."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        name, _, value = line.partition("=")
        if name.startswith("TRUSTED_PROXY") or name == "TRUSTED_PROXIES":
            values[name.strip()] = value.strip()
    return values


@pytest.fixture(scope="module")
def production_address_settings() -> dict:
    """The proxy, lockout and rate-limit settings as the production settings module makes
    them from .env.example, read in a separate process (the module reads its environment
    once, at import)."""
    environment = {
        key: value
        for key, value in production_environment().items()
        if not key.startswith("TRUSTED_PROX")
    }
    environment.update(env_example_proxy_settings())
    names = ", ".join(repr(name) for name in ADDRESS_SETTINGS)
    program = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{name: getattr(settings, name) for name in ({names},)}}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def behind_the_production_proxy(settings, production_address_settings):
    for name, value in production_address_settings.items():
        setattr(settings, name, value)
    cache.clear()
    yield
    cache.clear()


def request_from(peer: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().get("/", **extra)
    request.user = AnonymousUser()
    return request


def through_proxy(forwarded_for: str, **extra) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for, **extra}


# --- The rule ---------------------------------------------------------------------------


def test_production_trusts_one_proxy_on_a_private_address(production_address_settings):
    assert production_address_settings["TRUSTED_PROXY_COUNT"] == 1
    networks = proxy_settings_check(1, production_address_settings["TRUSTED_PROXIES"])
    assert any(ipaddress.ip_address(PROXY) in network for network in networks)
    assert not any(ipaddress.ip_address(STRANGER) in network for network in networks)


def test_without_a_proxy_the_socket_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("127.0.0.1", VISITOR_A)) == "127.0.0.1"


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        (VISITOR_A, VISITOR_A),
        # Whatever the visitor wrote before the proxy's own entry is never used.
        (f"10.9.9.9, 127.0.0.1, {VISITOR_A}", VISITOR_A),
        (f"  {VISITOR_B} ,{VISITOR_A}  ", VISITOR_A),
        (f"not-an-address, {VISITOR_A}", VISITOR_A),
        (f"{VISITOR_A}:51234", VISITOR_A),
        ("[2001:db8::7]:443", "2001:db8::7"),
        (f"::ffff:{VISITOR_A}", VISITOR_A),
        # No header: the proxy's own request (a health check), or an empty one.
        (None, PROXY),
        ("", PROXY),
        # The proxy's entry is not an address: the chain cannot be read.
        (f"{VISITOR_A}, unknown", PROXY),
    ],
)
def test_behind_one_trusted_proxy_its_entry_is_the_client(
    behind_the_production_proxy, forwarded_for, expected
):
    assert client_address(request_from(PROXY, forwarded_for)) == expected


def test_a_forwarded_header_sent_straight_to_the_portal_is_ignored(behind_the_production_proxy):
    assert client_address(request_from(STRANGER, VISITOR_A)) == STRANGER


def test_two_proxies_are_passed_only_if_the_second_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXIES = ["172.16.0.0/12", "192.0.2.0/24"]
    assert client_address(request_from(PROXY, f"{VISITOR_A}, 192.0.2.5")) == VISITOR_A
    # An outer "proxy" that is not on the list is the client: what it wrote is not believed.
    assert client_address(request_from(PROXY, f"{VISITOR_A}, {VISITOR_B}")) == VISITOR_B
    # Never more proxies than configured, however many trusted addresses are listed.
    forged = f"{VISITOR_A}, 192.0.2.9, 192.0.2.5"
    assert client_address(request_from(PROXY, forged)) == "192.0.2.9"


def test_no_socket_address_gives_no_client_address(settings):
    request = RequestFactory().get("/")
    request.META["REMOTE_ADDR"] = ""
    assert client_address(request) is None
    assert client_address(None) is None


@pytest.mark.parametrize(
    ("count", "proxies", "message"),
    [
        (1, [], "TRUSTED_PROXIES is empty"),
        (1, ["10.0.0.0/33"], "not an IP address or network"),
        (1, ["proxy.example"], "not an IP address or network"),
        (-1, ["10.0.0.1"], "cannot be negative"),
    ],
)
def test_a_wrong_proxy_setting_stops_the_portal_with_a_plain_message(count, proxies, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        proxy_settings_check(count, proxies)


# --- Every consumer asks the same function ------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        (PROXY, f"192.0.2.66, {VISITOR_A}", VISITOR_A),
        (STRANGER, f"192.0.2.66, {VISITOR_A}", STRANGER),
    ],
)
def test_every_consumer_gets_the_same_address(
    behind_the_production_proxy, db, peer, forwarded_for, expected
):
    request = request_from(peer, forwarded_for)
    request.auth = None  # as DRF leaves it for a caller with no API key
    throttle = CallerRateThrottle()
    answers = {
        "the one function": client_address(request),
        "django-axes": get_client_ip_address(request),
        "allauth": InvitationOnlyAccountAdapter(request).get_client_ip(request),
        "django-ratelimit": ratelimit_address(request),
        "API throttle": throttle.get_ident(request),
        "API throttle key": throttle.get_cache_key(request, None).rpartition("ip:")[2],
        "audit log": str(
            audit_record(action=AuditEvent.Action.SIGN_IN_FAILED, request=request).ip_address
        ),
    }
    assert answers == dict.fromkeys(answers, expected)


# Names through which a library reads the address its own way.
OTHER_ADDRESS_READERS = {"get_client_ip_address", "get_client_ip", "get_ident", "_get_ip"}
# Any header (or META key) that names a client's address, however spelt: as a header
# ("X-Real-IP", request.headers["Forwarded"]), as a META key ("HTTP_CF_CONNECTING_IP"),
# in any case. Proxies and CDNs each invent one (X-Client-IP, True-Client-IP,
# Fastly-Client-IP, X-Cluster-Client-IP, X-Envoy-External-Address...); all are as easy to
# forge as X-Forwarded-For. X-Forwarded-Proto and -Host name no address and are left out.
ADDRESS_HEADER_NAME = re.compile(
    r"(?:x-)?(?:forwarded(?:-for)?|remote-addr(?:ess)?|"
    r"(?:[a-z0-9]+-)*(?:client|connecting|real|originating|remote|external)-(?:ip|addr|address))"
)
THE_ONE_PLACE = ROOT / "portal/core/client_address.py"


def names_an_address_header(text: str) -> bool:
    """Whether a string in the code is the name of a header carrying a client address."""
    name = text.strip().lower().replace("_", "-")
    return bool(ADDRESS_HEADER_NAME.fullmatch(name.removeprefix("http-")))


def project_modules():
    for package in ("portal", "referrals", "peergroups", "resources"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and path != THE_ONE_PLACE:
                yield path


def address_reads(source: str) -> list[str]:
    tree = ast.parse(source)
    # A module may call its own override of a library's reader (the API throttle's
    # get_ident); the agreement test above checks what the override answers.
    overridden = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if names_an_address_header(node.value):
                found.append(f"line {node.lineno}: reads {node.value!r}")
        elif isinstance(node, ast.Call):
            function = node.func
            name = getattr(function, "attr", None) or getattr(function, "id", None)
            if name in OTHER_ADDRESS_READERS and name not in overridden:
                found.append(f"line {node.lineno}: calls {name}()")
        elif isinstance(node, ast.ImportFrom) and node.module and "ipware" in node.module:
            found.append(f"line {node.lineno}: imports {node.module}")
    return found


@pytest.mark.parametrize(
    "read",
    [
        'request.META["REMOTE_ADDR"]',
        'request.META.get("HTTP_X_FORWARDED_FOR")',
        'request.headers["Forwarded"]',
        'request.headers.get("X-Real-IP")',
        'request.META["HTTP_X_REAL_IP"]',
        'request.headers.get("x-client-ip")',
        'request.META.get("HTTP_CF_CONNECTING_IP", "")',
        'request.headers["True-Client-IP"]',
        'request.headers.get("Fastly-Client-IP")',
        'request.META["HTTP_X_CLUSTER_CLIENT_IP"]',
        'request.headers.get("X-Envoy-External-Address")',
        'request.headers.get("X-Forwarded")',
        'request.headers.get("Forwarded-For")',
        'request.headers.get("X-Originating-IP")',
    ],
)
def test_the_scan_finds_an_address_read_from_any_header(read):
    assert address_reads(f"def view(request):\n    return {read}\n"), read


@pytest.mark.parametrize(
    "name", ["HTTP_X_FORWARDED_PROTO", "X-Forwarded-Host", "ip_address", "User-Agent"]
)
def test_the_scan_leaves_headers_that_name_no_address(name):
    assert not names_an_address_header(name)


def test_nothing_but_the_one_function_reads_the_client_address():
    """The class of fault: an address read anywhere else is one a forged header or a
    proxy can make disagree with the lockouts, the limits and the audit."""
    offenders = {
        str(path.relative_to(ROOT)): reads
        for path in project_modules()
        if (reads := address_reads(path.read_text()))
    }
    for template in sorted((ROOT / "templates").rglob("*.html")):
        words = re.findall(r"[A-Za-z][\w-]*", template.read_text())
        if any(names_an_address_header(word) for word in words):
            offenders[str(template.relative_to(ROOT))] = ["reads the address in a template"]
    assert offenders == {}, "read the address with portal.core.client_address.client_address"


def test_the_libraries_are_pointed_at_the_one_function(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "portal.core.client_address.client_address"
    assert settings.RATELIMIT_IP_META_KEY == "portal.core.client_address.rate_limit_address"
    assert settings.ACCOUNT_ADAPTER == "portal.accounts.adapters.InvitationOnlyAccountAdapter"
    assert "get_client_ip" in vars(InvitationOnlyAccountAdapter)
    for throttle in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]:
        assert throttle.startswith("portal.api.throttling."), throttle


# --- Behind the production proxy, end to end ---------------------------------------------


def exhaust(client: Client, url: str, data: dict, rate: str, forwarded_for) -> list[int]:
    """POST until the limit is spent; ``forwarded_for`` is a fixed header or one per call."""
    answers = []
    for number in range(int(rate.split("/")[0]) + 1):
        header = forwarded_for(number) if callable(forwarded_for) else forwarded_for
        answers.append(client.post(url, data, **through_proxy(header)).status_code)
    return answers


@pytest.mark.django_db
def test_two_visitors_behind_the_proxy_have_their_own_self_referral_budget(
    behind_the_production_proxy, organisation_a, monkeypatch
):
    # The self-referral's per-address budget (what senders without cookies meet).
    monkeypatch.setattr(views_public, "SUBMIT_RATE_PER_ADDRESS", "5/10m")
    url = reverse("selfreferral:start", kwargs={"slug": organisation_a.slug})
    data = {"submission_key": "not-a-real-key"}
    answers = [Client().post(url, data, **through_proxy(VISITOR_A)).status_code for _ in range(6)]
    assert answers[-1] == 429
    assert Client().post(url, data, **through_proxy(VISITOR_B)).status_code != 429


@pytest.mark.django_db
def test_two_visitors_behind_the_proxy_have_their_own_withdrawal_budget(
    behind_the_production_proxy,
):
    url = WITHDRAWAL_LINK
    assert exhaust(Client(), url, {}, WITHDRAW_RATE, VISITOR_A)[-1] == 429
    assert Client().post(url, {}, **through_proxy(VISITOR_B)).status_code != 429


@pytest.mark.django_db
def test_a_forged_header_sent_straight_to_the_portal_buys_no_new_budget(
    behind_the_production_proxy,
):
    url = WITHDRAWAL_LINK
    client = Client()
    answers = []
    for number in range(int(WITHDRAW_RATE.split("/")[0]) + 1):
        forged = f"192.0.2.{number + 1}"
        response = client.post(url, {}, REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=forged)
        answers.append(response.status_code)
    assert answers[-1] == 429


@pytest.mark.django_db
def test_sign_ins_behind_the_proxy_are_audited_and_locked_out_per_visitor(
    behind_the_production_proxy, settings
):
    user = UserFactory()
    login = reverse("account_login")
    attacker, person = Client(), Client()
    browser = {"HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            login, {"login": user.email, "password": "wrong"}, **through_proxy(VISITOR_A, **browser)
        )
    refused = attacker.post(
        login, {"login": user.email, "password": PASSWORD}, **through_proxy(VISITOR_A, **browser)
    )
    assert refused.status_code == 429

    # The same browser, another visitor behind the same proxy: not locked out.
    person.post(
        login, {"login": user.email, "password": PASSWORD}, **through_proxy(VISITOR_B, **browser)
    )
    assert person.session.get("_auth_user_id") == str(user.pk)

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {VISITOR_A}
    audited = set(AuditEvent.objects.values_list("action", "ip_address"))
    assert audited == {("sign_in_failed", VISITOR_A), ("sign_in", VISITOR_B)}


@pytest.mark.django_db
def test_a_forged_header_sent_straight_to_the_portal_is_audited_as_the_sender(
    behind_the_production_proxy,
):
    client = Client()
    client.post(
        reverse("account_login"),
        {"login": "someone@example.org", "password": "wrong"},
        REMOTE_ADDR=STRANGER,
        HTTP_X_FORWARDED_FOR=VISITOR_A,
    )
    assert list(AuditEvent.objects.values_list("ip_address", flat=True)) == [STRANGER]
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [STRANGER]
