"""Issuing and revoking agency API keys. Each is audited."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.organisations.models import Organisation, ReferringAgency

from .models import AgencyApiKey, Scope


class ApiKeyError(Exception):
    """A change that cannot be made; the message is safe to show."""


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@transaction.atomic
def api_key_issue(
    *,
    organisation: Organisation,
    agency: ReferringAgency,
    name: str,
    scopes: list[str],
    expires_on: date,
    actor: User,
    request=None,
) -> tuple[AgencyApiKey, str]:
    """A new key; the raw key is returned once and never stored."""
    if not organisation.partner_agencies.filter(pk=agency.pk).exists():
        raise ApiKeyError(f"{organisation.name} does not take referrals from {agency.name}.")
    if not scopes or set(scopes) - set(Scope.values):
        raise ApiKeyError("Choose what the key may do.")
    if expires_on <= timezone.localdate():
        raise ApiKeyError("The expiry date must be in the future.")
    key, raw = AgencyApiKey.objects.create_key(
        name=name.strip()[:50],
        organisation=organisation,
        agency=agency,
        scopes=sorted(scopes),
        expiry_date=_end_of(expires_on),
        created_by=actor,
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=organisation,
        # The key's primary key holds its hash; the audit log names it by its prefix.
        detail={"change": "api key issued", "prefix": key.prefix, "agency": agency.name},
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: AgencyApiKey, actor: User, request=None) -> AgencyApiKey:
    key = AgencyApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked:
        raise ApiKeyError("That key is already revoked.")
    key.revoked = True
    key.revoked_at = timezone.now()
    key.revoked_by = actor
    key.save(update_fields=["revoked", "revoked_at", "revoked_by"])
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=key.organisation,
        detail={"change": "api key revoked", "prefix": key.prefix},
    )
    return key
