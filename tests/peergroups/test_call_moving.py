"""Moving a first call: the old time is freed for someone else and the new one taken,
together or not at all; the move is on the referral's timeline; a reminder queued for
the old time is not sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peergroups import selectors
from peergroups.models import InitialCallSlot
from peergroups.reminders import call_reminders_queue
from peergroups.services import PeerGroupError, call_slot_book, call_slot_move
from portal.audit.models import AuditEvent
from portal.notifications.models import MessageLog
from referrals.models import ReferralEvent
from tests.conftest import sign_in
from tests.notifications.delivery import deliver_all
from tests.peergroups.support_states import call_slot
from tests.peergroups.test_support_page import assert_reads_cleanly
from tests.private_links import open_place_page, place_url
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def test_moving_frees_the_old_time_for_someone_else(client, organisation_a, facilitator_a):
    first, second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )
    person = make_referral(organisation_a)
    call_slot_book(slot=first, referral=person)
    assert first not in selectors.free_call_slots(organisation=organisation_a)

    open_place_page(client, person)
    page = client.get(place_url("participant")).content.decode()
    assert "Move my call to another time" in page
    response = client.post(place_url("participant-call", slot_id=second.pk), follow=True)
    assert "Your call has moved to" in response.content.decode()
    assert_reads_cleanly(response.content.decode())

    assert InitialCallSlot.objects.get(pk=first.pk).referral is None
    assert InitialCallSlot.objects.get(pk=second.pk).referral == person
    free = selectors.free_call_slots(organisation=organisation_a)
    assert first in free and second not in free
    # Someone else can now book the freed time.
    other = make_referral(organisation_a)
    call_slot_book(slot=first, referral=other)
    assert InitialCallSlot.objects.get(pk=first.pk).referral == other


def test_a_move_is_on_the_timeline_and_audited(client, organisation_a, facilitator_a, caseworker_a):
    first, second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )
    person = make_referral(organisation_a)
    call_slot_book(slot=first, referral=person)
    open_place_page(client, person)
    client.post(place_url("participant-call", slot_id=second.pk))

    event = ReferralEvent.objects.get(referral=person, kind="call_moved")
    assert event.actor is None
    assert event.detail["by"] == "person"
    assert (event.detail["from_slot"], event.detail["slot"]) == (str(first.pk), str(second.pk))
    audit = AuditEvent.objects.get(target_id=str(person.pk), detail__change="call_moved")
    assert audit.actor is None and audit.detail["from_slot"] == str(first.pk)

    staff = sign_in(client.__class__(), caseworker_a)
    timeline = staff.get(reverse("referrals:timeline", kwargs={"referral_id": person.pk}))
    content = timeline.content.decode()
    assert "Initial call moved" in content
    assert f"from {event.detail['was']} to {event.detail['when']}" in content
    assert "by them, on their support page" in content


def test_a_time_taken_meanwhile_leaves_the_booked_call_as_it_was(organisation_a, facilitator_a):
    first, second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )
    person, other = make_referral(organisation_a), make_referral(organisation_a)
    call_slot_book(slot=first, referral=person)
    call_slot_book(slot=second, referral=other)
    with pytest.raises(PeerGroupError, match="just been taken"):
        call_slot_move(referral=person, to_slot=second)
    assert InitialCallSlot.objects.get(pk=first.pk).referral == person
    assert InitialCallSlot.objects.get(pk=second.pk).referral == other
    assert not ReferralEvent.objects.filter(kind="call_moved").exists()


def test_a_past_time_or_the_same_time_is_refused(organisation_a, facilitator_a):
    first = call_slot(facilitator_a, organisation_a)
    person = make_referral(organisation_a)
    call_slot_book(slot=first, referral=person)
    with pytest.raises(PeerGroupError, match="already at that time"):
        call_slot_move(referral=person, to_slot=first)
    past = InitialCallSlot.objects.create(
        organisation=organisation_a,
        facilitator=facilitator_a,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=2),
    )
    with pytest.raises(PeerGroupError, match="passed"):
        call_slot_move(referral=person, to_slot=past)
    assert InitialCallSlot.objects.get(pk=first.pk).referral == person


def test_nothing_to_move_without_a_booked_call(organisation_a, facilitator_a):
    with pytest.raises(PeerGroupError, match="do not have a call booked"):
        call_slot_move(
            referral=make_referral(organisation_a), to_slot=call_slot(facilitator_a, organisation_a)
        )


def test_a_reminder_for_the_old_time_does_not_reach_the_person_who_took_it(
    organisation_a, facilitator_a, django_capture_on_commit_callbacks
):
    """The freed time's reminder, queued before the move, is not sent to either person:
    its person moved away, and whoever books the time next is not who it was for."""
    soon = call_slot(facilitator_a, organisation_a, hours=20)  # inside the reminder window
    later = call_slot(facilitator_a, organisation_a, hours=70)
    mover = make_referral(organisation_a, email="mover@example.org")
    call_slot_book(slot=soon, referral=mover)
    with django_capture_on_commit_callbacks():
        assert call_reminders_queue() == 1
    call_slot_move(referral=mover, to_slot=later)
    call_slot_book(slot=soon, referral=make_referral(organisation_a, email="next@example.org"))
    mail.outbox.clear()
    deliver_all()
    log = MessageLog.objects.get(template="call_reminder")
    assert log.status == "refused" and log.reason == "the call was cancelled or moved"
    # What each of them was sent is the confirmation of their own call, and no reminder.
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("mover@example.org", "Your call with us has changed"),
        ("next@example.org", "Your call with us is booked"),
    ]
