"""Anonymising referrals at the end of their retention period.

Unlike erasure, the referral row stays with its anonymous facts (source, stage, dates,
state, group places and attendance) so that reports keep counting it. Everything that
could identify the person goes: their details, safe-contact preferences (no channel is
left safe), notes, the words of contact attempts, consent records, reasons for access,
reasons staff gave for contacting them outside what was safe, the people they were kept
apart from, their own Zoom links, live pack links and any
outstanding staff tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peergroups.models import KeepApart, ZoomRegistration
from portal.notifications.models import StaffTask
from resources.models import Delivery

from .models import (
    AccessReason,
    CaseNote,
    ConsentRecord,
    ContactAttempt,
    Referral,
    ReferralNameToken,
    SafeContact,
    SafeContactOverride,
)

BLANKED_FIELDS = {
    "full_name": "",
    "email": "",
    "email_hash": "",
    "phone": "",
    "phone_hash": "",
    "area": "",
    "accessibility_needs": "",
    "submission_key": None,
    "possible_duplicate_of": None,
    "share_status_with_referrer": False,
}


# Kept as a row (every referral has one) but with no channel safe and nothing said.
BLANK_SAFE_CONTACT = {
    "safe_to_call": False,
    "safe_to_text": False,
    "safe_to_email": False,
    "safe_to_voicemail": False,
    "safe_to_post": False,
    "safe_times": "",
    "contact_windows": "",
    "name_to_use": "",
    "may_name_organisation": False,
    "shares_device_with_person": False,
    "shares_address_with_person": False,
    "postal_address": "",
    "other_notes": "",
}


@transaction.atomic
def referrals_anonymise(*, referral_ids: Sequence[UUID]) -> int:
    """Anonymise these referrals (those already anonymised are left as they are)."""
    now = timezone.now()
    ids = list(
        Referral.objects.select_for_update()
        .filter(pk__in=referral_ids, anonymised_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    SafeContact.objects.filter(referral_id__in=ids).update(**BLANK_SAFE_CONTACT)
    CaseNote.objects.filter(referral_id__in=ids).delete()
    ContactAttempt.objects.filter(referral_id__in=ids).update(note="")
    ConsentRecord.objects.filter(referral_id__in=ids).erase_for_legal_duty()
    AccessReason.objects.filter(referral_id__in=ids).erase_for_legal_duty()
    SafeContactOverride.objects.filter(referral_id__in=ids).erase_for_legal_duty()
    KeepApart.objects.filter(Q(first_id__in=ids) | Q(second_id__in=ids)).delete()
    # Without a name there is nothing to find them by.
    ReferralNameToken.objects.filter(referral_id__in=ids).delete()
    ZoomRegistration.objects.filter(booking__referral_id__in=ids).delete()
    Delivery.objects.filter(referral_id__in=ids, revoked_at__isnull=True).update(revoked_at=now)
    StaffTask.objects.filter(
        record_type="referrals.referral",
        record_id__in=[str(pk) for pk in ids],
        done_at__isnull=True,
    ).delete()
    Referral.objects.filter(possible_duplicate_of_id__in=ids).update(possible_duplicate_of=None)
    Referral.objects.filter(pk__in=ids).update(anonymised_at=now, updated_at=now, **BLANKED_FIELDS)
    return len(ids)
