"""Erasing a person on request removes everything about them and leaves a tombstone
that says only that an erasure happened, when and by whom."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Attendance, Booking, InitialCallSlot, Session
from peergroups.services import (
    attendance_record,
    booking_confirm,
    booking_offer,
    call_slot_book,
    call_slot_publish,
)
from portal.notifications.models import MessageLog
from portal.notifications.services import message_queue
from referrals.models import (
    AccessReason,
    CaseNote,
    ConsentRecord,
    ContactAttempt,
    ErasureTombstone,
    Referral,
    ReferralEvent,
    SafeContact,
)
from referrals.services import case_note_add, contact_attempt_record
from resources import services as resource_services
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral
from tests.resources.factories import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_with_history(organisation_a, caseworker_a, coordinator_a, facilitator_a):
    referral = make_referral(organisation_a)
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome="reached",
        note="Spoke",
        actor=caseworker_a,
        override_reason="They rang us and asked for a call back",
    )
    case_note_add(referral=referral, body="Wants the evening group", actor=caseworker_a)
    group = GroupFactory(organisation=organisation_a)
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=referral, actor=caseworker_a)
    )
    start = timezone.now() - timedelta(days=1)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    attendance_record(session=session, booking=booking, status="attended", actor=facilitator_a)
    slot = call_slot_publish(
        facilitator=facilitator_a,
        organisation=organisation_a,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, minutes=30),
    )
    call_slot_book(slot=slot, referral=referral, actor=caseworker_a)
    resource_services.pack_send(
        referral=referral,
        pack=None,
        resources=[make_resource(organisation_a, actor=coordinator_a)],
        actor=caseworker_a,
    )
    message_queue(
        organisation=organisation_a,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template="referral_received",
        context={},
        key=f"erasure-test:{referral.pk}",
    )
    AccessReason.objects.create(
        referral=referral,
        organisation=organisation_a,
        user=coordinator_a,
        because="closed",
        reason="Checking",
    )
    return referral


def test_a_coordinator_erases_everything_about_the_person(
    client, organisation_a, coordinator_a, person_with_history
):
    referral = person_with_history
    someone_else = make_referral(organisation_a)
    assert MessageLog.objects.filter(recipient_id=str(referral.pk)).exists()
    sign_in(client, coordinator_a)
    url = reverse("referrals:erase", kwargs={"referral_id": referral.pk})
    assert (
        "asked us to erase"
        in client.get(
            reverse("referrals:detail", kwargs={"referral_id": referral.pk})
        ).content.decode()
    )

    wrong = client.post(url, {"reference": "WRONG-REF1"})
    assert wrong.status_code == 400 and Referral.objects.filter(pk=referral.pk).exists()

    done = client.post(
        url, {"reference": f"{referral.reference[:4]}-{referral.reference[4:]}".lower()}
    )
    assert done.status_code == 302
    assert not Referral.objects.filter(pk=referral.pk).exists()
    for model in (
        SafeContact,
        ConsentRecord,
        ContactAttempt,
        CaseNote,
        ReferralEvent,
        AccessReason,
    ):
        assert not model.objects.filter(referral_id=referral.pk).exists(), model.__name__
    assert not Booking.objects.filter(referral_id=referral.pk).exists()
    assert not Attendance.objects.exists()
    assert InitialCallSlot.objects.get().referral is None  # the time is free again
    assert not MessageLog.objects.filter(recipient_id=str(referral.pk)).exists()
    assert not referral.deliveries.model.objects.filter(referral_id=referral.pk).exists()
    tombstone = ErasureTombstone.objects.get()
    assert (tombstone.organisation, tombstone.erased_by) == (organisation_a, coordinator_a)
    assert {f.name for f in ErasureTombstone._meta.concrete_fields} == {
        "id",
        "organisation",
        "erased_by",
        "erased_at",
    }
    assert Referral.objects.filter(pk=someone_else.pk).exists()


def test_only_the_organisations_coordinators_can_erase(
    client, organisation_a, caseworker_a, coordinator_b
):
    referral = make_referral(organisation_a)
    url = reverse("referrals:erase", kwargs={"referral_id": referral.pk})
    for user in (caseworker_a, coordinator_b):
        sign_in(client, user)
        assert client.post(url, {"reference": referral.reference}).status_code == 404
    assert Referral.objects.filter(pk=referral.pk).exists()
    assert not ErasureTombstone.objects.exists()
