"""Permission helpers: what a user may do, asked the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Organisation
from .roles import Role
from .selectors import active_memberships, active_organisation_ids


def user_roles(user, organisation: Organisation | None) -> set[str]:
    if organisation is None:
        return set()
    return {
        membership.role
        for membership in active_memberships(user)
        if membership.organisation_id == organisation.pk
    }


def has_role(user, organisation: Organisation | None, roles: Iterable[Role]) -> bool:
    return not user_roles(user, organisation).isdisjoint(roles)


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
    return Organisation.objects.filter(pk__in=active_organisation_ids(user, roles=roles))


def role_summary(user) -> dict[str, set[str]]:
    """Every role the user holds, by role name: {'coordinator': {org names}, ...}."""
    summary: dict[str, set[str]] = {}
    for membership in sorted(active_memberships(user), key=lambda membership: membership.role):
        where = membership.organisation or membership.agency
        summary.setdefault(membership.role, set()).add(str(where))
    return summary


def coordinated_organisation_or_404(user, organisation_id) -> Organisation:
    """The organisation if ``user`` coordinates it; otherwise 404, exactly as for an id
    that does not exist, so another organisation's pages cannot be found by guessing."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(organisations_for(user, roles=[Role.COORDINATOR]), pk=organisation_id)
