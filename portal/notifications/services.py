"""Sending to a person. Every outbound message to a family member goes through ``notify``.

It refuses when the person can no longer be contacted (consent withdrawn) or when the
channel is not one they marked safe; it sends under the organisation's discreet sender
name with a neutral subject; and it logs every attempt, sent or refused, without the body.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import MessageLog
from .sms import sms_backend

logger = logging.getLogger(__name__)

SENDABLE_CHANNELS = ("email", "text")


@dataclass(frozen=True)
class Recipient:
    """Who a message is for, and what is safe. Built by the app that owns the person."""

    organisation: object
    record_type: str
    record_id: str
    contactable: bool
    safe_channels: frozenset[str]
    email: str = ""
    phone: str = ""
    name_to_use: str = ""
    links: dict = field(default_factory=dict)


class NotificationRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def choose_channel(recipient: Recipient, preferred: tuple[str, ...] = SENDABLE_CHANNELS) -> str:
    for channel in preferred:
        if channel not in recipient.safe_channels:
            continue
        if (channel == "email" and recipient.email) or (channel == "text" and recipient.phone):
            return channel
    raise NotificationRefused("no channel marked safe for this message")


def _log(
    recipient: Recipient,
    *,
    template: str,
    channel: str,
    status: str,
    reason: str = "",
    provider_id: str = "",
    attempts: int = 0,
) -> MessageLog:
    return MessageLog.objects.create(
        organisation=recipient.organisation,
        recipient_type=recipient.record_type,
        recipient_id=recipient.record_id,
        channel=channel,
        template=template,
        status=status,
        reason=reason,
        provider_id=provider_id,
        attempts=attempts,
    )


def notify(
    *,
    recipient: Recipient,
    template: str,
    context: dict | None = None,
    channel: str | None = None,
) -> MessageLog:
    """Send ``template`` to ``recipient`` on a safe channel; returns the log row.

    Templates live in ``templates/notifications/<template>/``: ``subject.txt``,
    ``body.txt`` and ``body.html`` for email, ``sms.txt`` for text messages. They must
    never state the nature of an investigation.
    """
    try:
        if not recipient.contactable:
            raise NotificationRefused("the person withdrew consent to contact")
        if channel is None:
            channel = choose_channel(recipient)
        elif channel not in recipient.safe_channels:
            raise NotificationRefused(f"{channel} is not marked safe")
        if channel not in SENDABLE_CHANNELS:
            raise NotificationRefused(f"{channel} cannot be sent automatically")
    except NotificationRefused as refusal:
        logger.info("Message %s refused: %s", template, refusal.reason)
        return _log(
            recipient,
            template=template,
            channel=channel or "",
            status=MessageLog.Status.REFUSED,
            reason=refusal.reason,
        )

    organisation = recipient.organisation
    full_context = {
        "sender_name": organisation.discreet_sender_name,
        "name": recipient.name_to_use,
        "links": recipient.links,
        **(context or {}),
    }
    base = f"notifications/{template}"
    try:
        if channel == "email":
            subject = render_to_string(f"{base}/subject.txt", full_context).strip()
            message = EmailMultiAlternatives(
                subject=subject,
                body=render_to_string(f"{base}/body.txt", full_context),
                from_email=f"{organisation.discreet_sender_name} <{settings.DEFAULT_FROM_EMAIL}>",
                to=[recipient.email],
            )
            message.attach_alternative(
                render_to_string(f"{base}/body.html", full_context), "text/html"
            )
            message.send()
            provider_id = message.extra_headers.get("Message-ID", "")
        else:
            body = render_to_string(f"{base}/sms.txt", full_context).strip()
            provider_id = sms_backend().send(
                to=recipient.phone, body=body, sender=organisation.discreet_sender_name
            )
    except Exception as error:
        # The provider's error is logged by type only: its text may echo an address.
        logger.warning("Message %s failed on %s: %s", template, channel, type(error).__name__)
        return _log(
            recipient,
            template=template,
            channel=channel,
            status=MessageLog.Status.FAILED,
            reason=type(error).__name__,
            attempts=1,
        )
    return _log(
        recipient,
        template=template,
        channel=channel,
        status=MessageLog.Status.SENT,
        provider_id=provider_id,
        attempts=1,
    )
