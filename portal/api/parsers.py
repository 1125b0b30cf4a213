"""The API's JSON parser: DRF's, with the portal's limits on size and nesting."""

from __future__ import annotations

from rest_framework import exceptions, parsers
from rest_framework.utils import json

from portal.core.json_limits import (
    MAX_JSON_BODY_BYTES,
    JsonBodyError,
    json_loads_limited,
    too_large,
)


class JsonBodyRefused(exceptions.ParseError):
    """A 400 in the API's error shape, with the limit's own code (``json_too_deep``,
    ``request_too_large`` or ``parse_error``)."""


class LimitedJSONParser(parsers.JSONParser):
    """Reads no more than the size limit from the stream, and parses through the one
    limited reader, so a deeply nested body is a 400, never a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_JSON_BODY_BYTES + 1)
        try:
            if len(raw) > MAX_JSON_BODY_BYTES:
                raise too_large()
            return json_loads_limited(
                raw,
                encoding=parsers.get_encoding(parser_context or {}),
                # NaN and Infinity are refused, as DRF's own parser does by default.
                parse_constant=json.strict_constant if self.strict else None,
            )
        except JsonBodyError as error:
            raise JsonBodyRefused(error.message, code=error.code) from error
