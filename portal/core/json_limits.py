"""How big and how deeply nested a JSON body may be, and the one way to read one.

Python's json module parses by recursion: a body of 100,000 opening brackets raises
RecursionError, which no view expects, so the caller got a 500. Every JSON body the portal
reads is small and shallow (a referral is four levels deep, a passkey answer five), so
anything larger or deeper is refused with a plain 400 before it is parsed:

- ``json_loads_limited`` is the only function that parses JSON from outside the portal:
  request bodies (DRF's parser ``portal.api.parsers.LimitedJSONParser``, the API's only
  parser, and the passkey endpoints), files uploaded by staff (the support directory's
  import, with a larger size limit) and providers' answers (Zoom). A test fails if any
  other module calls ``json.load``/``json.loads`` or a response's ``.json()``, except
  the few on its explained allow-list (the portal's own stored data and files).
- ``JsonBodyLimitMiddleware`` checks every request sent as JSON before any view runs, so
  a view added later is covered even if it parses the body some other way.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import JsonResponse

MAX_JSON_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 20

# Outside strings only brackets matter; inside them, an escaped character (\" above all)
# must be stepped over whole. One pass, no backtracking: linear in the body's length.
_JSON_TOKENS = re.compile(r'\\.|["\[\]{}]', re.DOTALL)


class JsonBodyError(ValueError):
    """A JSON body that cannot be accepted; ``message`` is plain English, safe to show."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def too_large() -> JsonBodyError:
    return JsonBodyError(
        "request_too_large",
        f"The request body is too large. Send at most {MAX_JSON_BODY_BYTES // 1024} KB of JSON.",
    )


def too_deep() -> JsonBodyError:
    return JsonBodyError(
        "json_too_deep",
        f"The JSON is nested too deeply. Objects and lists may be nested at most "
        f"{MAX_JSON_DEPTH} levels deep.",
    )


def not_json() -> JsonBodyError:
    return JsonBodyError("parse_error", "The request body is not valid JSON.")


def nesting_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether objects and lists in ``text`` nest deeper than ``limit``, without parsing."""
    depth = 0
    in_string = False
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()
        if char == '"':
            in_string = not in_string
        elif in_string or len(char) > 1:
            continue
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _text_of(raw: bytes | str, encoding: str | None = None) -> str:
    if isinstance(raw, str):
        return raw
    try:
        # Without a declared charset, the encodings json.loads itself accepts (UTF-8, -16
        # or -32, found from the first bytes), so what is checked is what is parsed.
        return raw.decode(encoding or json.detect_encoding(raw))
    except (UnicodeDecodeError, LookupError) as error:
        raise not_json() from error


def body_problem(raw: bytes | str) -> JsonBodyError | None:
    """Why a body may not be parsed (too large, too deep), or None. Not whether it is
    valid JSON: that is for the parser to say."""
    if len(raw) > MAX_JSON_BODY_BYTES:
        return too_large()
    try:
        text = _text_of(raw)
    except JsonBodyError:
        return None
    return too_deep() if nesting_exceeds(text) else None


def json_loads_limited(
    raw: bytes | str,
    *,
    encoding: str | None = None,
    parse_constant=None,
    max_bytes: int = MAX_JSON_BODY_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """Parse JSON from outside the portal, refusing it with ``JsonBodyError`` when it is
    larger than ``max_bytes`` (characters, for text) or nested deeper than ``max_depth``;
    invalid JSON (a number of 5,000 digits too) is a ``JsonBodyError`` as well. The
    error's ``code`` says which; its message speaks of a request body, so a caller
    reading anything else says it in its own words."""
    if len(raw) > max_bytes:
        raise too_large()
    text = _text_of(raw, encoding)
    if nesting_exceeds(text, max_depth):
        raise too_deep()
    try:
        return json.loads(text, parse_constant=parse_constant)
    except (ValueError, RecursionError) as error:
        raise not_json() from error


def _is_json(request) -> bool:
    content_type = (request.content_type or "").lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def json_error_response(request, error: JsonBodyError) -> JsonResponse:
    """The API's error shape; elsewhere (the passkey endpoints) with the ``detail`` the
    passkey library's script shows to the person as well."""
    from portal.api.errors import error_body

    body = error_body(400, error.code, error.message)
    if not request.path_info.startswith("/api/"):
        body["detail"] = error.message
    return JsonResponse(body, status=400)


class JsonBodyLimitMiddleware:
    """Refuse a JSON body that is too large or too deep before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = _declared_length(request)
        if length and _is_json(request):
            if length > MAX_JSON_BODY_BYTES:
                # Refused from the header alone: the body is never read into memory.
                return json_error_response(request, too_large())
            problem = body_problem(request.body)
            if problem is not None:
                return json_error_response(request, problem)
        return self.get_response(request)
