"""The roles a person can hold, and which side of the portal each belongs to."""

from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    CASEWORKER = "caseworker", "Caseworker"
    FACILITATOR = "facilitator", "Facilitator"
    REFERRER = "referrer", "Referrer"


CHARITY_ROLES = frozenset({Role.COORDINATOR, Role.CASEWORKER, Role.FACILITATOR})
AGENCY_ROLES = frozenset({Role.REFERRER})
# Everyone who works with referrals' personal data inside a charity.
CASE_ROLES = frozenset({Role.COORDINATOR, Role.CASEWORKER, Role.FACILITATOR})
