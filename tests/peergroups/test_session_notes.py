"""Session notes: encrypted, for the group's facilitators and the organisation's
coordinators only (404 for anyone else), changed only by their author, audited on write
and on read without their words; a concern raised from a note becomes a task for the
coordinators alone, naming the meeting and who raised it, never what the note says."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Session, SessionNote
from peergroups.services import PeerGroupError
from peergroups.session_notes import (
    concern_raise,
    session_note_add,
    session_note_edit,
)
from portal.audit.models import AuditEvent
from portal.notifications.models import StaffTask
from portal.organisations.roles import Role
from tests.conftest import _member, sign_in
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

WORDS = "Sam said something about the children that worried me."
DASHBOARD = reverse("staff:dashboard")


@pytest.fixture
def other_facilitator_a(organisation_a):
    return _member(organisation_a, Role.FACILITATOR, "other.facilitator@a.example")


@pytest.fixture
def past_meeting(organisation_a, facilitator_a):
    group = GroupFactory(organisation=organisation_a, title="Tuesday evening group")
    group.facilitators.add(facilitator_a)
    start = timezone.now() - timedelta(hours=2)
    return Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


def register_url(session):
    return reverse("groups:session", kwargs={"session_id": session.pk})


def test_a_note_is_encrypted_and_its_writing_audited_without_its_words(past_meeting, facilitator_a):
    note = session_note_add(session=past_meeting, author=facilitator_a, body=WORDS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM peergroups_sessionnote")
        row = cursor.fetchone()
    assert "worried" not in str(row[0])
    assert SessionNote.objects.get().body == WORDS
    added = AuditEvent.objects.get(detail__change="session_note_added")
    assert added.actor == facilitator_a and added.target_id == str(note.pk)
    assert "worried" not in str(added.detail)


def test_only_the_author_changes_a_note_and_the_change_is_audited_without_text(
    past_meeting, facilitator_a, coordinator_a
):
    note = session_note_add(session=past_meeting, author=facilitator_a, body="Short.")
    with pytest.raises(PeerGroupError):
        session_note_edit(note=note, actor=coordinator_a, body="Not theirs to change.")
    session_note_edit(note=note, actor=facilitator_a, body=WORDS)
    edited = AuditEvent.objects.get(detail__change="session_note_edited")
    assert edited.detail["old"]["characters"] == len("Short.")
    assert edited.detail["new"] == {"characters": len(WORDS)}
    assert "Short." not in str(edited.detail) and "worried" not in str(edited.detail)
    assert SessionNote.objects.get().body == WORDS


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("facilitator_a", True),  # runs the group
        ("coordinator_a", True),  # coordinates the organisation
        ("caseworker_a", False),  # another caseworker
        ("other_facilitator_a", False),  # runs other groups
        ("coordinator_b", False),  # another organisation
    ],
)
def test_who_sees_the_notes(client, request, past_meeting, facilitator_a, who, sees):
    note = session_note_add(session=past_meeting, author=facilitator_a, body=WORDS)
    user = request.getfixturevalue(who)
    sign_in(client, user)
    page = client.get(register_url(past_meeting))
    edit = reverse(
        "groups:session-note-edit", kwargs={"session_id": past_meeting.pk, "note_id": note.pk}
    )
    concern = reverse(
        "groups:session-note-concern", kwargs={"session_id": past_meeting.pk, "note_id": note.pk}
    )
    add = reverse("groups:session-note-add", kwargs={"session_id": past_meeting.pk})
    read = AuditEvent.objects.filter(actor=user, detail__page="session notes")
    if sees:
        assert page.status_code == 200 and WORDS in page.content.decode()
        assert "Session notes" in page.content.decode()
        assert read.get().detail["notes"] == [str(note.pk)]
    else:
        if who == "coordinator_b":
            assert page.status_code == 404
        else:  # the register, yes; the notes, not at all
            assert page.status_code == 200
            assert WORDS not in page.content.decode()
            assert "Session notes" not in page.content.decode()
        assert client.get(edit).status_code == 404
        assert client.post(concern).status_code == 404
        assert client.post(add, {"body": "Trying"}).status_code == 404
        assert not read.exists()
        assert not StaffTask.objects.exists()
        assert SessionNote.objects.count() == 1


def test_a_facilitator_writes_changes_and_lists_notes_on_the_register(
    client, past_meeting, facilitator_a, coordinator_a
):
    sign_in(client, facilitator_a)
    add = reverse("groups:session-note-add", kwargs={"session_id": past_meeting.pk})
    empty = client.post(add, {"body": "  "})
    assert empty.status_code == 400 and "Write the note before saving it." in empty.content.decode()
    client.post(add, {"body": "Quiet meeting, everyone came."})
    note = SessionNote.objects.get()
    content = client.get(register_url(past_meeting)).content.decode()
    assert "Quiet meeting, everyone came." in content and facilitator_a.get_full_name() in content
    edit = reverse(
        "groups:session-note-edit", kwargs={"session_id": past_meeting.pk, "note_id": note.pk}
    )
    assert edit in content
    assert client.post(edit, {"body": "Quiet meeting; one person left early."}).status_code == 302
    assert SessionNote.objects.get().body == "Quiet meeting; one person left early."
    # A coordinator reads it but cannot change it.
    sign_in(client, coordinator_a)
    content = client.get(register_url(past_meeting)).content.decode()
    assert "one person left early" in content and edit not in content
    client.post(edit, {"body": "Changed by someone else"})
    assert SessionNote.objects.get().body == "Quiet meeting; one person left early."


def test_a_concern_is_a_task_for_coordinators_only_without_the_words(
    client, past_meeting, facilitator_a, coordinator_a, caseworker_a, coordinator_b
):
    sign_in(client, facilitator_a)
    add = reverse("groups:session-note-add", kwargs={"session_id": past_meeting.pk})
    client.post(add, {"body": WORDS, "raise_concern": "on"})
    note = SessionNote.objects.get()
    task = StaffTask.objects.get()
    assert task.kind == StaffTask.Kind.CONCERN_RAISED
    assert (task.record_type, task.record_id) == ("peergroups.sessionnote", str(note.pk))
    raised = AuditEvent.objects.get(detail__change="concern_raised")
    assert raised.actor == facilitator_a and raised.target_id == str(task.pk)
    # Raising it again while it is open changes nothing.
    assert concern_raise(note=note, actor=facilitator_a) == task
    assert StaffTask.objects.count() == 1
    assert (
        "Concern raised with the coordinators"
        in client.get(register_url(past_meeting)).content.decode()
    )

    # The facilitator's and a caseworker's dashboards do not show it.
    for user in (facilitator_a, caseworker_a, coordinator_b):
        sign_in(client, user)
        content = client.get(DASHBOARD).content.decode()
        assert "raised a concern" not in content and WORDS not in content
        assert (
            client.post(reverse("notifications:task-done", kwargs={"task_id": task.pk})).status_code
            == 404
        )
    assert StaffTask.objects.get().done_at is None

    # The coordinator's does: who, which meeting, a link to the note, Mark as done.
    sign_in(client, coordinator_a)
    content = client.get(DASHBOARD).content.decode()
    assert "Concerns raised by facilitators" in content
    assert f"{facilitator_a.get_full_name()} raised a concern about the Tuesday evening group" in (
        content
    )
    assert f"{register_url(past_meeting)}#note-{note.pk}" in content
    assert WORDS not in content
    client.post(reverse("notifications:task-done", kwargs={"task_id": task.pk}))
    assert StaffTask.objects.get().done_at is not None
    assert "raised a concern about" not in client.get(DASHBOARD).content.decode()


def test_a_concern_can_be_raised_on_an_existing_note(client, past_meeting, facilitator_a):
    note = session_note_add(session=past_meeting, author=facilitator_a, body=WORDS)
    sign_in(client, facilitator_a)
    concern = reverse(
        "groups:session-note-concern", kwargs={"session_id": past_meeting.pk, "note_id": note.pk}
    )
    response = client.post(concern, follow=True)
    assert "The coordinators have been told" in response.content.decode()
    assert StaffTask.objects.filter(kind=StaffTask.Kind.CONCERN_RAISED).count() == 1
