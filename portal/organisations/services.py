"""Writes for organisations: invitations, memberships and security settings."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.senders import email_message, portal_sender_headers

from .models import Invitation, Membership, Organisation, ReferringAgency
from .permissions import require_coordinator
from .roles import CHARITY_ROLES, Role


class InvitationError(Exception):
    """An invitation cannot be created or used; the message is safe to show."""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return reverse("invitations:accept", kwargs={"token": token})


def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    invited_by: User,
    agency: ReferringAgency | None = None,
    base_url: str,
    request=None,
) -> tuple[Invitation, str]:
    """Create an invitation and email its link; returns the invitation and its secret."""
    email = email.strip().lower()
    if role == Role.REFERRER:
        if agency is None:
            raise InvitationError("Choose the agency the referrer works for.")
        if not organisation.partner_agencies.filter(pk=agency.pk).exists():
            raise InvitationError("That agency is not a partner of this organisation.")
        if not agency.allows_email(email):
            domains = ", ".join(agency.email_domains.values_list("domain", flat=True))
            raise InvitationError(
                f"Referrers from {agency.name} must use an address ending in: {domains}."
            )
    elif role in CHARITY_ROLES:
        agency = None
    else:
        raise InvitationError("Choose a role.")

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            agency=agency,
            email=email,
            role=role,
            token_hash=_hash_token(token),
            invited_by=invited_by,
            expires_at=timezone.now() + settings.INVITATION_VALIDITY,
        )
        audit_record(
            action=AuditEvent.Action.INVITATION_SENT,
            actor=invited_by,
            request=request,
            organisation=organisation,
            target=invitation,
            detail={"role": role},
        )
        link = base_url.rstrip("/") + invitation_url(token)
        transaction.on_commit(lambda: _send_invitation_email(invitation, link))
    return invitation, token


def _send_invitation_email(invitation: Invitation, link: str) -> None:
    context = {
        "invitation": invitation,
        "link": link,
        "portal_name": settings.PORTAL_NAME,
        "expires_at": invitation.expires_at,
    }
    email_message(
        headers=portal_sender_headers(),
        to=invitation.email,
        subject=f"You have been invited to the {settings.PORTAL_NAME}",
        text=render_to_string("emails/invitation.txt", context),
        html=render_to_string("emails/invitation.html", context),
    ).send()


def invitation_from_token(token: str, *, lock: bool = False) -> Invitation:
    """The usable invitation behind a link, or InvitationError saying why not."""
    queryset = Invitation.objects.select_related("organisation", "agency")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=_hash_token(token or "")).first()
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationError(
            "This invitation link is not valid. Ask the person who invited you to send a new one."
        )
    if invitation.accepted_at is not None:
        raise InvitationError(
            "This invitation has already been used. If it was you, sign in with your email "
            "address and password."
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            "This invitation has expired. Ask the person who invited you to send a new one."
        )
    return invitation


def _membership_for(invitation: Invitation, user: User) -> Membership:
    if invitation.role == Role.REFERRER:
        membership, _ = Membership.objects.get_or_create(
            user=user, agency=invitation.agency, role=invitation.role, ended_at=None
        )
    else:
        membership, _ = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation, role=invitation.role, ended_at=None
        )
    return membership


def _mark_accepted(invitation: Invitation, user: User, request) -> None:
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action=AuditEvent.Action.INVITATION_ACCEPTED,
        actor=user,
        request=request,
        organisation=invitation.organisation,
        target=invitation,
    )


def invitation_accept_new_user(*, token: str, full_name: str, password: str, request=None) -> User:
    """Create the account the invitation is for. Raises InvitationError or ValidationError."""
    with transaction.atomic():
        invitation = invitation_from_token(token, lock=True)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(
                "An account already uses this email address. Sign in to accept the invitation."
            )
        user = User(email=invitation.email, full_name=full_name.strip())
        validate_password(password, user=user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as error:
            raise InvitationError(
                "An account already uses this email address. Sign in to accept the invitation."
            ) from error
        _membership_for(invitation, user)
        _mark_accepted(invitation, user, request)
    return user


def invitation_accept_existing_user(*, token: str, user: User, request=None) -> Membership:
    """Add a role to a signed-in user whose address the invitation was sent to."""
    with transaction.atomic():
        invitation = invitation_from_token(token, lock=True)
        if invitation.email.lower() != user.email.lower():
            raise InvitationError(
                "This invitation was sent to a different email address. Sign out and open "
                "the link again, or ask for an invitation to your own address."
            )
        membership = _membership_for(invitation, user)
        _mark_accepted(invitation, user, request)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User, request=None) -> None:
    if not invitation.is_pending:
        raise InvitationError("This invitation has already been used or withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action=AuditEvent.Action.INVITATION_REVOKED,
        actor=actor,
        request=request,
        organisation=invitation.organisation,
        target=invitation,
    )


@transaction.atomic
def membership_end(*, membership: Membership, actor: User, request=None) -> None:
    """Remove someone's role; with no roles left anywhere, their account is deactivated."""
    from portal.accounts.services import user_deactivate

    if membership.user_id == actor.pk and membership.role == Role.COORDINATOR:
        raise InvitationError("You cannot remove your own coordinator role.")
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    audit_record(
        action=AuditEvent.Action.MEMBERSHIP_ENDED,
        actor=actor,
        request=request,
        organisation=membership.organisation,
        target=membership,
        detail={"role": membership.role},
    )
    user = membership.user
    if not Membership.objects.active().filter(user=user).exists() and not user.is_superuser:
        user_deactivate(user=user, actor=actor, request=request)


@transaction.atomic
def organisation_passkeys_require(
    *, organisation: Organisation, required: bool, actor: User, request=None
) -> Organisation:
    """Require (or stop requiring) a passkey from everyone who works in the organisation.

    Sessions verified with an app code are sent to the passkey page at their next click.
    """
    from portal.accounts.passkeys import passkey_policy_changed

    require_coordinator(actor, organisation, refusal=PermissionDenied)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.require_passkeys == required:
        return organisation
    organisation.require_passkeys = required
    organisation.save(update_fields=["require_passkeys"])
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=organisation,
        detail={"change": "passkeys required" if required else "passkeys no longer required"},
    )
    transaction.on_commit(passkey_policy_changed)
    return organisation


@transaction.atomic
def organisation_contact_update(
    *,
    organisation: Organisation,
    contact_phone: str,
    contact_email: str,
    contact_opening_hours: str,
    actor: User,
    request=None,
) -> Organisation:
    """Change how families can reach the organisation, as its public pages show it.

    The values come checked from ``OrganisationContactForm``; the database refuses a phone
    number that is not UK E.164, or one without opening hours, whatever the caller.
    """
    require_coordinator(actor, organisation, refusal=PermissionDenied)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    values = {
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "contact_opening_hours": contact_opening_hours,
    }
    changed = sorted(
        field for field, value in values.items() if getattr(organisation, field) != value
    )
    if not changed:
        return organisation
    for field in changed:
        setattr(organisation, field, values[field])
    organisation.save(update_fields=changed)
    # Names of the fields only: the details are public, but the log keeps no values.
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=organisation,
        target=organisation,
        detail={"change": "contact details", "fields": changed},
    )
    return organisation
