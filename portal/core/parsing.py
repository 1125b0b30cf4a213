"""Reading untrusted values from requests without letting a bad one become a 500."""

from __future__ import annotations

import uuid


def parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None
