"""The referral state machine (see docs/architecture.md). Each move has a service."""

from .choices import State

ALLOWED: dict[str, frozenset[str]] = {
    State.NEW: frozenset({State.IN_CONTACT, State.CLOSED}),
    State.IN_CONTACT: frozenset({State.ASSESSED, State.CLOSED}),
    State.ASSESSED: frozenset({State.PLACED, State.WAITLISTED, State.SIGNPOSTED, State.CLOSED}),
    State.WAITLISTED: frozenset({State.PLACED, State.CLOSED}),
    State.PLACED: frozenset({State.CLOSED}),
    State.SIGNPOSTED: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())


def next_states(current: str) -> list[str]:
    return [state for state in State.values if state in ALLOWED.get(current, frozenset())]
