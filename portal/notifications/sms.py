"""Text messages go through a backend chosen in settings (SMS_BACKEND).

The console backend prints messages for development. A provider's real client plugs in
behind the same ``send`` method.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, sender: str) -> str:
        """Send and return the provider's id for the message."""


class ConsoleSmsBackend:
    """Development only: writes the message to the console instead of sending it."""

    def send(self, *, to: str, body: str, sender: str) -> str:
        message_id = f"console-{uuid.uuid4()}"
        print(f"[SMS to {to} from {sender}] {body}")
        return message_id


class LocmemSmsBackend:
    """Tests: keeps messages in ``LocmemSmsBackend.outbox``."""

    outbox: list[dict] = []

    def send(self, *, to: str, body: str, sender: str) -> str:
        message_id = f"locmem-{len(self.outbox) + 1}"
        self.outbox.append({"to": to, "body": body, "sender": sender, "id": message_id})
        return message_id


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
