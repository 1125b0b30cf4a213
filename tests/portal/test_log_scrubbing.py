"""No log line gives away a private link's secret or a person's details.

The scrubber (``portal/core/log_scrubbing.py``) over every kind of private link and every
line that carries a path; every URL parameter that can hold a secret; every log handler
the portal configures, under the production settings and in a Celery worker; and
django-axes' sign-in lines. gunicorn's own logs: test_gunicorn_logs.py.
"""

from __future__ import annotations

import json
import logging
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, UUIDConverter

from portal.core.log_scrubbing import (
    REDACTED,
    SECRET_PARAMETERS,
    ScrubbingFilter,
    looks_secret,
    scrub,
)
from tests.factories import UserFactory
from tests.portal.private_links import every_kind_of_private_link
from tests.production_environment import production_environment

ROOT = Path(__file__).resolve().parents[2]

# Every shape of log line that carries a request's address: gunicorn's access log (with
# the page it came from), Django's 404 and CSRF warnings, the development server's
# request line, a full address in a message or a traceback.
LINE_SHAPES = (
    '127.0.0.1 - - [10/Oct/2025:13:55:36 +0100] "GET {path} HTTP/1.1" 302 0 '
    '"https://portal.example.org{path}" "Mozilla/5.0"',
    "Not Found: {path}",
    "Forbidden (CSRF cookie not set.): {path}",
    '"POST {path} HTTP/1.1" 403 2870',
    "Sending https://portal.example.org{path} to the person",
    '"GET {path}?next={path}&again=1 HTTP/1.1" 200 12',
    "LinkExpired('{path}')",
)


# --- Every kind of private link ----------------------------------------------------------


@pytest.mark.django_db
def test_no_kind_of_private_link_survives_in_any_line_that_carries_it(organisation_a):
    cases = every_kind_of_private_link(organisation_a)
    assert {case.kind for case in cases} >= {
        "place",
        "withdraw",
        "pack",
        "invitation",
        "password reset",
        "email confirmation",
    }
    for case in cases:
        assert case.secret in case.path
        for shape in LINE_SHAPES:
            line = scrub(shape.format(path=case.path))
            assert case.secret not in line, (case.kind, line)
            assert REDACTED in line
        # Cut short or without its final slash, as people paste links.
        without_slash = case.path.rstrip("/")
        assert case.secret not in scrub(f"Not Found: {without_slash}"), case.kind


def _patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            yield prefix, entry


# URL parameters taking free text that are not secrets, and why. A new parameter that
# may hold any text must be added here or to SECRET_PARAMETERS, so that a new kind of
# private link cannot reach the logs unnoticed.
NOT_SECRET = {
    # A referral's reference, which the agency that sent it already holds with its key.
    "reference": "api:referral-status",
    # The first characters of an API key, shown to coordinators to tell keys apart.
    "key_prefix": "staff:api-key-revoke",
    # The Django admin's own ids and catch-all, behind the sign-in and second factor.
    "object_id": "admin",
    "content_type_id": "admin",
    "id": "admin",
    "app_label": "admin",
    "url": "admin",
}
HARMLESS_CONVERTERS = (IntConverter, UUIDConverter, SlugConverter)


def test_every_url_parameter_that_can_hold_text_is_either_secret_or_known_not_to_be():
    unknown = []
    for prefix, pattern in _patterns(get_resolver().url_patterns):
        converters = getattr(pattern.pattern, "converters", {})
        for name in pattern.pattern.regex.groupindex:
            if isinstance(converters.get(name), HARMLESS_CONVERTERS):
                continue
            if name not in SECRET_PARAMETERS and name not in NOT_SECRET:
                unknown.append(f"{prefix}{pattern.name}: {name}")
    assert not unknown, (
        "These URL parameters may hold any text: name them in SECRET_PARAMETERS "
        "(portal/core/log_scrubbing.py) if they can carry a secret, or in NOT_SECRET here "
        f"with the reason they cannot: {unknown}"
    )


def test_a_secret_parameter_is_scrubbed_whatever_it_looks_like():
    """Found by asking the URLconf, not by its shape: a short, plain word in a private
    link's place is redacted as surely as a long random one."""
    found = 0
    for prefix, pattern in _patterns(get_resolver().url_patterns):
        names = set(pattern.pattern.regex.groupindex)
        if not names & SECRET_PARAMETERS or pattern.name is None:
            continue
        kwargs = {name: f"plain{name}" for name in names}
        path = reverse(f"{prefix}{pattern.name}", kwargs=kwargs)
        for shape in LINE_SHAPES:
            line = scrub(shape.format(path=path))
            for name in names & SECRET_PARAMETERS:
                assert f"plain{name}" not in line, (pattern.name, line)
        found += 1
    # The place, withdrawal, pack and invitation links, and allauth's two.
    assert found >= 6


def test_the_rest_of_a_private_pages_address_stays_readable():
    booking = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
    line = f'"POST /support/{booking}/accept/ HTTP/1.1" 302 0'
    assert scrub(line) == line
    calendar = '"GET /support/meetings.ics HTTP/1.1" 200 512'
    assert scrub(calendar) == calendar


# --- Query strings, email addresses, telephone numbers -----------------------------------


def test_query_strings_keep_their_names_and_lose_their_values():
    line = '"GET /staff/referrals/?q=Alex+Example&state=new&page=2 HTTP/1.1" 200 10'
    assert scrub(line) == (
        '"GET /staff/referrals/?q=[redacted]&state=[redacted]&page=[redacted] HTTP/1.1" 200 10'
    )
    assert scrub("https://portal.example.org/refer/?from=leaflet") == (
        "https://portal.example.org/refer/?from=[redacted]"
    )


@pytest.mark.parametrize(
    "personal",
    [
        "jane.doe@example.org",
        "jane.o'brien+portal@mail.example.co.uk",
        "jane.doe%40example.org",
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+447700900123",
        "+44 (0)20 7946 0958",
        "(020) 7946 0958",
        "020 7946 0958",
        "0161-496-0123",
    ],
)
def test_email_addresses_and_telephone_numbers_are_redacted(personal):
    line = scrub(f"Message to {personal} refused: no safe channel")
    assert personal not in line
    assert line == f"Message to {REDACTED} refused: no safe channel"


@pytest.mark.parametrize(
    "useful",
    [
        "Task portal.operations.tasks.clear_expired_sessions[1b4e28ba-2fa1-41d2-883f-0016d3cca427]"
        " succeeded in 0.0123s: None",
        # Celery's durations as Python prints them: long fractions and exponents.
        "Task x[1b4e28ba-2fa1-41d2-883f-0016d3cca427] succeeded in 0.0012345678901234567s: 'sent'",
        "Task x[1b4e28ba-2fa1-41d2-883f-0016d3cca427] succeeded in 9.918007537897976e-06s: None",
        '127.0.0.1 - - [10/Oct/2025:13:55:36 +0100] "GET /staff/ HTTP/1.1" 200 5120 "-" "curl/8"',
        "2025-10-10 13:55:36,123 WARNING django.request Not Found: /staff/referrals/"
        "1b4e28ba-2fa1-41d2-883f-0016d3cca427/",
        "RequireTwoFactorMiddleware HTTP_X_FORWARDED_FOR 2025-10-10T13:55:36.123456+00:00",
        'File "/app/portal/notifications/services.py", line 124, in message_deliver',
        "Booting worker with pid: 12345",
        "Listening at: http://0.0.0.0:8000 (1)",
    ],
)
def test_what_operators_need_is_kept(useful):
    assert scrub(useful) == useful


@pytest.mark.parametrize(
    "word",
    [
        secrets.token_urlsafe(32),
        secrets.token_hex(20),
        signing.dumps("1b4e28ba-2fa1-41d2-883f-0016d3cca427", salt="referrals.withdraw"),
        "Yk-dDqRWbTnLhHvFcXaQsPzEjMuKoGiBwCtNyAxZvRe",  # base64 with, by chance, no digit
    ],
)
def test_secret_shapes(word):
    assert looks_secret(word)
    assert word not in scrub(f"token {word} in a task's arguments")


@pytest.mark.parametrize(
    "word",
    [
        "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        "clear_expired_sessions_every_hour",
        "RequireTwoFactorMiddleware",
        "HTTP_X_FORWARDED_FOR",
        "2025-10-10T13:55:36",
    ],
)
def test_names_and_ids_are_not_secret_shapes(word):
    assert not looks_secret(word)


# --- The filter ------------------------------------------------------------------------


def _record(msg, *args, exc_info=None, **extra):
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, exc_info)
    record.__dict__.update(extra)
    return record


def test_the_filter_scrubs_the_message_its_arguments_and_a_traceback():
    token = secrets.token_urlsafe(32)
    path = f"/refer/withdraw/{token}/"
    try:
        raise ValueError(f"no link for {path} (sent to jane.doe@example.org)")
    except ValueError:
        record = _record("Not Found: %s", path, exc_info=sys.exc_info(), status_code=404)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    assert ScrubbingFilter().filter(record) is True
    written = handler.format(record)
    assert token not in written and "jane.doe@example.org" not in written
    assert written.startswith(f"django.request Not Found: /refer/withdraw/{REDACTED}/")
    assert "ValueError: no link for" in written  # the traceback is still there
    assert record.status_code == 404


def test_a_record_is_scrubbed_once_and_a_bad_format_is_still_written():
    record = _record("%s and %s", "only one")
    ScrubbingFilter().filter(record)
    assert "only one" in record.getMessage()
    record.msg = "jane.doe@example.org"  # written after the first filter: not scrubbed again
    ScrubbingFilter().filter(record)
    assert record.msg == "jane.doe@example.org"


# --- Every handler scrubs ---------------------------------------------------------------


def test_every_handler_in_logging_carries_the_scrubbing_filter():
    logging_config = settings.LOGGING
    filters = logging_config["filters"]
    scrubbing = {
        name
        for name, spec in filters.items()
        if spec.get("()") == ScrubbingFilter.__module__ + "." + ScrubbingFilter.__qualname__
    }
    assert scrubbing, "LOGGING defines no scrubbing filter"
    for name, handler in logging_config["handlers"].items():
        assert scrubbing & set(handler.get("filters", [])), f"handler {name!r} does not scrub"


def _run_probe(code: str, *arguments: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter under the production settings, as a server or a
    worker would start (this process's logging is the test settings')."""
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=ROOT,
        # The probe's warning must be logged, not raised.
        env=production_environment(leave_out=("PYTHONWARNINGS",)),
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_PROBE = r"""
import json, logging, sys, warnings
import django
django.setup()
from portal.core.log_scrubbing import unscrubbed_handlers

token, email = sys.argv[1], sys.argv[2]
logging.getLogger("django.request").warning(
    "Not Found: %s", f"/groups/my-place/{token}/", extra={"status_code": 404}
)
logging.getLogger("django.security.csrf").warning(
    "Forbidden (%s): %s", "CSRF cookie not set.", f"/refer/withdraw/{token}/",
    extra={"status_code": 403},
)
logging.getLogger("django.server").info(
    '"%s" %s %s', f"GET /invitations/{token}/?email={email} HTTP/1.1", "404", "179",
    extra={"status_code": 404},
)
logging.getLogger("portal.notifications.services").warning("Message to %s failed", email)
warnings.warn(f"about /information/pack/{token}/")
import pyasn1.debug
print(json.dumps({
    "unscrubbed": unscrubbed_handlers(),
    "pyasn1 debugging": bool(pyasn1.debug._LOG),
}))
"""


def test_under_the_production_settings_every_log_line_is_scrubbed():
    token, email = secrets.token_urlsafe(32), "jane.doe@example.org"
    result = _run_probe(PRODUCTION_PROBE, token, email)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    # pyasn1 (under the passkey library) gives its logger a handler of its own when it is
    # imported, after LOGGING is applied; it writes only once pyasn1.debug.setLogger()
    # turns its debugging on, which nothing in the portal does.
    assert found["pyasn1 debugging"] is False
    unscrubbed = [line for line in found["unscrubbed"] if not line.startswith("pyasn1: ")]
    assert unscrubbed == [], "handlers that do not scrub"
    written = result.stderr
    assert f"Not Found: /groups/my-place/{REDACTED}/" in written
    assert f"CSRF cookie not set.): /refer/withdraw/{REDACTED}/" in written
    assert f"/invitations/{REDACTED}/?email={REDACTED}" in written
    assert f"/information/pack/{REDACTED}/" in written
    assert token not in written and email not in written


CELERY_PROBE = r"""
import json, logging, sys
from celery.utils.log import get_task_logger
from portal.celery import app
from portal.core.log_scrubbing import unscrubbed_handlers

token, email = sys.argv[1], sys.argv[2]
# As a worker starts (celery worker --loglevel=INFO).
app.log.setup(loglevel=logging.INFO, redirect_stdouts=True)
get_task_logger("resources.tasks").info(
    "Pack link https://portal.example.org/information/pack/%s/ for %s", token, email
)
logging.getLogger("celery.app.trace").info(
    "Task %s succeeded: %r", "referrals.tasks.x", {"link": f"/refer/withdraw/{token}/"}
)
print(f"a task printed {token} and {email}")
# Standard output is now a logger's: the answer goes to the real one.
sys.__stdout__.write(json.dumps(unscrubbed_handlers()))
"""


def test_a_celery_worker_logs_through_the_scrubbing_handlers():
    token, email = secrets.token_urlsafe(32), "jane.doe@example.org"
    result = _run_probe(CELERY_PROBE, token, email)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [], "handlers that do not scrub"
    written = result.stderr
    assert "Pack link https://portal.example.org/information/pack/" in written
    assert "a task printed" in written  # print output became a scrubbed log line
    assert token not in written and email not in written


# --- django-axes --------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.mark.django_db
def test_axes_names_a_failed_sign_in_by_a_pseudonym_never_the_username_or_address():
    user = UserFactory()
    collect = _Collect()
    axes_logger = logging.getLogger("axes")
    axes_logger.addHandler(collect)
    try:
        visitor = Client(REMOTE_ADDR="198.51.100.66", HTTP_USER_AGENT="Firefox")
        for email in (user.email, user.email, "nobody@nowhere.example"):
            visitor.post(reverse("account_login"), {"login": email, "password": "wrong"})
    finally:
        axes_logger.removeHandler(collect)
    failures = [line for line in collect.lines if "login failure" in line]
    assert len(failures) == 3, collect.lines
    for line in collect.lines:
        for personal in (user.email, "nobody@nowhere.example", "198.51.100.66", "Firefox"):
            assert personal not in line, line
    # The same account from the same place has the same pseudonym, so repeats can be
    # followed; another account has another.
    pseudonyms = [line.split("client ", 1)[1].split(" ", 1)[0] for line in failures]
    assert pseudonyms[0] == pseudonyms[1] != pseudonyms[2]
