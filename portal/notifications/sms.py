"""Text messages go through a backend chosen in settings (SMS_BACKEND).

The console backend prints messages for development (``make run``), so the private links
in them can be opened from the terminal; it writes past the log scrubbing, so it prints
only with DEBUG on, and production refuses it at start-up. A provider's real client
plugs in behind the same ``send`` method.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# How long a text to a family may be, with realistic values in it (a sender name, the
# portal's address in its links): three parts. A longer text is sent in more parts, each
# charged, and may arrive in pieces or out of order; the message tests render every kind
# of text and fail on a longer one (tests/notifications/test_message_footers.py).
SMS_MAX_PARTS = 3

# GSM 03.38, the alphabet every phone reads: 160 characters fit in one part, 153 in
# each part of a longer text. One character outside it (a curly quote, a dash) sends the
# whole text as UCS-2: 70 characters in one part, 67 in each of several.
GSM_CHARACTERS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# These are in GSM 03.38's extension table: each takes the room of two characters.
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def sms_is_gsm(body: str) -> bool:
    return all(ch in GSM_CHARACTERS or ch in GSM_EXTENSION for ch in body)


def sms_parts(body: str) -> int:
    """How many parts a text of ``body`` is sent in."""
    if sms_is_gsm(body):
        length = sum(2 if ch in GSM_EXTENSION else 1 for ch in body)
        single, each = 160, 153
    else:
        # UCS-2 counts in UTF-16 code units: an emoji takes two.
        length = len(body.encode("utf-16-le")) // 2
        single, each = 70, 67
    if length <= single:
        return 1
    return -(-length // each)


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, sender: str, reference: str = "") -> str:
        """Send and return the provider's id for the message."""


class SmsBackendThatCanBeAsked(SmsBackend, Protocol):
    """A provider that can say whether it already has a message, by its reference. Only
    these let a message interrupted mid-send be settled without a person checking."""

    def sent_with_reference(self, reference: str) -> str | None:
        """The provider's id of a message sent with ``reference``, or None if none was."""


def can_be_asked(backend) -> bool:
    return callable(getattr(backend, "sent_with_reference", None))


class ConsoleSmsBackend:
    """Development only: prints the message as a block (``console``) instead of sending
    it."""

    def send(self, *, to: str, body: str, sender: str, reference: str = "") -> str:
        from .console import masked_phone, message_block, print_block, require_debug

        require_debug("SMS")
        message_id = f"console-{uuid.uuid4()}"
        print_block(message_block(channel="Text", to=masked_phone(to), sender=sender, body=body))
        return message_id


class LocmemSmsBackend:
    """Tests: keeps messages in ``LocmemSmsBackend.outbox``."""

    outbox: list[dict] = []

    def send(self, *, to: str, body: str, sender: str, reference: str = "") -> str:
        message_id = f"locmem-{len(self.outbox) + 1}"
        self.outbox.append(
            {"to": to, "body": body, "sender": sender, "id": message_id, "reference": reference}
        )
        return message_id

    def sent_with_reference(self, reference: str) -> str | None:
        found = [m["id"] for m in self.outbox if reference and m["reference"] == reference]
        return found[0] if found else None


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


class NotifySmsBackend:
    """GOV.UK Notify. Needs a Notify template whose whole text is ``((body))``.

    Settings: NOTIFY_API_KEY, NOTIFY_SMS_TEMPLATE_ID, and NOTIFY_BASE_URL (only to point
    at a test double). The sender shown on phones is the one set up in Notify.
    """

    def __init__(self):
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=10
        )

    def send(self, *, to: str, body: str, sender: str, reference: str = "") -> str:
        response = self.client.send_sms_notification(
            phone_number=to,
            template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            personalisation={"body": body},
            reference=reference or None,
        )
        return response["id"]

    def sent_with_reference(self, reference: str) -> str | None:
        """Notify lists the notifications sent with a reference (GET /v2/notifications)."""
        found = self.client.get_all_notifications(reference=reference)["notifications"]
        return found[0]["id"] if found else None
