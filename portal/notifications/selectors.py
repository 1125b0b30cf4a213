"""Reads about messages."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format

from .contact_windows import clock_in_words
from .models import MessageLog, StaffTask

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


# What each message was for, in a member of staff's words ("The reminder of their
# meeting was not sent..."). A kind not named here is "message".
MESSAGE_PURPOSES = {
    "referral_received": "acknowledgement of their referral",
    "session_reminder": "reminder of their meeting",
    "call_reminder": "reminder of their call",
    "call_booked": "confirmation of their call",
    "call_moved": "confirmation of their call's new time",
    "place_offered": "offer of a place",
    "meetings_changed": "news that their meetings' times changed",
    "session_cancelled": "news that a meeting was cancelled",
    "pack_sent": "link to their pack",
    "message_from_caseworker": "message from a caseworker",
}


def staff_tasks_open(*, organisation_ids, limit: int) -> tuple[int, list[StaffTask]]:
    """Tasks nobody has done yet in these organisations, newest first: how many, and the
    first ``limit`` with their messages. Two queries whatever the number."""
    tasks = (
        StaffTask.objects.filter(organisation_id__in=organisation_ids, done_at__isnull=True)
        .select_related("message")
        .order_by("-created_at", "-pk")
    )
    return tasks.count(), list(tasks[:limit])


def _moment_in_words(moment) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local, 'l j F')} at {clock_in_words(local.time().replace(second=0))}"


def staff_task_explanation(task: StaffTask) -> str:
    """What happened and what to do, in plain words for the member of staff."""
    message = task.message
    what = MESSAGE_PURPOSES.get(message.template, "message") if message else "message"
    if task.kind == StaffTask.Kind.NO_SAFE_TIME:
        when = (
            f"before it was needed ({_moment_in_words(message.needed_by)})"
            if message is not None and message.needed_by
            else "in the next three weeks"
        )
        return (
            f"The {what} was not sent: none of the times they told us are safe came {when}. "
            "If it still matters, contact them a safe way, at one of their safe times."
        )
    if task.kind == StaffTask.Kind.CALL_NEEDED:
        return (
            f"The {what} was not sent: no written way of contacting them is marked safe. "
            "Please phone them at a safe time."
        )
    return (
        f"The {what} could not be sent. Check the messages on their referral, and reach "
        "them another safe way if it still matters."
    )
