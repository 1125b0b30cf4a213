"""Resources, packs and signposts for tests, made through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from portal.organisations.roles import Role
from resources import services
from resources.models import Resource
from tests.factories import MembershipFactory

_numbers = count(1)


def content(**overrides) -> services.ResourceContent:
    values = {
        "title": "A resource",
        "summary": "A short summary.",
        "body": "## A heading\n\nSome kind words.",
        "stages": ("waiting",),
        "audiences": ("partners", "parents", "carers", "other_family", "friends"),
        "last_checked": date.today(),
        "status": Resource.Status.PUBLISHED,
        "signpost_ids": (),
    }
    review_by = overrides.pop("review_by", None)
    if review_by is not None:
        # A guide is due for review a year after it was last checked.
        overrides["last_checked"] = review_by - timedelta(days=365)
    values.update(overrides)
    return services.ResourceContent(**values)


def make_resource(organisation=None, *, actor=None, slug=None, **overrides) -> Resource:
    """A resource of ``organisation`` (None: the shared library) made by its coordinator."""
    if organisation is not None and actor is None:
        actor = MembershipFactory(organisation=organisation, role=Role.COORDINATOR).user
    return services.resource_create(
        organisation=organisation,
        slug=slug or f"resource-{next(_numbers)}",
        content=content(**overrides),
        actor=actor,
    )
