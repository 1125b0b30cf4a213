"""Reads about messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
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
    """Messages that need someone: tasks nobody has done yet in these organisations,
    newest first: how many, and the first ``limit`` with their messages. Concerns raised
    by facilitators are not among them (they are for coordinators only:
    ``concerns_open``). Two queries whatever the number."""
    tasks = (
        StaffTask.objects.filter(organisation_id__in=organisation_ids, done_at__isnull=True)
        .exclude(kind=StaffTask.Kind.CONCERN_RAISED)
        .select_related("message")
        .order_by("-created_at", "-pk")
    )
    return tasks.count(), list(tasks[:limit])


def _moment_in_words(moment) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local, 'l j F')} at {clock_in_words(local.time().replace(second=0))}"


def staff_task_explanation(task: StaffTask) -> str:
    """What happened and what to do, in plain words for the member of staff."""
    if task.kind == StaffTask.Kind.CONCERN_RAISED:
        return (
            "A facilitator raised a concern about one of the meetings. It is on your "
            "dashboard with the meeting and who raised it; read their note there."
        )
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


def staff_tasks_for(user) -> QuerySet[StaffTask]:
    """The tasks ``user`` may act on: those of the organisations they work in, and of
    those, concerns only where they are a coordinator."""
    from portal.organisations.roles import CASE_ROLES, Role
    from portal.organisations.scoping import member_organisation_ids

    return StaffTask.objects.filter(
        organisation_id__in=member_organisation_ids(user, roles=CASE_ROLES)
    ).exclude(
        Q(kind=StaffTask.Kind.CONCERN_RAISED)
        & ~Q(organisation_id__in=member_organisation_ids(user, roles=[Role.COORDINATOR]))
    )


@dataclass(frozen=True)
class ConcernLine:
    """A concern as a coordinator's dashboard shows it: which meeting, who raised it and
    when, and where to read the note. Never the note's words."""

    task: StaffTask
    explanation: str
    session_id: str = ""
    note_id: str = ""


@dataclass
class ConcernListing:
    count: int
    items: list[ConcernLine]

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def concerns_open(*, organisation_ids, limit: int) -> ConcernListing:
    """Concerns facilitators raised that no coordinator has dealt with yet, newest first.
    Call only for organisations the reader coordinates. Four queries whatever the number."""
    from peergroups.models import SessionNote
    from portal.audit.models import AuditEvent

    tasks = StaffTask.objects.filter(
        organisation_id__in=organisation_ids,
        kind=StaffTask.Kind.CONCERN_RAISED,
        done_at__isnull=True,
    ).order_by("-created_at", "-pk")
    count = tasks.count()
    shown = list(tasks[:limit]) if count else []
    if not shown:
        return ConcernListing(count=count, items=[])
    notes = {
        str(note.pk): note
        for note in SessionNote.objects.filter(
            pk__in=[task.record_id for task in shown],
            session__group__organisation_id__in=organisation_ids,
        )
        # The note's words are not read here: only where it belongs.
        .only("id", "session__id", "session__starts_at", "session__group__title")
        .select_related("session__group")
    }
    raised_by = {
        event.target_id: event.actor
        for event in AuditEvent.objects.filter(
            target_type=StaffTask._meta.label_lower,
            target_id__in=[str(task.pk) for task in shown],
            detail__change="concern_raised",
        ).select_related("actor")
    }
    items = []
    for task in shown:
        note = notes.get(task.record_id)
        actor = raised_by.get(str(task.pk))
        who = actor.get_full_name() if actor else "A facilitator"
        if note is None:
            items.append(ConcernLine(task=task, explanation=f"{who} raised a concern."))
            continue
        meeting = note.session
        items.append(
            ConcernLine(
                task=task,
                explanation=(
                    f"{who} raised a concern about the {meeting.group.title} meeting on "
                    f"{_moment_in_words(meeting.starts_at)}. Read their note, decide what "
                    "to do, and mark this done once it has been dealt with."
                ),
                session_id=str(meeting.pk),
                note_id=str(note.pk),
            )
        )
    return ConcernListing(count=count, items=items)
