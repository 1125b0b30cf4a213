from __future__ import annotations

from django.db.models import Count, QuerySet

from portal.organisations.models import Organisation

from .models import AgencyApiKey


def api_keys_for_organisation(*, organisation: Organisation) -> QuerySet[AgencyApiKey]:
    return (
        AgencyApiKey.objects.filter(organisation=organisation)
        .select_related("agency", "created_by", "revoked_by")
        .annotate(call_count=Count("calls"))
        .order_by("revoked", "-created")
    )
