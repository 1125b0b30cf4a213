"""The messages this app sends, registered with the notification service: offers,
reminders and changes to a family's meetings and call, and the facilitators' digest. The
examples are contexts as the sending code builds them, with morning and evening times
(the clock ends "a.m." or "p.m.", which a sentence must not end with)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.notifications.registry import Audience, register_message_kind

from .reminders import _in_words


def _moments() -> list[datetime]:
    return [
        timezone.make_aware(datetime(2026, 11, 3, 19, 0)),
        timezone.make_aware(datetime(2026, 12, 10, 10, 30)),
    ]


def _booking_examples() -> list[dict]:
    # peergroups.services._notify_booking: the offer's expiry, or None (a place confirmed
    # straight away, or the times changed).
    return [{"offer_expires_at": moment} for moment in _moments()] + [{"offer_expires_at": None}]


def _cancelled_examples() -> list[dict]:
    return [{"starts_at": moment} for moment in _moments()]


def _session_reminder_examples() -> list[dict]:
    return [
        {
            "session_id": str(uuid.uuid4()),
            "booking_id": str(uuid.uuid4()),
            "starts_at": moment.isoformat(),
            "when": _in_words(moment),
        }
        for moment in _moments()
    ]


def _call_reminder_examples() -> list[dict]:
    return [
        {"slot_id": str(uuid.uuid4()), "starts_at": moment.isoformat(), "when": _in_words(moment)}
        for moment in _moments()
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


register_message_kind("place_offered", audience=Audience.FAMILY, examples=_booking_examples)
register_message_kind("meetings_changed", audience=Audience.FAMILY, examples=_booking_examples)
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
