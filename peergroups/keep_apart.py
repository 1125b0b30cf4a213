"""Keeping two people apart: staff mark two referrals of their organisation (for example
two partners of the same person) so that they are never offered places in the same group.

The pair is set from either person's referral page by the other's reference, with a
reason in staff's own words (encrypted), and removed the same way; each change is on both
timelines and audited against both referrals. Offers and the waiting list already refuse
a place beside someone kept apart (``services._kept_apart_from``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES
from referrals.models import Referral, ReferralEvent
from referrals.references import normalise_reference

from .models import Booking, KeepApart

REASON_MAX_LENGTH = 500


class KeepApartError(Exception):
    """A pair that cannot be set or removed; the message is safe to show beside the form."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class KeptApartLine:
    """One pair as a referral's page shows it: the other person's reference and name."""

    pair: KeepApart
    other: Referral

    @property
    def reason(self) -> str:
        return self.pair.reason


def _recorded(pair: KeepApart, *, change: str, actor: User, request) -> None:
    for referral, other in ((pair.first, pair.second), (pair.second, pair.first)):
        ReferralEvent.objects.create(
            referral=referral,
            kind=(
                ReferralEvent.Kind.KEPT_APART
                if change == "added"
                else ReferralEvent.Kind.KEPT_APART_ENDED
            ),
            actor=actor,
            detail={"other_reference": other.reference},
        )
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"change": "keep_apart", "keep_apart": change, "other": str(other.pk)},
        )


def keep_apart_add(
    *, referral: Referral, other_reference: str, reason: str, actor: User, request=None
) -> KeepApart:
    """Keep ``referral`` and the referral with ``other_reference`` (typed in any form)
    apart. Only a referral of the same organisation is found: another organisation's
    reference answers as if it did not exist."""
    reason = (reason or "").strip()
    if not has_role(actor, referral.organisation, CASE_ROLES):
        raise KeepApartError("You do not have a role in this referral's organisation.")
    typed = normalise_reference(other_reference)
    if not typed:
        raise KeepApartError("Enter the other person's reference.", field="other_reference")
    if not reason:
        raise KeepApartError(
            "Say why they must be kept apart, for example 'partners of the same person'.",
            field="reason",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise KeepApartError(
            f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer.", field="reason"
        )
    with transaction.atomic():
        other = (
            Referral.objects.for_organisation(referral.organisation_id)
            .filter(reference=typed)
            .first()
        )
        if other is None:
            raise KeepApartError(
                f"No referral of {referral.organisation.name} has the reference {typed}.",
                field="other_reference",
            )
        if other.pk == referral.pk:
            raise KeepApartError(
                "That is this referral's own reference: enter the other person's.",
                field="other_reference",
            )
        first, second = sorted([referral, other], key=lambda r: str(r.pk))
        if KeepApart.objects.filter(first=first, second=second).exists():
            raise KeepApartError(
                f"{other.reference} is already kept apart from this person.",
                field="other_reference",
            )
        try:
            with transaction.atomic():
                pair = KeepApart.objects.create(
                    organisation=referral.organisation,
                    first=first,
                    second=second,
                    reason=reason,
                    created_by=actor,
                )
        except IntegrityError:
            raise KeepApartError(
                f"{other.reference} is already kept apart from this person.",
                field="other_reference",
            ) from None
        _recorded(pair, change="added", actor=actor, request=request)
    return pair


def keep_apart_remove(*, referral: Referral, pair_id: int, actor: User, request=None) -> None:
    """Stop keeping a pair apart, from either person's page."""
    if not has_role(actor, referral.organisation, CASE_ROLES):
        raise KeepApartError("You do not have a role in this referral's organisation.")
    with transaction.atomic():
        pair = (
            KeepApart.objects.select_for_update()
            .select_related("first__organisation", "second__organisation")
            .filter(Q(first=referral) | Q(second=referral), pk=pair_id)
            .first()
        )
        if pair is None:
            raise KeepApartError("Those two people are no longer kept apart.")
        _recorded(pair, change="removed", actor=actor, request=request)
        pair.delete()


def kept_apart_for_referral(*, referral: Referral) -> list[KeptApartLine]:
    """The people ``referral`` is kept apart from, with their reference and name only;
    one query."""
    pairs = (
        KeepApart.objects.for_organisation(referral.organisation_id)
        .filter(Q(first=referral) | Q(second=referral))
        .select_related("first", "second", "created_by")
        .only(
            "id",
            "reason",
            "created_at",
            "first_id",
            "second_id",
            "created_by__full_name",
            "created_by__email",
            "first__id",
            "first__reference",
            "first__state",
            "second__id",
            "second__reference",
            "second__state",
        )
        .order_by("created_at")
    )
    return [
        KeptApartLine(pair=p, other=p.second if p.first_id == referral.pk else p.first)
        for p in pairs
    ]


def kept_apart_in_same_group(*, pair: KeepApart) -> bool:
    """Whether both already hold a place, an offer or a waiting-list place in one group:
    set apart now, that has to be sorted out by hand."""
    first = Booking.objects.filter(referral_id=pair.first_id, state__in=Booking.ACTIVE)
    return Booking.objects.filter(
        referral_id=pair.second_id,
        state__in=Booking.ACTIVE,
        group_id__in=first.values("group_id"),
    ).exists()
