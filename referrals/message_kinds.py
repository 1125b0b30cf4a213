"""The messages this app sends, registered with the notification service: the
acknowledgement a family gets, a caseworker's own message to them, and the digest of
referrals past their first-contact deadline that staff get. The examples are contexts as
the sending code builds them. A caseworker's message, which may wait for the person's safe
time, is dropped if the referral closes or consent is withdrawn first (its guard)."""

from __future__ import annotations

import uuid

from portal.notifications.registry import Audience, register_guard, register_message_kind

from .references import new_reference


def _received_examples() -> list[dict]:
    # referral_notify adds the reference; the organisation's first-contact time varies.
    return [
        {"reference": new_reference(), "working_days": 2},
        {"reference": new_reference(), "working_days": 10},
    ]


def _overdue_examples() -> list[dict]:
    return [
        {"references": [new_reference()], "count": 1},
        {"references": sorted(new_reference() for _ in range(3)), "count": 3},
    ]


def _message_from_caseworker_examples() -> list[dict]:
    # messages_from_staff sends the caseworker's words (kept encrypted while they wait);
    # a text's words are limited by the form so the whole text stays within its parts.
    return [
        {
            "referral_id": str(uuid.uuid4()),
            "body": "Hello, just checking in. Is this still a good way to reach you?",
        },
        {
            "referral_id": str(uuid.uuid4()),
            "body": "Thank you for talking with me on Tuesday. I have found a group that "
            "meets on weekday mornings, online. If you would like to hear more, reply to "
            "this message and I will call you at a time that suits you. Take care.",
        },
    ]


register_message_kind("referral_received", audience=Audience.FAMILY, examples=_received_examples)
register_message_kind(
    "message_from_caseworker",
    audience=Audience.FAMILY,
    examples=_message_from_caseworker_examples,
)


def _caseworker_message_still_wanted(context: dict) -> str | None:
    """A caseworker's message may wait days for a safe time: by then the referral may be
    closed, or the person may have asked us to stop. Messages written before the context
    named the referral have no "referral_id"."""
    if "referral_id" not in context:
        return None
    return referral_no_longer_reachable(context)


def referral_no_longer_reachable(context: dict) -> str | None:
    """Why a message waiting for the person in ``context["referral_id"]`` must not go now
    (gone, consent withdrawn, closed), or None: for every kind that waits for a person."""
    from .models import Referral

    referral = (
        Referral.objects.filter(pk=context.get("referral_id"))
        .only("state", "consent_withdrawn_at", "anonymised_at")
        .first()
    )
    if referral is None:
        return "the record no longer exists"
    if not referral.is_contactable:
        return "the person withdrew consent to contact"
    if not referral.is_open:
        return "the referral was closed"
    return None


register_guard("message_from_caseworker", _caseworker_message_still_wanted)
register_message_kind(
    "first_contact_overdue",
    audience=Audience.STAFF,
    examples=_overdue_examples,
    channels=("email",),
)
