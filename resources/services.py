"""Every write to resources, packs, the directory and deliveries.

Each function runs in one transaction: checks first, then the change, then the version,
timeline and audit rows, then anything to send once the transaction has committed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.organisations.models import Organisation
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES, Role
from referrals.links import hash_token
from referrals.models import Referral, ReferralEvent, SafeContactOverride
from referrals.safe_contact_rules import UnsafeContact, safe_contact_respected

from .models import (
    Delivery,
    DeliveryItem,
    Pack,
    PackItem,
    Resource,
    ResourceVersion,
    Signpost,
)
from .rendering import reading_minutes

# The fields a version records; a change to any of them makes a new version.
VERSIONED_FIELDS = (
    "title",
    "summary",
    "body",
    "stages",
    "audiences",
    "signpost_ids",
    "last_checked",
    "review_by",
    "status",
)
SIGNPOST_FIELDS = (
    "provider",
    "name",
    "description",
    "eligibility",
    "phone",
    "text_number",
    "url",
    "email",
    "hours",
    "fees",
    "languages",
    "status",
    "check_note",
    "assured_date",
    "assured_by",
    "assured_from",
)


class ResourceError(Exception):
    """A change that cannot be made; the message is safe to show to staff."""


def link_validity() -> timedelta:
    return timedelta(days=getattr(settings, "PACK_LINK_VALIDITY_DAYS", 30))


def pack_url(token: str) -> str:
    """The pack's private link: it is opened once, then the pack is read from the session."""
    return reverse("resources:pack-link", kwargs={"token": token})


def delivery_is_open(delivery: Delivery) -> bool:
    """Whether the person may still open this pack: not revoked or expired, and they can
    still be contacted."""
    return delivery.is_live and delivery.referral.is_contactable


def _require_coordinator(actor: User | None, organisation: Organisation | None) -> None:
    """Only a coordinator changes an organisation's content; the shared library changes
    only through the library loader (``actor`` None), from files that are reviewed."""
    if organisation is None:
        if actor is not None:
            raise ResourceError("The shared library is updated from its files, not here.")
        return
    if actor is None or not has_role(actor, organisation, [Role.COORDINATOR]):
        raise ResourceError("Only a coordinator of this organisation can change this.")


# --- Resources -------------------------------------------------------------------------

# Guidance changes (new law, a helpline's new number): every guide is checked again a
# year after it was last checked.
REVIEW_EVERY_YEARS = 1


def review_due(last_checked: date) -> date:
    """The same day a year later (28 February for a guide checked on 29 February)."""
    year = last_checked.year + REVIEW_EVERY_YEARS
    try:
        return last_checked.replace(year=year)
    except ValueError:
        return last_checked.replace(year=year, day=28)


@dataclass(frozen=True)
class ResourceContent:
    title: str
    summary: str
    body: str
    stages: tuple[str, ...]
    audiences: tuple[str, ...]
    last_checked: date
    status: str = Resource.Status.DRAFT
    signpost_ids: tuple[str, ...] = field(default=())

    @property
    def review_by(self) -> date:
        return review_due(self.last_checked)

    def values(self) -> dict:
        return {
            "title": self.title.strip(),
            "summary": self.summary.strip(),
            "body": self.body.strip() + "\n",
            "stages": list(self.stages),
            "audiences": list(self.audiences),
            "signpost_ids": [str(pk) for pk in self.signpost_ids],
            "last_checked": self.last_checked,
            "review_by": self.review_by,
            "status": self.status,
        }


def _record_version(
    resource: Resource, *, actor: User | None, changed: list[str], note: str
) -> ResourceVersion:
    return ResourceVersion.objects.create(
        resource=resource,
        number=resource.version,
        title=resource.title,
        summary=resource.summary,
        body=resource.body,
        stages=resource.stages,
        audiences=resource.audiences,
        signpost_ids=resource.signpost_ids,
        reading_minutes=resource.reading_minutes,
        last_checked=resource.last_checked,
        review_by=resource.review_by,
        status=resource.status,
        changed_fields=changed,
        change_note=note[:300],
        changed_by=actor,
    )


def resource_create(
    *,
    organisation: Organisation | None,
    slug: str,
    content: ResourceContent,
    actor: User | None,
    request=None,
) -> Resource:
    _require_coordinator(actor, organisation)
    values = content.values()
    try:
        with transaction.atomic():
            return _resource_create(organisation, slug, values, actor, request)
    except IntegrityError as error:
        # Two people chose the same address at the same moment: the first one won.
        raise ResourceError("A resource with that web address already exists.") from error


def _resource_create(organisation, slug, values, actor, request) -> Resource:
    if Resource.objects.filter(organisation=organisation, slug=slug).exists():
        raise ResourceError("A resource with that web address already exists.")
    resource = Resource.objects.create(
        organisation=organisation,
        slug=slug,
        reading_minutes=reading_minutes(values["summary"], values["body"]),
        version=1,
        **values,
    )
    _record_version(resource, actor=actor, changed=["created"], note="First version")
    if organisation is not None:
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=organisation,
            target=resource,
            detail={"change": "resource_created"},
        )
    return resource


def resource_update(
    *,
    resource: Resource,
    content: ResourceContent,
    actor: User | None,
    note: str = "",
    request=None,
) -> Resource:
    """Change a resource; a new version is recorded only when something really changed.

    Deliveries keep pointing at the versions they sent, so nothing sent is rewritten.
    """
    _require_coordinator(actor, resource.organisation)
    values = content.values()
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        changed = [name for name in VERSIONED_FIELDS if getattr(resource, name) != values[name]]
        if not changed:
            return resource
        for name in VERSIONED_FIELDS:
            setattr(resource, name, values[name])
        resource.reading_minutes = reading_minutes(resource.summary, resource.body)
        resource.version = resource.version + 1
        resource.save()
        _record_version(resource, actor=actor, changed=changed, note=note)
        if resource.organisation_id is not None:
            audit_record(
                action=AuditEvent.Action.CHANGED,
                actor=actor,
                request=request,
                organisation=resource.organisation,
                target=resource,
                detail={"change": "resource_updated", "fields": changed},
            )
    return resource


# --- Signposts -------------------------------------------------------------------------


def signpost_save(
    *,
    organisation: Organisation | None,
    key: str,
    values: dict,
    actor: User | None,
    signpost: Signpost | None = None,
    local_version_of: Signpost | None = None,
    request=None,
) -> Signpost:
    """Create or update one signpost of ``organisation`` (None: the national directory)."""
    _require_coordinator(actor, organisation)
    fields = {name: values.get(name, "") for name in SIGNPOST_FIELDS}
    fields["status"] = fields["status"] or Signpost.Status.ACTIVE
    fields["assured_date"] = fields["assured_date"] or None
    if not (fields["phone"] or fields["url"]):
        raise ResourceError("Give a phone number or a web address.")
    if fields["status"] == Signpost.Status.ACTIVE and fields["assured_date"] is None:
        raise ResourceError(
            "Give the date these details were last checked, or mark the entry to be checked."
        )
    with transaction.atomic():
        if signpost is None:
            signpost = Signpost.objects.filter(organisation=organisation, key=key).first()
        if signpost is None:
            signpost = Signpost(organisation=organisation, key=key)
        elif signpost.organisation_id != (organisation.pk if organisation else None):
            raise ResourceError("That entry belongs to someone else.")
        if "assured_by" not in values and actor is not None:
            # The staff form has no "checked by": whoever gives a new date vouches for it.
            fields["assured_by"] = (
                actor.get_full_name()
                if fields["assured_date"] != signpost.assured_date
                else signpost.assured_by
            )
        for name, value in fields.items():
            setattr(signpost, name, value)
        if "locally_editable" in values:
            signpost.locally_editable = bool(values["locally_editable"])
        if local_version_of is not None:
            signpost.local_version_of = local_version_of
        signpost.save()
        if organisation is not None:
            audit_record(
                action=AuditEvent.Action.CHANGED,
                actor=actor,
                request=request,
                organisation=organisation,
                target=signpost,
                detail={"change": "signpost_saved"},
            )
    return signpost


# A file may come from a directory that never recorded when its entries were checked.
# Those entries are kept, but hidden from families until someone checks them.
UNCHECKED_NOTE = "No date of checking in the file: check it before sharing."


def signpost_row_settled(row: dict, existing: Signpost | None) -> dict:
    """An imported active row with no date of checking: keep the check already recorded
    when the file has no check columns at all; otherwise keep the entry, hidden."""
    if not row.get("unchecked"):
        return row
    if existing is not None and existing.assured_date and not row.get("assured_given"):
        return {
            **row,
            "assured_date": existing.assured_date,
            "assured_by": existing.assured_by,
            "assured_from": existing.assured_from,
        }
    return {
        **row,
        "status": Signpost.Status.TO_CHECK,
        "check_note": row.get("check_note") or UNCHECKED_NOTE,
        "hidden_unchecked": True,
    }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped_national: int = 0
    # Active in the file but with no date of checking: imported, hidden from families.
    hidden_unchecked: int = 0


def signposts_import(
    *, organisation: Organisation, rows: list[dict], actor: User, request=None
) -> ImportResult:
    """Save already-validated rows as the organisation's local signposts, all or nothing.

    Rows whose id is a national entry's are left alone: the national directory is shared.
    """
    _require_coordinator(actor, organisation)
    national = set(Signpost.objects.shared().values_list("key", flat=True))
    existing = set(Signpost.objects.filter(organisation=organisation).values_list("key", flat=True))
    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            if row["key"] in national and row["key"] not in existing:
                result.skipped_national += 1
                continue
            current = None
            if row["key"] in existing:
                result.updated += 1
                current = Signpost.objects.get(organisation=organisation, key=row["key"])
            else:
                result.created += 1
                existing.add(row["key"])
            row = signpost_row_settled(row, current)
            result.hidden_unchecked += bool(row.get("hidden_unchecked"))
            # Only the national directory has entries for organisations to localise.
            values = {name: value for name, value in row.items() if name != "locally_editable"}
            signpost_save(organisation=organisation, key=row["key"], values=values, actor=actor)
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=organisation,
            detail={
                "change": "signposts_imported",
                "created": result.created,
                "updated": result.updated,
            },
        )
    return result


# --- Packs -----------------------------------------------------------------------------


def pack_save(
    *,
    organisation: Organisation | None,
    key: str,
    title: str,
    purpose: str,
    default_for: list[str],
    resources: list[Resource],
    actor: User | None,
    pack: Pack | None = None,
    request=None,
) -> Pack:
    """Create or update a pack and its ordered resources."""
    _require_coordinator(actor, organisation)
    for resource in resources:
        if resource.organisation_id not in (None, organisation.pk if organisation else None):
            raise ResourceError("A pack can only hold the library's and your own resources.")
    with transaction.atomic():
        if pack is None:
            pack = Pack.objects.filter(organisation=organisation, key=key).first()
        if pack is None:
            pack = Pack(organisation=organisation, key=key)
        pack.title = title.strip()
        pack.purpose = purpose.strip()
        pack.default_for = list(default_for)
        pack.save()
        PackItem.objects.filter(pack=pack).delete()
        PackItem.objects.bulk_create(
            PackItem(pack=pack, resource=resource, position=position)
            for position, resource in enumerate(resources, start=1)
        )
        if organisation is not None:
            audit_record(
                action=AuditEvent.Action.CHANGED,
                actor=actor,
                request=request,
                organisation=organisation,
                target=pack,
                detail={"change": "pack_saved", "resources": len(resources)},
            )
    return pack


# --- Sending ---------------------------------------------------------------------------


def sendable_channel(referral: Referral) -> str | None:
    """The channel a pack link would go by (email first, then text), or None."""
    from portal.notifications.services import NotificationRefused, choose_channel
    from referrals.notifications import referral_recipient

    if not referral.is_contactable:
        return None
    try:
        return choose_channel(referral_recipient(referral))
    except NotificationRefused:
        return None


def post_is_safe(referral: Referral) -> bool:
    safe = getattr(referral, "safe_contact", None)
    return bool(referral.is_contactable and safe is not None and safe.safe_to_post)


class PostNotSafe(ResourceError):
    """A pack by post for someone who has not said post is safe, with no reason given.
    ``check`` says what is safe for them, for the page."""

    def __init__(self, check):
        super().__init__(
            "Post is not marked safe for this person. Give a reason to send it anyway, or "
            "send a private link by a safe way instead."
        )
        self.check = check


def _post_respected(
    referral: Referral, *, actor: User, override_reason: str, request
) -> SafeContactOverride | None:
    """Post must be a way they said is safe, or staff say why they post it anyway. Only
    the channel counts: the day a letter lands is not anyone's choice."""
    try:
        return safe_contact_respected(
            referral=referral,
            action=SafeContactOverride.Action.PACK_BY_POST,
            actor=actor,
            channel="post",
            timed=False,
            override_reason=override_reason,
            request=request,
        )
    except UnsafeContact as error:
        raise PostNotSafe(error.check) from error


def print_allowed(delivery: Delivery) -> bool:
    """Whether a pack's PDF may be printed now: post is safe for them now, or this pack
    was prepared for post with a reason recorded for going ahead."""
    referral = delivery.referral
    if post_is_safe(referral):
        return True
    return (
        referral.is_contactable
        and delivery.method == Delivery.Method.POST
        and ReferralEvent.objects.filter(
            referral=referral,
            kind=ReferralEvent.Kind.PACK_SENT,
            detail__delivery=str(delivery.pk),
            detail__has_key="override",
        ).exists()
    )


def pack_send(
    *,
    referral: Referral,
    pack: Pack | None,
    resources: list[Resource],
    actor: User,
    method: str = Delivery.Method.LINK,
    title: str = "",
    override_reason: str = "",
    request=None,
) -> tuple[Delivery, str]:
    """Send ``resources`` (in order) to the person behind ``referral``.

    The current published version of each resource is what is sent, and stays what the
    person sees. A link goes only by a channel the person marked safe; a printed pack
    only where post is safe, or with ``override_reason`` saying why it is posted anyway
    (recorded, on the timeline, audited; ``PostNotSafe`` without one). Returns the
    delivery and the link's secret (never stored).
    """
    if not has_role(actor, referral.organisation, CASE_ROLES):
        raise ResourceError("You do not have a role in this referral's organisation.")
    if not referral.is_contactable:
        raise ResourceError("This person withdrew consent: nothing can be sent to them.")
    if not resources:
        raise ResourceError("Choose at least one resource to send.")
    if method == Delivery.Method.LINK and sendable_channel(referral) is None:
        raise ResourceError(
            "There is no safe way to send a link: neither email nor text is marked safe."
        )
    if method not in Delivery.Method.values:
        raise ResourceError("Choose how to send the pack.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Read each resource afresh: what is sent is what is published at this moment.
        fresh = Resource.objects.in_bulk([resource.pk for resource in resources])
        versions = []
        for original in resources:
            resource = fresh.get(original.pk)
            if resource is None:
                raise ResourceError("A resource you chose no longer exists.")
            if not resource.is_published:
                raise ResourceError(f"'{resource.title}' is a draft and cannot be sent.")
            if resource.organisation_id not in (None, referral.organisation_id):
                raise ResourceError("That resource belongs to another organisation.")
            versions.append(ResourceVersion.objects.get(resource=resource, number=resource.version))
        override = None
        if method == Delivery.Method.POST:
            override = _post_respected(
                referral, actor=actor, override_reason=override_reason, request=request
            )
        delivery = Delivery.objects.create(
            organisation=referral.organisation,
            referral=referral,
            pack=pack,
            title=(title or Delivery.DEFAULT_TITLE)[:150],
            method=method,
            token_hash=hash_token(token),
            expires_at=timezone.now() + link_validity(),
            sent_by=actor,
        )
        DeliveryItem.objects.bulk_create(
            DeliveryItem(delivery=delivery, version=version, position=position)
            for position, version in enumerate(versions, start=1)
        )
        ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEvent.Kind.PACK_SENT,
            actor=actor,
            detail={
                "delivery": str(delivery.pk),
                "pack": str(pack.pk) if pack else "",
                "method": method,
                "resources": len(versions),
                **({"override": str(override.pk)} if override else {}),
            },
        )
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"change": "pack_sent", "delivery": str(delivery.pk), "method": method},
        )
        if method == Delivery.Method.LINK:
            delivery_id = delivery.pk
            transaction.on_commit(lambda: _send_link(delivery_id, token))
    return delivery, token


def _send_link(delivery_id, token: str) -> None:
    """Send the pack's link now, or at the person's next safe time. While it waits the
    link is kept only encrypted (the message's sealed context); it is no use once the
    link has run out (``needed_by``), and is dropped if staff stop the link first (the
    guard in ``message_kinds``). The delivery points at the message's log either way."""
    from referrals.notifications import referral_notify

    delivery = Delivery.objects.select_related(
        "referral__organisation", "referral__safe_contact"
    ).get(pk=delivery_id)
    log = referral_notify(
        referral=delivery.referral,
        template="pack_sent",
        context={
            "delivery_id": str(delivery.pk),
            "pack_link": settings.PORTAL_BASE_URL.rstrip("/") + pack_url(token),
            "expires_at": delivery.expires_at,
        },
        needed_by=delivery.expires_at,
    )
    Delivery.objects.filter(pk=delivery_id).update(message=log)


def delivery_revoke(*, delivery: Delivery, actor: User | None, request=None) -> Delivery:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if actor is not None and not has_role(actor, delivery.organisation, CASE_ROLES):
            raise ResourceError("You do not have a role in this organisation.")
        if delivery.revoked_at is not None:
            return delivery
        delivery.revoked_at = timezone.now()
        delivery.revoked_by = actor
        delivery.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=delivery.organisation,
            target=delivery.referral,
            detail={"change": "pack_link_revoked", "delivery": str(delivery.pk)},
        )
    return delivery


def delivery_opened(*, delivery: Delivery) -> None:
    """Note that the person opened their pack: a counter and two times, nothing about them."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, first_opened_at__isnull=True).update(
        first_opened_at=now
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        last_opened_at=now, open_count=F("open_count") + 1
    )
