"""Reads about messages."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import MessageLog

STALLED_AFTER = timedelta(minutes=15)


def stalled_messages() -> list[int]:
    cutoff = timezone.now() - STALLED_AFTER
    return list(
        MessageLog.objects.filter(
            status__in=[MessageLog.Status.PENDING, MessageLog.Status.SENDING],
            updated_at__lt=cutoff,
        ).values_list("pk", flat=True)[:1000]
    )


def messages_about(*, record_type: str, record_id: str, limit: int = 20) -> QuerySet[MessageLog]:
    return MessageLog.objects.filter(recipient_type=record_type, recipient_id=record_id)[:limit]
