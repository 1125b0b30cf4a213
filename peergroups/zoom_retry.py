"""Trying a failed Zoom update again, by itself and by hand.

A session whose Zoom update failed is tried again after 1, 5, 15 and then 60 minutes;
after that the portal stops and the meeting page says so, with the last error in plain
words and a "Try again now" button. The button only queues a try: no web request ever
waits on Zoom. A new change to the session (its time moved, or it was cancelled) starts
the count again, as does the button.

The periodic job (``tasks.retry_meeting_syncs``, every minute) claims due sessions with
``SELECT … FOR UPDATE SKIP LOCKED`` and pushes their next try past the claim's lease, so
two schedulers never try one session at once and a worker that dies mid-try leaves the
session to be tried again when the lease runs out.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.core.background import task_queue_on_commit

from .models import Group, Session
from .services import PeerGroupError

# Waits before the second, third, fourth and fifth tries; then no more.
RETRY_WAITS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=60),
)
# How long a claimed try may take before another scheduler may try the session again.
CLAIM_LEASE = timedelta(minutes=10)
BATCH = 20


def next_retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries in a row, or None to give up."""
    if 1 <= attempts <= len(RETRY_WAITS):
        return now + RETRY_WAITS[attempts - 1]
    return None


def failure_recorded(session_id, error: str, *, retrying: bool) -> None:
    """Record a failed try: one more in a row if it was a retry, else the first."""
    now = timezone.now()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_id)
        attempts = session.sync_attempts + 1 if retrying else 1
        Session.objects.filter(pk=session_id).update(
            sync_state=Session.Sync.FAILED,
            sync_error=error[:200],
            sync_attempts=attempts,
            sync_retry_at=next_retry_at(attempts, now),
        )


def syncs_due(*, now: datetime | None = None, limit: int = BATCH) -> list:
    """Claim the failed sessions whose next try is due; returns their ids."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Session.objects.select_for_update(skip_locked=True)
            # A meeting that is over needs nothing more from Zoom.
            .filter(sync_state=Session.Sync.FAILED, sync_retry_at__lte=now, ends_at__gt=now)
            .order_by("sync_retry_at")
            .values_list("pk", flat=True)[:limit]
        )
        if due:
            Session.objects.filter(pk__in=due).update(sync_retry_at=now + CLAIM_LEASE)
    return due


def meeting_syncs_retry(*, now: datetime | None = None) -> int:
    """Try each due session again, here in the worker; returns how many were tried."""
    from .meetings import session_meeting_sync

    due = syncs_due(now=now)
    for session_id in due:
        session_meeting_sync(session_id=session_id, retrying=True)
    return len(due)


def may_retry(user: User, group: Group) -> bool:
    from .places_ending import may_end_places

    # The same people as end places: the group's facilitators and the coordinators.
    return may_end_places(user, group)


def session_sync_retry_now(*, session: Session, actor: User, request=None) -> Session:
    """Queue a new try of the session's Zoom update at once (the "Try again now" button).
    The count of tries starts again, so if it fails the automatic tries resume."""
    from .tasks import sync_session_meeting

    with transaction.atomic():
        session = (
            Session.objects.select_for_update()
            .select_related("group__organisation")
            .get(pk=session.pk)
        )
        group = session.group
        if not may_retry(actor, group):
            raise PeerGroupError(
                "Only this group's facilitators or a coordinator can try the Zoom update again."
            )
        if group.format != Group.Format.ZOOM:
            raise PeerGroupError("This group does not meet on Zoom.")
        if session.sync_state not in (Session.Sync.FAILED, Session.Sync.PENDING):
            raise PeerGroupError("The Zoom meeting is already up to date.")
        if session.ends_at <= timezone.now():
            raise PeerGroupError("This meeting is over, so Zoom does not need updating.")
        session.sync_state = Session.Sync.PENDING
        session.sync_attempts = 0
        session.sync_retry_at = None
        session.save(update_fields=["sync_state", "sync_attempts", "sync_retry_at"])
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=group.organisation,
            target=session,
            detail={"change": "zoom update tried again by hand"},
        )
        task_queue_on_commit(sync_session_meeting, str(session.pk))
    return session


# --- What staff see ---------------------------------------------------------------------

_IN_WORDS = [
    (
        re.compile(r"not accepted the organisation|refused the account credentials"),
        "Zoom did not accept the organisation's Zoom settings. A coordinator can check them "
        "under Zoom settings.",
    ),
    (
        re.compile(r"could not be reached"),
        "Zoom could not be reached: its service or the connection to it was down.",
    ),
    (re.compile(r"answered 429"), "Zoom was busy and asked us to wait."),
    (re.compile(r"answered 5\d\d"), "Zoom had a fault at its end."),
    (re.compile(r"answered 40[13]"), "Zoom refused the portal's sign-in for this account."),
    (
        re.compile(r"answered 404"),
        "Zoom no longer has this meeting: it may have been deleted in Zoom itself.",
    ),
    (
        re.compile(r"could not be read|is not a JSON object|has no "),
        "Zoom's answer could not be understood.",
    ),
    (re.compile(r"answered 4\d\d"), "Zoom refused the change."),
]


def sync_error_in_words(error: str) -> str:
    """The stored error (Zoom's status and the request) as staff can act on it."""
    for pattern, words in _IN_WORDS:
        if pattern.search(error):
            return words
    return "Zoom could not be updated." if error else ""


def sync_status(session: Session) -> dict:
    """What the meeting page says about its Zoom meeting."""
    failed = session.sync_state == Session.Sync.FAILED
    over = session.ends_at <= timezone.now()
    return {
        # An online group's meeting is never "not needed": without a Zoom account
        # connected, its joining details are given by hand.
        "state": (
            "No account connected, so the joining details are given by hand"
            if session.sync_state == Session.Sync.NOT_NEEDED
            else session.get_sync_state_display()
        ),
        "failed": failed,
        "error": sync_error_in_words(session.sync_error) if failed else "",
        "technical": session.sync_error if failed else "",
        "attempts": session.sync_attempts,
        "retry_at": session.sync_retry_at if failed and not over else None,
        "given_up": failed and not over and session.sync_retry_at is None,
        "over": over,
        "may_try_now": not over
        and session.sync_state in (Session.Sync.FAILED, Session.Sync.PENDING),
    }
