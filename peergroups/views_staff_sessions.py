"""Staff pages about one meeting: its register (open only once the meeting has started),
its session notes, and raising a concern from a note.

The register page is built here (``register_page``) so the note form's errors can be
shown on it; ``views_staff.session_register`` shows it. Notes are for the group's
facilitators and the organisation's coordinators: anyone else gets 404 from the notes
routes and sees no notes section on the register.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from portal.audit.viewing import personal_data_shown, shows_personal_data
from portal.notifications.models import MessageLog

from . import selectors
from .attendance import attendance_changes, register_state
from .forms import JoiningDetailsForm
from .models import Attendance, Session
from .services import PeerGroupError
from .session_notes import (
    NOTE_MAX_LENGTH,
    can_see_notes,
    concern_raise,
    session_note_add,
    session_note_edit,
    session_note_for,
    session_notes_read,
)


class SessionNoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        help_text="What you want to remember about this meeting. Only this group's "
        "facilitators and the coordinators can read it.",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write the note before saving it.",
            "max_length": f"Keep the note to {NOTE_MAX_LENGTH:,} characters.",
        },
    )


class NewSessionNoteForm(SessionNoteForm):
    raise_concern = forms.BooleanField(
        label="Something in this worries me: tell the coordinators",
        required=False,
    )


def _register_url(session: Session, anchor: str = "") -> str:
    url = reverse("groups:session", kwargs={"session_id": session.pk})
    return f"{url}#{anchor}" if anchor else url


def register_page(request, session: Session, *, note_form=None, status: int = 200):
    """The register of ``session`` with its notes for those allowed them. Call from a
    ``shows_personal_data`` view: it names the people on the roster."""
    personal_data_shown(request, organisation=session.group.organisation, target=session)
    state = register_state(session)
    notes_allowed = can_see_notes(user=request.user, session=session)
    roster = selectors.session_roster(session=session)
    changes = attendance_changes(session=session) if state.is_open else {}
    for booking in roster:
        booking.mark_changes = changes.get(str(booking.pk), [])
    return render(
        request,
        "peergroups/staff/session_register.html",
        {
            "session": session,
            "roster": roster,
            "statuses": Attendance.Status.choices,
            "register": state,
            "messages_sent": MessageLog.objects.filter(
                template__in=["session_reminder", "session_cancelled", "meetings_changed"],
                context__session_id=str(session.pk),
            )[:50],
            "joining_form": JoiningDetailsForm(
                initial={"join_url": session.join_url, "passcode": session.passcode}
            ),
            "notes": (
                session_notes_read(session=session, user=request.user, request=request)
                if notes_allowed
                else None
            ),
            "note_form": note_form or (NewSessionNoteForm() if notes_allowed else None),
        },
        status=status,
    )


@require_POST
@shows_personal_data(page="register")
def note_add(request, session_id):
    session = selectors.session_for_staff(user=request.user, session_id=session_id)
    if not can_see_notes(user=request.user, session=session):
        raise Http404
    form = NewSessionNoteForm(request.POST)
    if form.is_valid():
        try:
            note = session_note_add(
                session=session,
                author=request.user,
                body=form.cleaned_data["body"],
                request=request,
            )
        except PeerGroupError as error:
            form.add_error("body", str(error))
        else:
            if form.cleaned_data["raise_concern"]:
                concern_raise(note=note, actor=request.user, request=request)
                messages.success(
                    request, "Note saved, and the coordinators have been told about your concern."
                )
            else:
                messages.success(request, "Note saved.")
            return redirect(_register_url(session, f"note-{note.pk}"))
    return register_page(request, session, note_form=form, status=400)


@require_http_methods(["GET", "POST"])
@shows_personal_data(page="session note")
def note_edit(request, session_id, note_id):
    session = selectors.session_for_staff(user=request.user, session_id=session_id)
    note = session_note_for(user=request.user, session=session, note_id=note_id)
    if note.author_id != request.user.pk:
        messages.error(request, "Only the person who wrote a note can change it.")
        return redirect(_register_url(session, f"note-{note.pk}"))
    personal_data_shown(request, organisation=session.group.organisation, target=note)
    form = SessionNoteForm(request.POST or None, initial={"body": note.body})
    if request.method == "POST" and form.is_valid():
        try:
            session_note_edit(
                note=note, actor=request.user, body=form.cleaned_data["body"], request=request
            )
        except PeerGroupError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, "Note changed.")
            return redirect(_register_url(session, f"note-{note.pk}"))
    return render(
        request,
        "peergroups/staff/session_note_form.html",
        {"session": session, "note": note, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def note_concern(request, session_id, note_id):
    session = selectors.session_for_staff(user=request.user, session_id=session_id)
    note = session_note_for(user=request.user, session=session, note_id=note_id)
    concern_raise(note=note, actor=request.user, request=request)
    messages.success(
        request,
        "The coordinators have been told you raised a concern about this meeting. "
        "They will read your note.",
    )
    return redirect(_register_url(session, f"note-{note.pk}"))
