"""The referral state machine (see docs/architecture.md). Each move has a service.

Two moves also depend on what has happened, not only on the status: a referral is
"placed in a group" only with a confirmed place, and is closed as "support completed"
only if someone reached the person (``Progress``). The service refuses either with the
reason (``refusal``), and the referral page offers neither until it is possible.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import CloseReason, State

ALLOWED: dict[str, frozenset[str]] = {
    State.NEW: frozenset({State.IN_CONTACT, State.CLOSED}),
    State.IN_CONTACT: frozenset({State.ASSESSED, State.CLOSED}),
    State.ASSESSED: frozenset({State.PLACED, State.WAITLISTED, State.SIGNPOSTED, State.CLOSED}),
    State.WAITLISTED: frozenset({State.PLACED, State.CLOSED}),
    State.PLACED: frozenset({State.CLOSED}),
    State.SIGNPOSTED: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
}

NO_CONFIRMED_PLACE = (
    "A referral is 'Placed in a group' only once the person has a confirmed place: offer "
    "them a place in a group, and it moves on by itself when they accept."
)
NO_CONTACT = (
    "A referral can be closed as 'Support completed' only once someone has reached the "
    "person: a contact attempt where you spoke with them, an initial call held, or a "
    "group meeting they attended. Choose another reason, or log the contact first."
)


@dataclass(frozen=True)
class Progress:
    """What has happened on a referral that some moves depend on."""

    # A place in a group confirmed (still held, or completed).
    has_confirmed_place: bool = False
    # Someone reached the person: a contact attempt that spoke with them, an initial
    # call held, or a group meeting attended.
    has_contact: bool = False


def can_move(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())


def next_states(current: str) -> list[str]:
    return [state for state in State.values if state in ALLOWED.get(current, frozenset())]


def refusal(*, target: str, close_reason: str = "", progress: Progress) -> str | None:
    """Why a move the status allows cannot be made yet; None when it can."""
    if target == State.PLACED and not progress.has_confirmed_place:
        return NO_CONFIRMED_PLACE
    if (
        target == State.CLOSED
        and close_reason == CloseReason.COMPLETED
        and not progress.has_contact
    ):
        return NO_CONTACT
    return None


def close_reasons(progress: Progress) -> list[tuple[str, str]]:
    """The reasons a referral can be closed with now."""
    return [
        (value, label)
        for value, label in CloseReason.choices
        if refusal(target=State.CLOSED, close_reason=value, progress=progress) is None
    ]
