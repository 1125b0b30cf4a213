"""Reads for the staff shell."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django_otp_webauthn.models import WebAuthnCredential

from portal.audit.models import AuditEvent
from portal.organisations.models import Invitation, Membership, Organisation


def team_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )


def pending_invitations(*, organisation: Organisation, user) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_member(user)
        .filter(organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("agency", "invited_by")
    )


def audit_events(
    *, organisation: Organisation, action: str = "", since=None, until=None
) -> QuerySet[AuditEvent]:
    """The organisation's audit entries, newest first; ``since`` and ``until`` are dates
    (inclusive, London time)."""
    events = AuditEvent.objects.filter(organisation=organisation).select_related("actor")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")


def team_passkeys(*, organisation: Organisation) -> QuerySet[Membership]:
    """Each active member, once per role, with whether they have a passkey."""
    return team_members(organisation=organisation).annotate(
        has_passkey=Exists(WebAuthnCredential.objects.filter(user=OuterRef("user"), confirmed=True))
    )
