"""Registers: when a meeting's register can be taken, and recording attendance.

A register records what happened, so it opens only once the meeting has started (or a
short, configurable while before: ``REGISTER_OPENS_BEFORE_MINUTES``, 15 by default, so a
facilitator can mark people in as they arrive). A cancelled meeting takes no register.
Every change of a mark is audited with its old and new value, who made it and when: a
mark is never overwritten silently. The page and the API both come through here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.contact_windows import clock_in_words
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES

from .models import Attendance, Booking, Session
from .services import PeerGroupError

if TYPE_CHECKING:
    from portal.accounts.models import User

DEFAULT_OPENS_BEFORE_MINUTES = 15
# The audit row's ``detail["change"]`` for a mark made or changed.
ATTENDANCE_CHANGE = "attendance_recorded"


class RegisterClosed(PeerGroupError):
    """The register cannot be taken (yet, or at all). ``code`` is what the API answers."""

    code = "register_closed"


class RegisterNotOpenYet(RegisterClosed):
    code = "register_not_open_yet"

    def __init__(self, message: str, *, opens_at: datetime):
        super().__init__(message)
        self.opens_at = opens_at


class MeetingCancelled(RegisterClosed):
    code = "meeting_cancelled"


def opens_before() -> timedelta:
    return timedelta(
        minutes=getattr(settings, "REGISTER_OPENS_BEFORE_MINUTES", DEFAULT_OPENS_BEFORE_MINUTES)
    )


def register_opens_at(session: Session) -> datetime:
    return session.starts_at - opens_before()


def when_in_words(moment: datetime) -> str:
    """``Thursday 3 December at 6:45pm``, in London time."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'l j F')} at {clock_in_words(local.time().replace(second=0))}"


@dataclass(frozen=True)
class RegisterState:
    """Whether the register can be taken now, and if not, why in plain words."""

    is_open: bool
    opens_at: datetime
    refusal: RegisterClosed | None = None

    @property
    def message(self) -> str:
        return str(self.refusal) if self.refusal else ""


def register_state(session: Session, *, now: datetime | None = None) -> RegisterState:
    now = now or timezone.now()
    opens_at = register_opens_at(session)
    if session.status == Session.Status.CANCELLED:
        return RegisterState(
            is_open=False,
            opens_at=opens_at,
            refusal=MeetingCancelled("This meeting was cancelled, so it has no register to take."),
        )
    if now < opens_at:
        return RegisterState(
            is_open=False,
            opens_at=opens_at,
            refusal=RegisterNotOpenYet(
                "The register for this meeting is not open yet: a register records who "
                "came, so it opens when the meeting starts. You can take it from "
                f"{when_in_words(opens_at)}.",
                opens_at=opens_at,
            ),
        )
    return RegisterState(is_open=True, opens_at=opens_at)


def attendance_record(
    *, session: Session, booking: Booking, status: str, actor: User, request=None
) -> Attendance:
    """Mark one person at one meeting. Refused before the register opens and for a
    cancelled meeting; the same mark again changes nothing; a new or changed mark is
    saved with who made it, and audited with the old and new value."""
    organisation = session.group.organisation
    if not has_role(actor, organisation, CASE_ROLES):
        raise PeerGroupError("You do not work with this group's organisation.")
    if booking.group_id != session.group_id:
        raise PeerGroupError("That person is not in this group.")
    if booking.state not in (Booking.State.CONFIRMED, Booking.State.COMPLETED):
        raise PeerGroupError("Only confirmed participants have attendance.")
    if status not in Attendance.Status.values:
        raise PeerGroupError("Choose attended, apologies or did not attend.")
    with transaction.atomic():
        # Read the meeting again under a lock: a cancellation made a moment ago counts.
        session = Session.objects.select_for_update().get(pk=session.pk)
        state = register_state(session)
        if not state.is_open:
            raise state.refusal
        existing = (
            Attendance.objects.select_for_update().filter(session=session, booking=booking).first()
        )
        old = existing.status if existing else None
        if existing is not None and old == status:
            return existing
        if existing is None:
            attendance = Attendance.objects.create(
                session=session, booking=booking, status=status, recorded_by=actor
            )
        else:
            existing.status, existing.recorded_by = status, actor
            existing.save(update_fields=["status", "recorded_by", "recorded_at"])
            attendance = existing
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=organisation,
            target=session,
            detail={
                "change": ATTENDANCE_CHANGE,
                "booking": str(booking.pk),
                "attendance": attendance.pk,
                "old": old,
                "new": status,
            },
        )
    return attendance


@dataclass(frozen=True)
class MarkChange:
    """One change to a person's mark, as the register shows it."""

    at: datetime
    by: str
    old: str
    new: str


def attendance_changes(*, session: Session) -> dict[str, list[MarkChange]]:
    """Each person's mark history at ``session`` (by booking id), oldest first, from the
    audit log. One query whatever the number of people."""
    labels = dict(Attendance.Status.choices)
    changes: dict[str, list[MarkChange]] = defaultdict(list)
    for event in (
        AuditEvent.objects.filter(
            target_type=Session._meta.label_lower,
            target_id=str(session.pk),
            action=AuditEvent.Action.CHANGED,
            detail__change=ATTENDANCE_CHANGE,
        )
        .select_related("actor")
        .order_by("at", "pk")
    ):
        actor = event.actor
        changes[event.detail.get("booking", "")].append(
            MarkChange(
                at=event.at,
                by=actor.get_full_name() if actor else "someone",
                old=labels.get(event.detail.get("old") or "", ""),
                new=labels.get(event.detail.get("new") or "", ""),
            )
        )
    return dict(changes)
