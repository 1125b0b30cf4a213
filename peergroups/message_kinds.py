"""The messages this app sends, registered with the notification service: offers,
reminders and changes to a family's meetings and call, and the facilitators' digest. The
examples are contexts as the sending code builds them, with morning and evening times
(the clock ends "a.m." or "p.m.", which a sentence must not end with)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.notifications.registry import Audience, register_guard, register_message_kind

from .models import Booking
from .reminders import _in_words


def _moments() -> list[datetime]:
    return [
        timezone.make_aware(datetime(2026, 11, 3, 19, 0)),
        timezone.make_aware(datetime(2026, 12, 10, 10, 30)),
    ]


def _booking_examples() -> list[dict]:
    # peergroups.services._notify_booking: the offer's expiry, or None (a place confirmed
    # straight away, or the times changed).
    return [
        {"booking_id": str(uuid.uuid4()), "offer_expires_at": expires}
        for expires in [*_moments(), None]
    ]


def _cancelled_examples() -> list[dict]:
    return [{"starts_at": moment} for moment in _moments()]


def _session_reminder_examples() -> list[dict]:
    return [
        {
            "session_id": str(uuid.uuid4()),
            "booking_id": str(uuid.uuid4()),
            "starts_at": moment.isoformat(),
            "when": _in_words(moment),
            "offset_minutes": offset,
        }
        for moment in _moments()
        for offset in (2 * 24 * 60, 2 * 60)
    ]


def _call_reminder_examples() -> list[dict]:
    # "method" is absent from reminders queued before calls recorded how they happen.
    return [
        {
            "slot_id": str(uuid.uuid4()),
            "referral_id": str(uuid.uuid4()),
            "starts_at": moment.isoformat(),
            "when": _in_words(moment),
            **({"method": method} if method else {}),
        }
        for moment in _moments()
        for method in ("phone", "video", "")
    ]


def _digest_examples() -> list[dict]:
    day = _moments()[0]
    return [
        {
            "meetings": [
                f"{date_format(moment, 'g:i a')}: Tuesday evening group (6 booked)"
                for moment in (day - timedelta(hours=9), day)
            ],
            "day": date_format(day, "l j F"),
        }
    ]


def _place_in_state(context: dict, state: str) -> bool:
    # Messages sent before the context named the booking have no "booking_id".
    if "booking_id" not in context:
        return True
    return Booking.objects.filter(pk=context["booking_id"], state=state).exists()


def _offer_still_open(context: dict) -> str | None:
    if not _place_in_state(context, Booking.State.OFFERED):
        return "the place is no longer offered"
    return None


def _place_still_confirmed(context: dict) -> str | None:
    if not _place_in_state(context, Booking.State.CONFIRMED):
        return "the place was given up"
    return None


register_message_kind("place_offered", audience=Audience.FAMILY, examples=_booking_examples)
register_message_kind("meetings_changed", audience=Audience.FAMILY, examples=_booking_examples)
# A message about a place may wait for the person's safe time: checked again as it goes.
register_guard("place_offered", _offer_still_open)
register_guard("meetings_changed", _place_still_confirmed)
register_message_kind("session_cancelled", audience=Audience.FAMILY, examples=_cancelled_examples)
register_message_kind(
    "session_reminder", audience=Audience.FAMILY, examples=_session_reminder_examples
)
register_message_kind("call_reminder", audience=Audience.FAMILY, examples=_call_reminder_examples)
register_message_kind(
    "facilitator_digest",
    audience=Audience.STAFF,
    examples=_digest_examples,
    channels=("email",),
)


# --- Initial call confirmations (peergroups.services._call_confirmation_queue) ---------


def _call_confirmation_examples() -> list[dict]:
    return [
        {
            "slot_id": str(uuid.uuid4()),
            "referral_id": str(uuid.uuid4()),
            "starts_at": moment.isoformat(),
            "method": method,
            "when": _in_words(moment),
        }
        for moment in _moments()
        for method in ("phone", "video")
    ]


def _call_confirmation_still_wanted(context: dict) -> str | None:
    """A confirmation is for one time and one way: dropped if, before it goes, the call
    moved, changed its way, was given to someone else or has happened."""
    from .models import InitialCallSlot

    slot = InitialCallSlot.objects.filter(pk=context["slot_id"]).first()
    if (
        slot is None
        or str(slot.referral_id) != context["referral_id"]
        or slot.starts_at.isoformat() != context["starts_at"]
        or slot.method != context["method"]
        or slot.outcome
    ):
        return "the call was moved, changed or cancelled"
    return None


def _call_confirmations_register() -> None:
    # Imported here so that this section only adds to the file.
    from portal.notifications.registry import register_guard

    for template in ("call_booked", "call_moved"):
        register_message_kind(
            template, audience=Audience.FAMILY, examples=_call_confirmation_examples
        )
        register_guard(template, _call_confirmation_still_wanted)


_call_confirmations_register()


# --- A message to the group (peergroups.group_messages) ------------------------------


def _message_to_group_examples() -> list[dict]:
    # group_messages sends the facilitator's words to each person (kept encrypted while
    # they wait); the form keeps them short enough for a text where anyone gets one.
    ids = {
        "referral_id": str(uuid.uuid4()),
        "booking_id": str(uuid.uuid4()),
        "group_id": str(uuid.uuid4()),
    }
    return [
        {**ids, "body": "Hello everyone. Next week we start half an hour later, at 7:30pm."},
        {
            **ids,
            "body": "Hello everyone, thank you for last night. A few of you asked about the "
            "list of helplines we talked about: it is on your support page now. If you "
            "cannot come next week, just let us know. Take care until then.",
        },
    ]


def _message_to_group_still_wanted(context: dict) -> str | None:
    """A group message may wait days for a person's safe time: by then their place may
    have ended, their referral may be closed, or they may have asked us to stop."""
    from referrals.message_kinds import referral_no_longer_reachable

    if gone := referral_no_longer_reachable(context):
        return gone
    if not _place_in_state(context, Booking.State.CONFIRMED):
        return "their place in the group ended"
    return None


register_message_kind(
    "message_to_group", audience=Audience.FAMILY, examples=_message_to_group_examples
)
register_guard("message_to_group", _message_to_group_still_wanted)
