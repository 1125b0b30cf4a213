"""Activity figures for one organisation over a period.

Every figure counts anonymised referrals too, and adds the anonymous daily counts the
retention job keeps for rows it deletes, so a report for last year gives the same
answer before and after the retention job has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from peergroups.models import Attendance, Booking, Session
from portal.notifications.models import MessageLog
from portal.organisations.models import Organisation
from portal.retention.models import RetentionTally
from portal.retention.schedule import RecordType
from referrals.choices import Source
from referrals.models import Referral
from resources.models import Delivery


@dataclass(frozen=True)
class ActivityFigures:
    start: date
    end: date
    referrals_received: int
    referrals_by_source: dict[str, int]
    referrals_reaching_a_group: int
    sessions_held: int
    attendances: int
    packs_sent: int
    messages_sent: int


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of ``start`` to the end of ``end``, in UK time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def activity_figures(*, organisation: Organisation, start: date, end: date) -> ActivityFigures:
    since, until = _bounds(start, end)
    referrals = Referral.objects.filter(
        organisation=organisation, created_at__gte=since, created_at__lt=until
    )
    counts = referrals.aggregate(
        total=Count("pk"),
        **{f"source_{value}": Count("pk", filter=Q(source=value)) for value in Source.values},
    )
    reaching_group = (
        referrals.filter(bookings__state__in=[Booking.State.CONFIRMED, Booking.State.COMPLETED])
        .values("pk")
        .distinct()
        .count()
    )
    sessions = Session.objects.filter(
        group__organisation=organisation,
        status=Session.Status.SCHEDULED,
        starts_at__gte=since,
        starts_at__lt=min(until, timezone.now()),
    )
    attendances = Attendance.objects.filter(
        session__group__organisation=organisation,
        session__starts_at__gte=since,
        session__starts_at__lt=until,
        status=Attendance.Status.ATTENDED,
    ).count()
    packs_sent = Delivery.objects.filter(
        organisation=organisation, created_at__gte=since, created_at__lt=until
    ).count()
    return ActivityFigures(
        start=start,
        end=end,
        referrals_received=counts["total"],
        referrals_by_source={value: counts[f"source_{value}"] for value in Source.values},
        referrals_reaching_a_group=reaching_group,
        sessions_held=sessions.count(),
        attendances=attendances,
        packs_sent=packs_sent,
        messages_sent=_messages_sent(organisation, start, end, since, until),
    )


def _messages_sent(organisation, start, end, since, until) -> int:
    held = MessageLog.objects.filter(
        organisation=organisation,
        status=MessageLog.Status.SENT,
        created_at__gte=since,
        created_at__lt=until,
    ).count()
    deleted = RetentionTally.objects.filter(
        organisation=organisation,
        record_type=RecordType.MESSAGE_LOG,
        on__gte=start,
        on__lte=end,
        category__endswith=f":{MessageLog.Status.SENT}",
    ).aggregate(n=Sum("count"))["n"]
    return held + (deleted or 0)
