"""Lawful-basis records and privacy notices: what each organisation relies on, and what
it has told people. Both are append-only: a new entry replaces the current one."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

from .models import LawfulBasisRecord, Organisation, PrivacyNotice, Purpose
from .permissions import require_coordinator


class DataProtectionError(Exception):
    """A change that cannot be made; the message is safe to show."""


def privacy_notice_publish(
    *, organisation: Organisation, version: str, body: str, actor: User, request=None
) -> PrivacyNotice:
    require_coordinator(actor, organisation, refusal=DataProtectionError)
    try:
        with transaction.atomic():
            notice = PrivacyNotice.objects.create(
                organisation=organisation,
                version=version.strip(),
                body=body.strip(),
                published_by=actor,
            )
    except IntegrityError as error:
        raise DataProtectionError(
            f"Version {version} is already published. Give the new notice its own version."
        ) from error
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=organisation,
        detail={"change": "privacy notice published", "version": notice.version},
    )
    return notice


def lawful_basis_record(
    *,
    organisation: Organisation,
    purpose: str,
    lawful_basis: str,
    condition: str,
    explanation: str,
    privacy_notice_version: str,
    sharing_agreement_version: str,
    actor: User,
    request=None,
) -> LawfulBasisRecord:
    require_coordinator(actor, organisation, refusal=DataProtectionError)
    if not PrivacyNotice.objects.filter(
        organisation=organisation, version=privacy_notice_version
    ).exists():
        raise DataProtectionError("Publish that privacy notice version first.")
    record = LawfulBasisRecord.objects.create(
        organisation=organisation,
        purpose=purpose,
        lawful_basis=lawful_basis,
        condition=condition,
        explanation=explanation.strip(),
        privacy_notice_version=privacy_notice_version,
        sharing_agreement_version=sharing_agreement_version.strip(),
        recorded_by=actor,
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=organisation,
        detail={"change": "lawful basis recorded", "purpose": purpose},
    )
    return record


def current_lawful_bases(
    *, organisation: Organisation
) -> list[tuple[str, LawfulBasisRecord | None]]:
    """Each purpose with the record that applies now (None: nothing recorded yet)."""
    latest: dict[str, LawfulBasisRecord] = {}
    for record in LawfulBasisRecord.objects.filter(organisation=organisation).order_by(
        "recorded_at", "id"
    ):
        latest[record.purpose] = record
    return [(label, latest.get(value)) for value, label in Purpose.choices]


def lawful_basis_history(*, organisation: Organisation, limit: int = 100):
    return list(
        LawfulBasisRecord.objects.filter(organisation=organisation)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")[:limit]
    )


def current_privacy_notice(*, organisation: Organisation) -> PrivacyNotice | None:
    return (
        PrivacyNotice.objects.filter(organisation=organisation)
        .order_by("-published_at", "-id")
        .first()
    )
