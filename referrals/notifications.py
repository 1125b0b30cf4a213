"""How the notification service sees a referral: who, what is safe, and their private links."""

from __future__ import annotations

from django.conf import settings

from portal.notifications.models import MessageLog
from portal.notifications.services import Recipient, notify

from .links import participant_url, withdraw_url
from .models import Referral


def referral_recipient(referral: Referral) -> Recipient:
    safe = referral.safe_contact
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return Recipient(
        organisation=referral.organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        contactable=referral.is_contactable,
        safe_channels=frozenset(safe.safe_channels),
        email=referral.email,
        phone=referral.phone,
        name_to_use=safe.name_to_use,
        links={
            "withdraw": base + withdraw_url(referral.pk),
            "my_place": base + participant_url(referral.pk),
        },
    )


def referral_notify(
    *, referral: Referral, template: str, context: dict | None = None, channel: str | None = None
) -> MessageLog:
    return notify(
        recipient=referral_recipient(referral),
        template=template,
        context={"reference": referral.reference, **(context or {})},
        channel=channel,
    )


def referral_recipient_by_id(record_id: str) -> Recipient:
    referral = (
        Referral.objects.select_related("organisation", "safe_contact").filter(pk=record_id).first()
    )
    if referral is None:
        raise LookupError(record_id)
    return referral_recipient(referral)
