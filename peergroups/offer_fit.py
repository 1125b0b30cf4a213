"""Whether a group fits the person before a place is offered: its coming meetings against
the times they said are safe, and its way of meeting against the way they asked to meet
(``referrals.safe_contact_rules.group_offer_check``). A meeting outside their safe times
may be exactly when the household is at home; staff are warned before the offer is made
and give a reason to make it anyway."""

from __future__ import annotations

from django.utils import timezone

from referrals.models import Referral
from referrals.safe_contact_rules import MEETINGS_CHECKED, Meeting, OfferCheck, group_offer_check

from .models import Group, Session


def coming_meetings(group: Group) -> list[Meeting]:
    """The group's next few meetings (the ones an offer is checked against)."""
    sessions = (
        Session.objects.filter(
            group=group, status=Session.Status.SCHEDULED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .only("starts_at", "ends_at")[:MEETINGS_CHECKED]
    )
    return [Meeting(starts_at=s.starts_at, ends_at=s.ends_at) for s in sessions]


def offer_check(group: Group, referral: Referral) -> OfferCheck:
    return group_offer_check(referral, meetings=coming_meetings(group), group_format=group.format)
