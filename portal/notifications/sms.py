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

    def send(self, *, to: str, body: str, sender: str) -> str:
        response = self.client.send_sms_notification(
            phone_number=to,
            template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            personalisation={"body": body},
        )
        return response["id"]
