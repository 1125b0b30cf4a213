"""Nothing secret or personal in a log line: the one scrubber every log handler uses.

Whoever can read the logs (a hosting provider, a support engineer, a log service) must
not be able to open a family's private page, withdraw their consent, read their pack,
take a staff invitation, or learn who someone is. ``scrub`` rewrites a line so that it
keeps what operators need (the method, the address's shape, the status, the time) and
loses:

- the secret in any address the portal's own URLs say carries one: a parameter named in
  ``SECRET_PARAMETERS`` (place, withdrawal, pack and invitation links, allauth's
  password-reset and email-confirmation keys). The URLconf is asked, so a new private
  link is covered as soon as its parameter has one of those names, whatever its path;
- anything shaped like a secret anywhere (``looks_secret``): long random runs such as
  URL-safe base64, hex digests and Django's signed values, which covers a link whose
  address no longer resolves, a token in a task's arguments or an exception;
- every value of a query string (the names stay: ``?email=[redacted]``);
- email addresses and telephone numbers.

It is applied by ``ScrubbingFilter``, which every handler in ``LOGGING`` carries (tested:
``tests/portal/test_log_scrubbing.py``), by gunicorn's logger (``portal/gunicorn_conf.py``)
and by Celery, which logs through ``LOGGING`` (``portal/celery.py``). django-axes names a
sign-in attempt with ``axes_client_str``, a pseudonym, never the username or address.
"""

from __future__ import annotations

import logging
import logging.config
import re
import threading
from collections.abc import Iterable
from urllib.parse import unquote

REDACTED = "[redacted]"

# URL parameters that carry a secret. ``token``: the portal's private links and staff
# invitations; ``key`` and ``uidb36``: allauth's password-reset and email-confirmation
# links. A new URL parameter of the kind str or path must be named here or in
# tests/portal/test_log_scrubbing.py's list of parameters that are not secret.
SECRET_PARAMETERS = frozenset({"token", "key", "uidb36", "uidb64", "secret", "signature"})

# A URL or a bare path inside a line of text, with its query string.
_URL = re.compile(
    r"""
    (?P<origin>\b[a-z][a-z0-9+.-]*://[^/\s"'<>?#]*)?
    (?P<path>/[^\s"'<>?#]*)
    (?P<query>\?[^\s"'<>#]*)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_QUERY_PAIR = re.compile(r"(?P<name>[^&;=]*)(?P<equals>=?)(?P<value>[^&;]*)")

# Email addresses, also percent-encoded (``%40``) as in a query string or an address.
_EMAIL = re.compile(r"[\w.+'%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")

# Telephone numbers as people write them: 07700 900123, +44 7700 900123,
# +44 (0)20 7946 0958, (020) 7946 0958, 0161-496-0123. A national number starts with 0
# and an international one with +, which keeps dates, times, sizes and ids out.
_PHONE = re.compile(
    r"""
    (?<![\w+])
    (?:\+\d{1,3}[ -]?(?:\(0\)[ -]?)?|\(?0)
    (?:\d[ )-]{0,2}){8,12}\d
    (?!\w)
    """,
    re.VERBOSE,
)

# Runs of the characters URL-safe tokens, hex digests and Django's signed values
# (``value:timestamp:signature``) are made of; ``looks_secret`` decides about each.
_WORD = re.compile(r"[A-Za-z0-9_:%-]{20,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_PART_SEPARATORS = re.compile(r"[-_:%]")
# The digits after a decimal point, with any exponent and unit: Celery's "succeeded in
# 0.0012345678901234567s:" is a duration, not a token.
_FRACTION = re.compile(r"\d+(?:e[-+]?\d+)?[a-z]{0,2}:?")


def looks_secret(word: str) -> bool:
    """Whether ``word`` is shaped like a random secret rather than a name or an id.

    A random token mixes upper case, lower case and digits; a hex digest or a session
    key is one long run of letters and digits. Identifiers (``portal.operations.tasks``,
    ``HTTP_X_FORWARDED_FOR``, ``RequireTwoFactorMiddleware``), timestamps and UUIDs (ids
    of records, not secrets, and what an operator needs to follow a problem) are kept.
    """
    if len(word) < 20 or _UUID.fullmatch(word):
        return False
    has_digit = any(c.isdigit() for c in word)
    has_upper = any(c.isupper() for c in word)
    has_lower = any(c.islower() for c in word)
    if has_digit and has_upper and has_lower:
        return True
    if has_digit and any(len(part) >= 16 for part in _PART_SEPARATORS.split(word)):
        return True
    # URL-safe base64 with, by chance, no digit: about half its letters are capitals,
    # where a CamelCase name has one in five or so.
    letters = [c for c in word if c.isalpha()]
    if len(word) >= 32 and letters:
        capitals = sum(c.isupper() for c in letters) / len(letters)
        return 0.3 <= capitals <= 0.7
    return False


def scrub_query_string(query: str) -> str:
    """``a=1&b=2`` as ``a=[redacted]&b=[redacted]``: which parameters, never their values."""

    def pair(match: re.Match) -> str:
        if not match.group(0):
            return ""
        if not match.group("equals"):
            # A value with no name (``?abc``) is a value.
            return REDACTED
        return match.group("name") + "=" + REDACTED

    return _QUERY_PAIR.sub(pair, query)


def scrub(text: str) -> str:
    """``text`` with every secret and every piece of personal data replaced."""
    if not text:
        return text
    text = _URL.sub(_scrub_url, text)
    text = _EMAIL.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    return _WORD.sub(_redact_word, text)


def _redact_word(match: re.Match) -> str:
    word, start = match.group(0), match.start()
    after_decimal_point = (
        start >= 2 and match.string[start - 1] == "." and (match.string[start - 2].isdigit())
    )
    if after_decimal_point and _FRACTION.fullmatch(word):
        return word
    return REDACTED if looks_secret(word) else word


def _scrub_url(match: re.Match) -> str:
    origin, path, query = match.group("origin"), match.group("path"), match.group("query")
    start = match.start()
    if not origin and start and _is_word_character(match.string[start - 1]):
        # Inside a word, as in ``HTTP/1.1``: not a path.
        return match.group(0)
    path = _redact_url_secrets(path)
    return (origin or "") + path + ("?" + scrub_query_string(query[1:]) if query else "")


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character in "._-~%"


# --- Secrets the URLconf knows about -----------------------------------------------------

_resolving = threading.local()


def _redact_url_secrets(path: str) -> str:
    """``path`` with every segment holding a value of a ``SECRET_PARAMETERS`` parameter of
    the portal URL it resolves to replaced; unchanged when it resolves to none."""
    values = _secret_values(path)
    if not values:
        return path
    segments = path.split("/")
    return "/".join(
        REDACTED if segment and _holds_any(unquote(segment), values) else segment
        for segment in segments
    )


def _holds_any(segment: str, values: Iterable[str]) -> bool:
    # A one- or two-character value (allauth's user number) is redacted where it is the
    # whole segment; a longer one wherever it appears (``<uidb36>-<key>`` is one segment).
    return any(segment == value or (len(value) > 2 and value in segment) for value in values)


def _secret_values(path: str) -> list[str]:
    # Only once Django is set up: gunicorn's master process and Celery before start-up
    # have no URLconf, and the shape rule in ``scrub`` still applies there. A log line
    # written while resolving (a URLconf being imported) must not resolve again.
    if getattr(_resolving, "active", False):
        return []
    try:
        from django.apps import apps

        if not apps.ready:
            return []
        from django.urls import Resolver404, resolve
    except ImportError:
        return []
    _resolving.active = True
    try:
        decoded = unquote(path)
        for candidate in (decoded, decoded + "/") if not decoded.endswith("/") else (decoded,):
            try:
                match = resolve(candidate)
            except Resolver404:
                continue
            return [
                str(value)
                for name, value in match.kwargs.items()
                if name in SECRET_PARAMETERS and str(value)
            ]
        return []
    except Exception:  # logging must never fail because of the URLconf
        return []
    finally:
        _resolving.active = False


# --- Logging ------------------------------------------------------------------------------


class ScrubbingFilter(logging.Filter):
    """Rewrites each record's message, traceback and stack as ``scrub`` does.

    The record itself is changed (Python 3.11 filters cannot hand on a copy), so every
    handler after this one sees the scrubbed record too; a record is scrubbed once. Any
    ``request`` a record carries (``django.request``, ``django.server``) is left for
    handlers that read it; none in ``LOGGING`` does.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "scrubbed", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is still logged, scrubbed
            message = f"{record.msg} {record.args!r}"
        record.msg = scrub(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record.scrubbed = True
        return True


def configure_logging(config: dict) -> None:
    """Django's ``LOGGING_CONFIG``: applies ``LOGGING``, and sends Python's warnings
    through it (the ``py.warnings`` logger), so they are scrubbed too, rather than
    straight to standard error as Django leaves them."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def has_scrubbing_filter(handler: logging.Handler) -> bool:
    return any(isinstance(f, ScrubbingFilter) for f in handler.filters)


def add_scrubbing_filter(handlers: Iterable[logging.Handler]) -> None:
    for handler in handlers:
        if not has_scrubbing_filter(handler):
            handler.addFilter(ScrubbingFilter())


def unscrubbed_handlers() -> list[str]:
    """Every handler attached to a logger in this process that does not scrub, as
    ``"logger name: handler"``; empty when every line written is scrubbed."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return [
        f"{logger.name}: {handler!r}"
        for logger in loggers
        for handler in logger.handlers
        # A NullHandler writes nothing (libraries add one to stay quiet by default).
        if not has_scrubbing_filter(handler) and not isinstance(handler, logging.NullHandler)
    ]


# --- django-axes ---------------------------------------------------------------------------


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How django-axes names a sign-in attempt in its log lines (``AXES_CLIENT_STR_CALLABLE``).

    A keyed pseudonym of the username, address and browser together, so that repeated
    failures by one client can be followed in the logs without saying whose account or
    which address; the audit log and axes' own tables keep the details for coordinators.
    """
    from django.utils.crypto import salted_hmac

    if isinstance(path_info, list | tuple):
        path_info = path_info[0] if path_info else ""
    pseudonym = salted_hmac(
        "portal.core.log_scrubbing.axes_client_str",
        f"{username}\n{ip_address}\n{user_agent}",
    ).hexdigest()[:12]
    return f"client {pseudonym} on {scrub(str(path_info or '-'))}"
