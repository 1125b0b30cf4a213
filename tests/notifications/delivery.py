"""Deliver every queued message now, in the test's process, as a worker would."""

from portal.notifications.models import MessageLog
from portal.notifications.services import message_deliver


def deliver_all() -> None:
    for log in MessageLog.objects.filter(status="pending"):
        message_deliver(log_id=log.pk, last_attempt=False)
