"""Housekeeping writes."""

from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.accounts.models import UserSession

from .models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now()}
    )
    return heartbeat


def sessions_clear_expired() -> int:
    expired = Session.objects.filter(expire_date__lt=timezone.now())
    keys = list(expired.values_list("session_key", flat=True))
    expired.delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)
