"""How the notification service finds a person, and whether a queued message is still wanted.

Apps register these in their ``ready()``, so the service never imports them.
"""

from __future__ import annotations

from collections.abc import Callable

_recipients: dict[str, Callable] = {}
_guards: dict[str, Callable[[dict], str | None]] = {}


def register_recipient(record_type: str, resolver: Callable) -> None:
    """``resolver(record_id) -> Recipient`` (or raises LookupError if it is gone)."""
    _recipients[record_type] = resolver


def register_guard(template: str, guard: Callable[[dict], str | None]) -> None:
    """``guard(context) -> reason`` says why a queued message is no longer wanted."""
    _guards[template] = guard


def recipient_for(record_type: str, record_id: str):
    return _recipients[record_type](record_id)


def still_wanted(template: str, context: dict) -> str | None:
    guard = _guards.get(template)
    return guard(context) if guard else None
