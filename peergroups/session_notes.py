"""Session notes: what a facilitator wants to keep about one meeting, and concerns.

A note is encrypted (``SessionNote.body``) and is for the group's facilitators and the
organisation's coordinators only: anyone else, including other caseworkers and the
facilitators of other groups, is answered as if the meeting had no notes page at all
(404). Writing, changing and reading notes are audited; the audit rows never hold the
words, only which note, who, when, and (for a change) how long the text was before and
after. Only the author changes a note.

A worrying note can be raised as a concern. Until safeguarding has its own place in the
portal, that makes a staff task (``StaffTask.Kind.CONCERN_RAISED``) for the
organisation's coordinators, which says only who raised a concern about which meeting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.models import StaffTask
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES, Role

from .models import Session, SessionNote
from .services import PeerGroupError

if TYPE_CHECKING:
    from portal.accounts.models import User

NOTE_MAX_LENGTH = 5000
NOTE_RECORD_TYPE = SessionNote._meta.label_lower


def can_see_notes(*, user: User, session: Session) -> bool:
    """The group's facilitators and the organisation's coordinators (while they still
    work there), nobody else."""
    organisation = session.group.organisation
    if has_role(user, organisation, [Role.COORDINATOR]):
        return True
    if not has_role(user, organisation, CASE_ROLES):
        return False
    return session.group.facilitators.filter(pk=user.pk).exists()


def _require_notes_access(*, user: User, session: Session) -> None:
    if not can_see_notes(user=user, session=session):
        raise Http404("No notes here.")


def _clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise PeerGroupError("Write the note before saving it.")
    if len(body) > NOTE_MAX_LENGTH:
        raise PeerGroupError(
            f"Keep the note to {NOTE_MAX_LENGTH:,} characters (it has {len(body):,})."
        )
    return body


def session_note_add(*, session: Session, author: User, body: str, request=None) -> SessionNote:
    _require_notes_access(user=author, session=session)
    body = _clean(body)
    with transaction.atomic():
        note = SessionNote.objects.create(session=session, author=author, body=body)
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=author,
            request=request,
            organisation=session.group.organisation,
            target=note,
            detail={
                "change": "session_note_added",
                "session": str(session.pk),
                "characters": len(body),
            },
        )
    return note


def session_note_edit(*, note: SessionNote, actor: User, body: str, request=None) -> SessionNote:
    """Change a note's words. Only its author may; the audit row says how long it was
    before and after, never what it said."""
    session = note.session
    _require_notes_access(user=actor, session=session)
    if note.author_id != actor.pk:
        raise PeerGroupError("Only the person who wrote a note can change it.")
    body = _clean(body)
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        old = note.body
        if old == body:
            return note
        old_updated_at = note.updated_at
        note.body = body
        note.save(update_fields=["body", "updated_at"])
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=session.group.organisation,
            target=note,
            detail={
                "change": "session_note_edited",
                "session": str(session.pk),
                "fields": ["body"],
                "old": {"characters": len(old), "written_at": old_updated_at.isoformat()},
                "new": {"characters": len(body)},
            },
        )
    return note


def session_notes_read(*, session: Session, user: User, request=None) -> list[SessionNote]:
    """The meeting's notes, oldest first, with their authors, for someone allowed to see
    them (404 for anyone else). Reading them is audited (which notes, not their words)."""
    _require_notes_access(user=user, session=session)
    notes = list(
        SessionNote.objects.filter(session=session)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    if notes:
        open_concerns = set(
            StaffTask.objects.filter(
                organisation=session.group.organisation,
                kind=StaffTask.Kind.CONCERN_RAISED,
                record_type=NOTE_RECORD_TYPE,
                record_id__in=[str(note.pk) for note in notes],
                done_at__isnull=True,
            ).values_list("record_id", flat=True)
        )
        for note in notes:
            note.concern_open = str(note.pk) in open_concerns
        audit_record(
            action=AuditEvent.Action.VIEWED,
            actor=user,
            request=request,
            organisation=session.group.organisation,
            target=session,
            detail={"page": "session notes", "notes": [str(note.pk) for note in notes]},
        )
    return notes


def session_note_for(*, user: User, session: Session, note_id) -> SessionNote:
    """One note of ``session`` for someone allowed to see it; 404 otherwise."""
    _require_notes_access(user=user, session=session)
    return get_object_or_404(
        SessionNote.objects.select_related("author", "session__group__organisation"),
        pk=note_id,
        session=session,
    )


def concern_raise(*, note: SessionNote, actor: User, request=None) -> StaffTask:
    """Tell the organisation's coordinators that something in this note is worrying: a
    staff task on their dashboards naming the meeting and who raised it (never the
    note's words). Raising it again while it is open changes nothing."""
    session = note.session
    organisation = session.group.organisation
    _require_notes_access(user=actor, session=session)
    with transaction.atomic():
        existing = (
            StaffTask.objects.select_for_update()
            .filter(
                organisation=organisation,
                kind=StaffTask.Kind.CONCERN_RAISED,
                record_type=NOTE_RECORD_TYPE,
                record_id=str(note.pk),
                done_at__isnull=True,
            )
            .first()
        )
        if existing is not None:
            return existing
        task = StaffTask.objects.create(
            organisation=organisation,
            kind=StaffTask.Kind.CONCERN_RAISED,
            record_type=NOTE_RECORD_TYPE,
            record_id=str(note.pk),
        )
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=organisation,
            target=task,
            detail={
                "change": "concern_raised",
                "note": str(note.pk),
                "session": str(session.pk),
            },
        )
    return task
