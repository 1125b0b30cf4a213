"""Writing to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind the production proxy, django-axes' ipware settings already know which
    # forwarded address to trust; reuse its answer so both logs agree.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


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
        ip_address=client_ip(request),
        detail=detail or {},
    )
