"""What has happened on a referral that its status follows: a confirmed place, and
whether anyone has reached the person (``transitions.Progress``); and the move a
confirmed place makes by itself (``referral_place_confirmed``)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

from .choices import AttemptOutcome, State
from .models import ContactAttempt, Referral, ReferralEvent
from .transitions import Progress


def referral_progress(*, referral: Referral) -> Progress:
    """One query: each question is an EXISTS on an indexed column of one referral."""
    from peergroups.models import Attendance, Booking, InitialCallSlot

    def exists(queryset):
        return Exists(queryset.filter(referral_id=OuterRef("pk")))

    place, reached, call_held, attended = (
        Referral.objects.filter(pk=referral.pk)
        .annotate(
            place=exists(
                Booking.objects.filter(state__in=[Booking.State.CONFIRMED, Booking.State.COMPLETED])
            ),
            reached=exists(ContactAttempt.objects.filter(outcome=AttemptOutcome.REACHED)),
            call_held=exists(InitialCallSlot.objects.exclude(outcome="")),
            attended=Exists(
                Attendance.objects.filter(
                    booking__referral_id=OuterRef("pk"), status=Attendance.Status.ATTENDED
                )
            ),
        )
        .values_list("place", "reached", "call_held", "attended")
        .get()
    )
    return Progress(has_confirmed_place=place, has_contact=reached or call_held or attended)


# A confirmed place is as far as these go; "placed" and "closed" are already there.
MOVED_ON_BY_A_PLACE = (
    State.NEW,
    State.IN_CONTACT,
    State.ASSESSED,
    State.WAITLISTED,
    State.SIGNPOSTED,
)


def referral_place_confirmed(*, referral_id, booking_id, request=None) -> bool:
    """A place was just confirmed: the referral moves to 'placed in a group' unless it is
    already there or closed. Inside the confirming transaction; says whether it moved."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        if referral.state not in MOVED_ON_BY_A_PLACE:
            return False
        previous = referral.state
        referral.state = State.PLACED
        referral.save(update_fields=["state", "updated_at"])
        ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEvent.Kind.STATE_CHANGED,
            detail={
                "from": previous,
                "to": State.PLACED,
                "reason": "",
                "because": "place_confirmed",
                "booking": str(booking_id),
            },
        )
        audit_record(
            action=AuditEvent.Action.CHANGED,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"change": "state", "from": previous, "to": State.PLACED},
        )
    return True
