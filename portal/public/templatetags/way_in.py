"""The way in to support from every public page: where the "Ask for support" route is
shown, and the first-contact promise the home page makes."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.db.models import Count, Max, Q

from portal.organisations.models import Organisation

register = template.Library()

# The self-referral form's own pages, where a link back to its first page would go in a
# circle. Decided by the page's template, not its address: an error page, the "please
# wait" page, the "not taking requests" page and a private link's "link expired" page
# answered at a self-referral address are not the form, and keep the route.
SELF_REFERRAL_FORM_TEMPLATES = frozenset(
    {
        "referrals/public/choose.html",
        "referrals/public/start.html",
        "referrals/public/step.html",
        "referrals/public/check.html",
        "referrals/public/done.html",
    }
)


@register.simple_tag(takes_context=True)
def ask_for_support_shown(context) -> bool:
    """True on every public page except the self-referral form itself."""
    return context.template_name not in SELF_REFERRAL_FORM_TEMPLATES


@dataclass(frozen=True)
class WayIn:
    """What the home page may truthfully promise about asking for support."""

    # The longest first-contact time of the organisations taking requests online, so the
    # promise holds whichever one a family chooses; None when none is taking requests.
    first_contact_working_days: int | None
    # Whether any of them has said how families can phone or email it.
    can_be_phoned_or_emailed: bool


@register.simple_tag
def way_in() -> WayIn:
    found = Organisation.objects.filter(is_accepting_referrals=True).aggregate(
        longest=Max("first_contact_working_days"),
        contactable=Count("pk", filter=~Q(contact_phone="") | ~Q(contact_email="")),
    )
    return WayIn(
        first_contact_working_days=found["longest"],
        can_be_phoned_or_emailed=bool(found["contactable"]),
    )
