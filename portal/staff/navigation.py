"""Role-aware navigation: the links each role needs, worked out in one place."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from portal.organisations.roles import CASE_ROLES, Role
from portal.organisations.selectors import active_memberships


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


def navigation_for(request) -> list[NavItem]:
    user = request.user
    if not user.is_authenticated or not user.is_verified():
        return []
    memberships = active_memberships(user)
    organisations = {m.organisation for m in memberships if m.organisation is not None}
    coordinating = sorted(
        (m.organisation for m in memberships if m.role == Role.COORDINATOR),
        key=lambda organisation: organisation.name,
    )
    roles = {m.role for m in memberships}
    # The staff area is for charity staff: a referrer's home is their referrals.
    referrer_only = bool(roles) and not roles & CASE_ROLES
    items = [] if referrer_only else [("Dashboard", reverse("staff:dashboard"))]
    if roles & CASE_ROLES:
        items.append(("Referrals", reverse("referrals:queue")))
        items.append(("Groups", reverse("groups:list")))
        items.append(("Initial calls", reverse("groups:calls")))
        items.append(("Resources", reverse("resources-staff:resource-list")))
    if Role.REFERRER in roles:
        items.append(("Refer someone", reverse("referrer:new")))
        items.append(("My referrals", reverse("referrer:list")))
    for organisation in coordinating:
        label = "Team" if len(organisations) == 1 else f"Team: {organisation.name}"
        items.append((label, reverse("staff:team", kwargs={"organisation_id": organisation.pk})))
    items.append(("Two-factor authentication", reverse("accounts:two-factor-manage")))
    dashboard = reverse("staff:dashboard")
    matches = [
        url
        for _, url in items
        if request.path == url or (url != dashboard and request.path.startswith(url))
    ]
    # Only the most specific match is current: "Refer someone" (/referrer/referrals/new/)
    # sits under "My referrals" (/referrer/referrals/), and one page has one current link.
    current = max(matches, key=len, default=None)
    return [NavItem(label, url, current=url == current) for label, url in items]
