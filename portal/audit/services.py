"""Writing to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from portal.core.client_address import client_address

from .models import AuditEvent


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    organisation=None,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        organisation=organisation,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=client_address(request),
        detail=detail or {},
    )
