"""Reads for the API: coordinators' keys, and where a caller may send a referral."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from portal.accounts.models import User
from portal.organisations.models import Organisation
from referrals.selectors_referrer import organisations_for_referral, referrer_agencies

from .models import AgencyApiKey


def api_keys_for_organisation(*, organisation: Organisation) -> QuerySet[AgencyApiKey]:
    return (
        AgencyApiKey.objects.filter(organisation=organisation)
        .select_related("agency", "created_by", "revoked_by")
        .annotate(call_count=Count("calls"))
        .order_by("revoked", "-created")
    )


def organisations_caller_may_refer_to(
    *, key: AgencyApiKey | None, user: User | None
) -> QuerySet[Organisation]:
    """Where this caller may send a referral: the one rule for the services list and for
    accepting a referral, so the list can never show more than a referral may reach.

    A key refers only to the organisation that issued it, while that organisation takes
    referrals and still lists the key's agency as a partner; other organisations taking
    the same agency's referrals issued their own keys, and are not this key's to see. A
    person refers to every organisation taking referrals from one of their agencies.
    """
    if key is not None:
        return organisations_for_referral(agencies=[key.agency]).filter(pk=key.organisation_id)
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    return organisations_for_referral(agencies=referrer_agencies(user=user))
