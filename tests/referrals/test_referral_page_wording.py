"""The referral page in plain words: messages by their plain names, never the internal
ones; lines that start with a capital; the Assign control as a labelled form field; and
an online group's meeting never said to need no Zoom meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Group, Session
from peergroups.zoom_retry import sync_status
from portal.notifications.models import MessageLog
from portal.notifications.registry import message_kinds
from referrals.message_labels import LABELS, channel_label, message_label
from referrals.models import Referral
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def test_every_message_kind_known_today_has_a_plain_name():
    # Kinds added later fall back to their words, capitalised; give them a name here.
    known = {kind.template for kind in message_kinds()}
    assert {"referral_received", "session_reminder", "place_offered"} <= known
    for template in known & set(LABELS):
        label = message_label(template)
        assert "_" not in label and label[0].isupper(), template
    assert message_label("referral_received") == "Acknowledgement"
    assert message_label("session_reminder") == "Reminder of a group meeting"
    assert message_label("something_new") == "Something new"
    assert channel_label("text") == "Text message" and channel_label("") == "No channel"


def test_the_messages_list_shows_plain_names(client, organisation_a, caseworker_a):
    person = make_referral(organisation_a)
    Referral.objects.filter(pk=person.pk).update(assigned_to=caseworker_a)
    for template, status in (("referral_received", "sent"), ("session_reminder", "refused")):
        MessageLog.objects.create(
            organisation=organisation_a,
            recipient_type="referrals.referral",
            recipient_id=str(person.pk),
            channel="email",
            template=template,
            status=status,
        )
    sign_in(client, caseworker_a)
    page = client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    content = page.content.decode()
    assert "<td>Acknowledgement</td>" in content
    assert "<td>Reminder of a group meeting</td>" in content
    assert "<td>Email</td>" in content
    assert "referral_received" not in content and "session_reminder" not in content


def test_assign_is_a_labelled_form_field(client, organisation_a, caseworker_a):
    person = make_referral(organisation_a)
    Referral.objects.filter(pk=person.pk).update(assigned_to=caseworker_a)
    sign_in(client, caseworker_a)
    content = client.get(
        reverse("referrals:detail", kwargs={"referral_id": person.pk})
    ).content.decode()
    assert '<label class="label" for="assignee">Assign to</label>' in content
    assert 'aria-describedby="assignee-hint"' in content
    assert 'class="inline-form"' not in content.split('id="move"')[0].split("Assign to")[1]


def test_an_online_groups_meeting_never_says_zoom_is_not_needed(organisation_a):
    group = GroupFactory(organisation=organisation_a, format=Group.Format.ZOOM)
    now = timezone.now()
    session = Session.objects.create(
        group=group,
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        sync_state=Session.Sync.NOT_NEEDED,
    )
    state = sync_status(session)["state"]
    assert "Not needed" not in state and state[0].isupper()
    assert "by hand" in state
