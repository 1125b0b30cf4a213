"""Plain words for the codes a timeline entry keeps (a state, a reason to close, what
happened to a place), so staff read "Placed in a group", not 'placed'."""

from django import template

from referrals.choices import CloseReason, State

register = template.Library()

PLACE_WORDS = {
    "left": "left the group",
    "completed": "completed the course",
    "waitlisted": "on a group's waiting list",
}


@register.filter
def state_words(code: str) -> str:
    return State(code).label if code in State.values else code


@register.filter
def reason_words(reason: str) -> str:
    return CloseReason(reason).label if reason in CloseReason.values else reason


@register.filter
def place_words(place: str) -> str:
    return PLACE_WORDS.get(place, f"place {place}")
