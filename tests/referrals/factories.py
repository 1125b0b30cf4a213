"""Referrals for tests, made through the real service so every invariant holds."""

from __future__ import annotations

from itertools import count

from django.utils import timezone

from referrals.choices import ConsentMethod, Source
from referrals.consent import PROFESSIONAL_VERSION, SELF_REFERRAL_VERSION
from referrals.services import ConsentDetails, PersonDetails, SafeContactDetails, referral_submit

_numbers = count(1)


def make_referral(
    organisation,
    *,
    email: str | None = None,
    phone: str = "",
    safe_channels=("email",),
    referrer=None,
    agency=None,
    share_status_with_referrer: bool = False,
    **person,
):
    n = next(_numbers)
    details = {
        "full_name": f"Alex Example {n}",
        "relationship": "partner",
        "stage": "on_bail",
        "children_in_household": "no",
        "support_wanted": "peer_group",
        "format_preference": "zoom",
        "email": f"person{n}@example.org" if email is None else email,
        "phone": phone,
        **person,
    }
    professional = referrer is not None
    return referral_submit(
        organisation=organisation,
        person=PersonDetails(**details),
        safe_contact=SafeContactDetails(safe_channels=frozenset(safe_channels)),
        consent=ConsentDetails(
            method=ConsentMethod.VERBAL if professional else ConsentMethod.ONLINE_FORM,
            given_at=timezone.now(),
            statement_version=PROFESSIONAL_VERSION if professional else SELF_REFERRAL_VERSION,
            share_status_with_referrer=share_status_with_referrer,
            professional_name="PC Example" if professional else "",
            professional_identifier="1234" if professional else "",
        ),
        source=Source.PROFESSIONAL if professional else Source.SELF,
        referrer=referrer,
        agency=agency,
    )
