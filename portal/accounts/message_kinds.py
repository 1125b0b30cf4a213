"""The message this app sends, registered with the notification service: the notice
that wrong passwords paused signing in to a person's account. The example is a context
as the sending code builds it."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from portal.notifications.registry import Audience, register_message_kind

from .notifications import SIGN_IN_PAUSED_TEMPLATE, _when, rough_device

_PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def _paused_examples() -> list[dict]:
    return [
        {
            "when": _when(timezone.make_aware(datetime(2026, 11, 3, 14, 5))),
            "device": rough_device(_PHONE),
            "paused_minutes": 30,
        }
    ]


register_message_kind(
    SIGN_IN_PAUSED_TEMPLATE,
    audience=Audience.STAFF,
    examples=_paused_examples,
    channels=("email",),
)
