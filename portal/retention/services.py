"""Applying the retention schedule, and changing it.

The job works in small batches, each in its own transaction, choosing what is due afresh
every time: stopping it part-way loses nothing, and running it again finishes the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Concat, TruncDate
from django.utils import timezone

from peergroups.models import Session
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.models import MessageLog
from portal.organisations.models import Organisation
from portal.organisations.permissions import require_coordinator
from referrals.anonymisation import referrals_anonymise

from .models import RetentionRule, RetentionRun, RetentionTally
from .schedule import POLICIES, Period, RecordType
from .selectors import due_records, due_zoom_registrations, retention_schedule

BATCH_SIZE = 500

Progress = Callable[[Organisation | None, str, int, int], None]


class RetentionRuleRefused(Exception):
    """The message is safe to show."""


def retention_rule_set(
    *,
    organisation: Organisation,
    record_type: str,
    length: int,
    unit: str,
    legal_basis: str,
    actor: User,
    request=None,
) -> RetentionRule:
    require_coordinator(actor, organisation, refusal=RetentionRuleRefused)
    policy = POLICIES[record_type]
    period = Period(length, unit)
    if not period.is_within(policy.shortest, policy.longest, at=timezone.now()):
        raise RetentionRuleRefused(
            f"Choose a period between {policy.shortest} and {policy.longest}."
        )
    with transaction.atomic():
        rule, _ = RetentionRule.objects.update_or_create(
            organisation=organisation,
            record_type=record_type,
            defaults={
                "length": length,
                "unit": unit,
                "legal_basis": legal_basis.strip(),
                "updated_by": actor,
            },
        )
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=organisation,
            detail={
                "change": "retention period set",
                "record_type": record_type,
                "period": str(period),
            },
        )
    return rule


def retention_apply(
    *,
    organisations: list[Organisation | None] | None = None,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Apply each organisation's schedule (``None``: records that belong to no organisation,
    such as failed sign-ins, under the default periods). Returns totals per record type."""
    now = now or timezone.now()
    if organisations is None:
        organisations = [*Organisation.objects.order_by("name"), None]
    totals = dict.fromkeys(RecordType.values, 0)
    for organisation in organisations:
        run = RetentionRun.objects.create(organisation=organisation, started_at=timezone.now())
        for entry in retention_schedule(organisation=organisation):
            if organisation is None and entry.record_type != RecordType.AUDIT_LOG:
                continue
            due = due_records(
                organisation=organisation,
                record_type=entry.record_type,
                period=entry.period,
                now=now,
            )
            done = _apply_one(
                entry.record_type,
                due,
                organisation=organisation,
                batch_size=batch_size,
                progress=progress,
            )
            run.counts[entry.record_type] = done
            totals[entry.record_type] += done
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "finished_at"])
        if organisation is not None and any(run.counts.values()):
            audit_record(
                action=AuditEvent.Action.CHANGED,
                organisation=organisation,
                detail={"change": "retention schedule applied", "counts": run.counts},
            )
    return totals


def _apply_one(
    record_type: str,
    due: QuerySet,
    *,
    organisation: Organisation | None,
    batch_size: int,
    progress: Progress | None,
) -> int:
    total = due.count()
    done = 0
    while done < total:
        batch = list(due.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            applied = APPLIERS[record_type](batch, organisation=organisation)
        if not applied:
            # Something else changed these rows under us; the next run will look again.
            break
        done += applied
        if progress:
            progress(organisation, record_type, min(done, total), total)
    return done


def _anonymise_referrals(ids: list, *, organisation) -> int:
    return referrals_anonymise(referral_ids=ids)


def _delete_messages(ids: list, *, organisation) -> int:
    rows = MessageLog.objects.filter(pk__in=ids)
    _tally(
        organisation,
        RecordType.MESSAGE_LOG,
        rows.annotate(category=Concat("channel", Value(":"), "status")),
        date_field="created_at",
    )
    _, deleted = rows.delete()
    return deleted.get(MessageLog._meta.label, 0)


def _delete_audit_events(ids: list, *, organisation) -> int:
    rows = AuditEvent.objects.filter(pk__in=ids)
    _tally(organisation, RecordType.AUDIT_LOG, rows.annotate(category=F("action")), date_field="at")
    _, deleted = rows.erase_for_legal_duty()
    return deleted.get(AuditEvent._meta.label, 0)


def _remove_zoom_links(ids: list, *, organisation) -> int:
    sessions = Session.objects.filter(pk__in=ids)
    due_zoom_registrations(sessions=sessions).delete()
    return sessions.update(join_url="", passcode="", links_removed_at=timezone.now())


def _tally(organisation, record_type: str, rows: QuerySet, *, date_field: str) -> None:
    """Add the rows about to be deleted to the anonymous daily counts."""
    grouped = (
        rows.annotate(on=TruncDate(date_field, tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("on", "category")
        .annotate(n=Count("pk"))
    )
    for group in grouped:
        key = {
            "organisation": organisation,
            "record_type": record_type,
            "on": group["on"],
            "category": group["category"][:100],
        }
        if RetentionTally.objects.filter(**key).update(count=F("count") + group["n"]):
            continue
        try:
            with transaction.atomic():
                RetentionTally.objects.create(count=group["n"], **key)
        except IntegrityError:
            RetentionTally.objects.filter(**key).update(count=F("count") + group["n"])


APPLIERS = {
    RecordType.CLOSED_REFERRAL: _anonymise_referrals,
    RecordType.WITHDRAWN_CONSENT: _anonymise_referrals,
    RecordType.MESSAGE_LOG: _delete_messages,
    RecordType.AUDIT_LOG: _delete_audit_events,
    RecordType.ZOOM_LINK: _remove_zoom_links,
}
