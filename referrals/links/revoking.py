"""Staff stop a person's links: one at a time, or all of them at once; and withdrawing
consent stops every support-page link."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES

from ..models import PrivateLink, Referral
from .rules import LinkError, Purpose


def link_revoke(
    *, link: PrivateLink, actor: User, request: HttpRequest | None = None
) -> PrivateLink:
    """Stop one link now; the person's other links keep working."""
    with transaction.atomic():
        link = PrivateLink.objects.select_for_update().select_related("referral").get(pk=link.pk)
        if not has_role(actor, link.referral.organisation, CASE_ROLES):
            raise LinkError("You do not have a role in this person's organisation.")
        if link.revoked_at is not None:
            return link
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=link.referral.organisation,
            target=link.referral,
            detail={
                "change": "private_link_revoked",
                "link": str(link.pk),
                "purpose": link.purpose,
            },
        )
    return link


def links_revoke_on_withdrawal(*, referral: Referral) -> int:
    """Every place link stops when consent is withdrawn. Withdrawal links keep working
    (they confirm that contact has stopped, and change nothing) until the details go."""
    with transaction.atomic():
        return PrivateLink.objects.filter(
            referral=referral, purpose=Purpose.PLACE, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())


@dataclass(frozen=True)
class LinksStopped:
    links: int
    packs: int


def links_stop_all(
    *, referral: Referral, actor: User, request: HttpRequest | None = None
) -> LinksStopped:
    """Stop every private link the person was sent, for when their messages may have been
    seen by someone else: support-page and withdrawal links (codes read out included),
    pack links, and any link of the older signed kind, used or not. Links issued from
    now on work as usual."""
    from resources.models import Delivery
    from resources.services import delivery_revoke

    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=referral.pk)
        )
        if not has_role(actor, referral.organisation, CASE_ROLES):
            raise LinkError("You do not have a role in this person's organisation.")
        now = timezone.now()
        Referral.objects.filter(pk=referral.pk).update(private_links_valid_after=now)
        links = PrivateLink.objects.filter(
            referral=referral, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now, revoked_by=actor)
        packs = 0
        for delivery in Delivery.objects.filter(referral=referral).live():
            delivery_revoke(delivery=delivery, actor=actor, request=request)
            packs += 1
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"change": "private_links_all_revoked", "links": links, "packs": packs},
        )
    return LinksStopped(links=links, packs=packs)
