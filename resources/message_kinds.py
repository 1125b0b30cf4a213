"""The messages this app sends, registered with the notification service: a pack's link
to a family, and the weekly digest of guides due for review to coordinators. The
examples are contexts as the sending code builds them."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from portal.notifications.registry import Audience, register_guard, register_message_kind

from .models import Delivery
from .reminders import _lines
from .services import link_validity, pack_url


def _pack_examples() -> list[dict]:
    # resources.services._send_link
    sent = timezone.make_aware(datetime(2026, 11, 3, 9, 15))
    return [
        {
            "delivery_id": str(uuid.uuid4()),
            "pack_link": settings.PORTAL_BASE_URL.rstrip("/") + pack_url(secrets.token_urlsafe(32)),
            "expires_at": sent + link_validity(),
        }
    ]


def _pack_link_still_live(context: dict) -> str | None:
    """A pack's message waiting for the person's safe time is not sent once staff have
    stopped the link (or the pack is gone). Messages queued before the context named
    the delivery have no "delivery_id"."""
    if "delivery_id" not in context:
        return None
    if not Delivery.objects.filter(pk=context["delivery_id"], revoked_at__isnull=True).exists():
        return "the pack's link was stopped"
    return None


def _review_examples() -> list[dict]:
    own = _lines([("Police bail", date(2026, 10, 1))])
    library = _lines([("The day of the search", date(2026, 9, 14))] * 2)
    signposts = ["Carers' drop-in & café (last checked 2 December 2025)"]
    return [
        {"count": 1, "own": own, "library": [], "signpost_count": 0, "signposts": []},
        {"count": 3, "own": own, "library": library, "signpost_count": 1, "signposts": signposts},
        {"count": 0, "own": [], "library": [], "signpost_count": 1, "signposts": signposts},
    ]


register_message_kind("pack_sent", audience=Audience.FAMILY, examples=_pack_examples)
register_guard("pack_sent", _pack_link_still_live)
register_message_kind(
    "resources_review_due",
    audience=Audience.STAFF,
    examples=_review_examples,
    channels=("email",),
)
