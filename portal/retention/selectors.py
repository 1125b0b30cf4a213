"""What the schedule says for an organisation, and what the next run would remove."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from peergroups.models import Group, Session, ZoomRegistration
from portal.audit.models import AuditEvent
from portal.notifications.models import MessageLog
from portal.organisations.models import Organisation
from referrals.choices import State
from referrals.models import Referral

from .models import RetentionRule, RetentionRun
from .schedule import POLICIES, Period, Policy, RecordType


@dataclass(frozen=True)
class ScheduleEntry:
    policy: Policy
    period: Period
    legal_basis: str
    rule: RetentionRule | None

    @property
    def record_type(self) -> str:
        return self.policy.record_type

    @property
    def label(self) -> str:
        return RecordType(self.policy.record_type).label

    @property
    def is_default(self) -> bool:
        return self.rule is None


def retention_schedule(*, organisation: Organisation | None) -> list[ScheduleEntry]:
    """Every record type with the period that applies to it (the default where none is set)."""
    rules = (
        {rule.record_type: rule for rule in RetentionRule.objects.filter(organisation=organisation)}
        if organisation is not None
        else {}
    )
    entries = []
    for record_type in RecordType.values:
        policy = POLICIES[record_type]
        rule = rules.get(record_type)
        entries.append(
            ScheduleEntry(
                policy=policy,
                period=rule.period if rule else policy.default,
                legal_basis=rule.legal_basis if rule else policy.default_legal_basis,
                rule=rule,
            )
        )
    return entries


def due_records(
    *, organisation: Organisation | None, record_type: str, period: Period, now: datetime
) -> QuerySet:
    """The records of one type that the schedule says must go now."""
    cutoff = period.before(now)
    if record_type == RecordType.CLOSED_REFERRAL:
        return Referral.objects.filter(
            organisation=organisation,
            anonymised_at__isnull=True,
            state=State.CLOSED,
            closed_at__lt=cutoff,
        )
    if record_type == RecordType.WITHDRAWN_CONSENT:
        return Referral.objects.filter(
            organisation=organisation,
            anonymised_at__isnull=True,
            consent_withdrawn_at__lt=cutoff,
        )
    if record_type == RecordType.MESSAGE_LOG:
        return MessageLog.objects.filter(organisation=organisation, created_at__lt=cutoff).exclude(
            # Not yet sent: a message waiting for the person's safe time goes first.
            status__in=[
                MessageLog.Status.WAITING,
                MessageLog.Status.PENDING,
                MessageLog.Status.SENDING,
            ]
        )
    if record_type == RecordType.AUDIT_LOG:
        return AuditEvent.objects.filter(organisation=organisation, at__lt=cutoff)
    if record_type == RecordType.ZOOM_LINK:
        return Session.objects.filter(
            group__organisation=organisation,
            group__format=Group.Format.ZOOM,
            ends_at__lt=cutoff,
            links_removed_at__isnull=True,
        )
    raise ValueError(f"Unknown record type {record_type!r}")


def due_zoom_registrations(*, sessions: QuerySet) -> QuerySet:
    return ZoomRegistration.objects.filter(session__in=sessions)


@dataclass(frozen=True)
class DueCount:
    entry: ScheduleEntry
    count: int
    oldest: datetime | None


ORDER_FIELD = {
    RecordType.CLOSED_REFERRAL: "closed_at",
    RecordType.WITHDRAWN_CONSENT: "consent_withdrawn_at",
    RecordType.MESSAGE_LOG: "created_at",
    RecordType.AUDIT_LOG: "at",
    RecordType.ZOOM_LINK: "ends_at",
}


def retention_dry_run(
    *, organisation: Organisation | None, now: datetime | None = None
) -> list[DueCount]:
    """What the next run would anonymise, delete or unlink, without touching anything."""
    now = now or timezone.now()
    report = []
    for entry in retention_schedule(organisation=organisation):
        due = due_records(
            organisation=organisation, record_type=entry.record_type, period=entry.period, now=now
        )
        field = ORDER_FIELD[entry.record_type]
        oldest = due.order_by(field).values_list(field, flat=True).first()
        report.append(DueCount(entry=entry, count=due.count(), oldest=oldest))
    return report


def last_retention_run(*, organisation: Organisation) -> RetentionRun | None:
    return (
        RetentionRun.objects.filter(organisation=organisation, finished_at__isnull=False)
        .order_by("-started_at")
        .first()
    )
