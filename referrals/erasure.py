"""Erasing a person on request (UK GDPR Article 17).

Everything held about the person goes: the referral, safe contact, consent records,
contact history, notes, timeline, reasons for access, group places and attendance,
initial calls, resource deliveries, and the log of messages sent to them. What stays is
a tombstone saying that an erasure happened, when and by whom, and audit entries that
name only the (now meaningless) record id.
"""

from __future__ import annotations

from django.db import transaction

from peergroups.models import Attendance, Booking, InitialCallSlot, ZoomRegistration
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.models import MessageLog, StaffTask
from portal.organisations.permissions import require_coordinator
from resources.models import Delivery

from .models import AccessReason, ConsentRecord, ErasureTombstone, Referral, ReferralEvent


class ErasureRefused(Exception):
    """The message is safe to show."""


@transaction.atomic
def person_erase(*, referral: Referral, actor: User, request=None) -> ErasureTombstone:
    require_coordinator(
        actor,
        referral.organisation,
        refusal=ErasureRefused,
        message="Only the organisation's coordinators can erase a person.",
    )
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    organisation = referral.organisation
    record_id = str(referral.pk)

    bookings = Booking.objects.filter(referral=referral)
    Attendance.objects.filter(booking__in=bookings).delete()
    ZoomRegistration.objects.filter(booking__in=bookings).delete()
    bookings.delete()
    InitialCallSlot.objects.filter(referral=referral).update(referral=None, outcome="", method="")
    Delivery.objects.filter(referral=referral).delete()
    messages = MessageLog.objects.filter(
        recipient_type="referrals.referral", recipient_id=record_id
    )
    StaffTask.objects.filter(record_type="referrals.referral", record_id=record_id).delete()
    messages.delete()
    ConsentRecord.objects.filter(referral=referral).erase_for_legal_duty()
    ReferralEvent.objects.filter(referral=referral).erase_for_legal_duty()
    AccessReason.objects.filter(referral=referral).erase_for_legal_duty()
    referral.delete()

    tombstone = ErasureTombstone.objects.create(organisation=organisation, erased_by=actor)
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=organisation,
        detail={"change": "person erased on request"},
    )
    return tombstone
