"""Reading untrusted values from requests without letting a bad one become a 500."""

from __future__ import annotations

import uuid


def parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def parse_date(value):
    """A date written as 2026-11-28, or None for anything else."""
    from datetime import date

    try:
        return date.fromisoformat(str(value).strip())
    except (ValueError, TypeError):
        return None
