"""Organisation scope, written once: every query for personal data goes through here.

A model that belongs to an organisation uses ``OrganisationScopedQuerySet`` as its
manager and is read with ``Model.objects.for_member(user)``. Views never filter by
organisation themselves. The lookup to the owning organisation defaults to the
``organisation`` field and can be overridden with ``organisation_lookup`` on the model.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from .roles import Role


def member_organisation_ids(user, *, roles: Iterable[Role] | None = None) -> list:
    """Ids of the charities where ``user`` holds an active membership (in one of ``roles``).

    A list rather than a subquery: the planner then reads each organisation's rows from
    its index, and the memberships come from one read per request (``selectors``)."""
    from .selectors import active_organisation_ids

    return active_organisation_ids(user, roles=roles)


def member_agency_ids(user) -> list:
    """Ids of the referring agencies where ``user`` is an active referrer."""
    from .selectors import active_agency_ids

    return active_agency_ids(user, roles=[Role.REFERRER])


class OrganisationScopedQuerySet(models.QuerySet):
    def _organisation_lookup(self) -> str:
        return getattr(self.model, "organisation_lookup", "organisation")

    def for_member(self, user, *, roles: Iterable[Role] | None = None):
        """Rows of the organisations where ``user`` is an active member (in one of ``roles``)."""
        lookup = f"{self._organisation_lookup()}__in"
        return self.filter(**{lookup: member_organisation_ids(user, roles=roles)})

    def for_organisation(self, organisation):
        return self.filter(**{self._organisation_lookup(): organisation})
