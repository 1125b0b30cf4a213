"""Permission helpers: what a user may do, asked the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from .models import Membership, Organisation
from .roles import Role


def user_roles(user, organisation: Organisation) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Membership.objects.active()
        .filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
    )


def has_role(user, organisation: Organisation, roles: Iterable[Role]) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        Membership.objects.active()
        .filter(user=user, organisation=organisation, role__in=list(roles))
        .exists()
    )


def require_coordinator(
    actor,
    organisation: Organisation,
    *,
    refusal: type[Exception],
    message: str = "Only the organisation's coordinators can change this.",
) -> None:
    """Raise ``refusal(message)`` unless ``actor`` coordinates ``organisation``: services
    use it so a view that forgot its own check still cannot change anything."""
    if not has_role(actor, organisation, [Role.COORDINATOR]):
        raise refusal(message)


def organisations_for(user, *, roles: Iterable[Role] | None = None):
    """The charities where ``user`` is an active member, optionally in one of ``roles``."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    condition = Q(memberships__user=user, memberships__ended_at__isnull=True)
    if roles is not None:
        condition &= Q(memberships__role__in=list(roles))
    return Organisation.objects.filter(condition).distinct()


def role_summary(user) -> dict[str, set[str]]:
    """Every role the user holds, by role name: {'coordinator': {org names}, ...}."""
    summary: dict[str, set[str]] = {}
    if not getattr(user, "is_authenticated", False):
        return summary
    rows = (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation", "agency")
        .order_by("role")
    )
    for membership in rows:
        where = membership.organisation or membership.agency
        summary.setdefault(membership.role, set()).add(str(where))
    return summary


def coordinated_organisation_or_404(user, organisation_id) -> Organisation:
    """The organisation if ``user`` coordinates it; otherwise 404, exactly as for an id
    that does not exist, so another organisation's pages cannot be found by guessing."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(organisations_for(user, roles=[Role.COORDINATOR]), pk=organisation_id)
