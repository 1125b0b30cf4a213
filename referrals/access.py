"""Reason for access: opening a closed referral, or one assigned to a colleague, asks
for a short reason first. The reason is kept (encrypted) for the coordinators' review
list and the access is audited; the same sign-in session is not asked again."""

from __future__ import annotations

from django.db import transaction

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

from .choices import State
from .models import AccessReason, Referral

SESSION_KEY = "referral_access_reasons"
CLOSED = "closed"
ASSIGNED_ELSEWHERE = "assigned to someone else"


def reason_needed_because(*, referral: Referral, user: User) -> str | None:
    if referral.state == State.CLOSED:
        return CLOSED
    if referral.assigned_to_id and referral.assigned_to_id != user.pk:
        return ASSIGNED_ELSEWHERE
    return None


def may_open(request, referral: Referral) -> bool:
    if reason_needed_because(referral=referral, user=request.user) is None:
        return True
    return str(referral.pk) in request.session.get(SESSION_KEY, [])


@transaction.atomic
def access_reason_record(*, request, referral: Referral, reason: str) -> AccessReason:
    because = reason_needed_because(referral=referral, user=request.user) or "not needed"
    recorded = AccessReason.objects.create(
        referral=referral,
        organisation=referral.organisation,
        user=request.user,
        because=because,
        reason=reason.strip(),
    )
    audit_record(
        action=AuditEvent.Action.VIEWED,
        request=request,
        organisation=referral.organisation,
        target=referral,
        detail={"page": "reason for access given", "because": because},
    )
    granted = request.session.get(SESSION_KEY, [])
    request.session[SESSION_KEY] = [*granted, str(referral.pk)][-200:]
    return recorded
