"""Reads for referrers: their agencies, where they may refer, and their own referrals.

A referrer sees only what they submitted, and of that only what the referral list
needs: never the person's details, notes, contact history or the triage state's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from portal.accounts.models import User
from portal.organisations.models import Organisation, ReferringAgency
from portal.organisations.scoping import member_agency_ids

from .models import Referral
from .references import display_reference

NOT_SHARED = "Not shared (the person chose not to share progress)"


@dataclass(frozen=True)
class ReferralRow:
    """One line of "My referrals": everything a referrer may see about a referral."""

    reference: str
    organisation: str
    sent_at: datetime
    status: str


def referrer_agencies(*, user: User) -> list[ReferringAgency]:
    """The agencies where ``user`` is an active referrer; empty for everyone else."""
    return list(ReferringAgency.objects.filter(pk__in=member_agency_ids(user)).order_by("name"))


def organisations_for_referral(*, agencies: list[ReferringAgency]) -> QuerySet[Organisation]:
    """Organisations accepting referrals that list one of ``agencies`` as a partner."""
    return (
        Organisation.objects.filter(
            is_accepting_referrals=True, partner_agencies__in=[agency.pk for agency in agencies]
        )
        .distinct()
        .order_by("name")
    )


def referrals_for_referrer(*, user: User) -> QuerySet[Referral]:
    """Only the referrals this person submitted, newest first: never a colleague's."""
    return (
        Referral.objects.filter(referred_by=user)
        .select_related("organisation")
        .only(
            "id",
            "reference",
            "created_at",
            "state",
            "first_contacted_at",
            "share_status_with_referrer",
            "organisation__name",
        )
        .order_by("-created_at", "id")
    )


def referral_rows(*, referrals: Iterable[Referral]) -> list[ReferralRow]:
    """Rows for the template, so it cannot reach anything else on the referral."""
    return [
        ReferralRow(
            reference=display_reference(referral.reference),
            organisation=referral.organisation.name,
            sent_at=referral.created_at,
            status=referral.share_back_label if referral.share_status_with_referrer else NOT_SHARED,
        )
        for referral in referrals
    ]
