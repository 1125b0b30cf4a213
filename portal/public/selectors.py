"""What the public pages may truthfully say about asking for support."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from portal.organisations.models import Organisation


@dataclass(frozen=True)
class WayIn:
    """What the home page may promise about asking for support."""

    # The longest first-contact time of the organisations taking requests online, so the
    # promise holds whichever one a family chooses; None when none is taking requests.
    first_contact_working_days: int | None
    # Whether any of them has said how families can phone or email it.
    can_be_phoned_or_emailed: bool


def way_in() -> WayIn:
    found = Organisation.objects.filter(is_accepting_referrals=True).aggregate(
        longest=Max("first_contact_working_days"),
        contactable=Count("pk", filter=~Q(contact_phone="") | ~Q(contact_email="")),
    )
    return WayIn(
        first_contact_working_days=found["longest"],
        can_be_phoned_or_emailed=bool(found["contactable"]),
    )
