"""Peer groups. The Group is the first organisation-owned model; sessions and bookings follow."""

import uuid

from django.db import models
from django.db.models import Q

from portal.organisations.scoping import OrganisationScopedQuerySet


class Group(models.Model):
    class Audience(models.TextChoices):
        PARTNERS = "partners", "Partners"
        PARENTS = "parents", "Parents"
        ANY_FAMILY = "any_family", "Any family member or friend"
        THIRD_PARTY_VICTIMS = "third_party_victims", "Third-party victims"

    class Format(models.TextChoices):
        ZOOM = "zoom", "Zoom"
        IN_PERSON = "in_person", "In person"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="groups"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=30, choices=Audience.choices)
    format = models.CharField(max_length=20, choices=Format.choices)
    capacity = models.PositiveSmallIntegerField(default=8)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=50), name="group_capacity_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title
