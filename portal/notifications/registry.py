"""What messages there are, how the notification service finds a person, and whether a
queued message is still wanted.

Apps register these when they are loaded, so the service never imports them. A message
kind that is not registered cannot be sent (``message_kind`` refuses it), so the list
here is every message the portal can send: the tests render each one from it, and a new
kind is checked as soon as it exists.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

_recipients: dict[str, Callable] = {}
_guards: dict[str, Callable[[dict], str | None]] = {}
_kinds: dict[str, MessageKind] = {}


class Audience(enum.StrEnum):
    # The people who were referred: every message to them ends with a way to stop all
    # contact (``notifications/includes/family_footer.*``).
    FAMILY = "family"
    # Charity staff, about their work.
    STAFF = "staff"


@dataclass(frozen=True)
class MessageKind:
    """A kind of message: its templates in ``templates/notifications/<template>/``."""

    template: str
    audience: Audience
    # Contexts as the sending code builds them, with realistic values (times from the
    # same formatting, optional parts both present and absent): the message tests
    # render every kind with each of them, in every channel.
    examples: Callable[[], list[dict]]
    # Family messages may go by email or text; some staff messages only by email.
    channels: tuple[str, ...] = ("email", "text")


class UnknownMessageKind(LookupError):
    """A message kind nobody registered: a programming error, never shown to a person."""


def register_message_kind(
    template: str,
    *,
    audience: Audience,
    examples: Callable[[], list[dict]],
    channels: tuple[str, ...] = ("email", "text"),
) -> None:
    _kinds[template] = MessageKind(
        template=template, audience=audience, examples=examples, channels=channels
    )


def message_kind(template: str) -> MessageKind:
    try:
        return _kinds[template]
    except KeyError:
        raise UnknownMessageKind(
            f"No message kind {template!r} is registered (register_message_kind)."
        ) from None


def message_kinds() -> list[MessageKind]:
    return sorted(_kinds.values(), key=lambda kind: kind.template)


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
