"""The report for funders and trustees: one organisation, a period, optional filters.

Every figure is computed by the database (counts, groupings, ordered durations), so the
number of queries does not grow with the data. Referral figures count anonymised
referrals too, and message figures add the anonymous daily counts the retention job
keeps for rows it deletes, so a report for last year gives the same answer before and
after the retention job has run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from peergroups.models import Attendance, Booking, Group, InitialCallSlot, Session
from portal.notifications.models import MessageLog
from portal.organisations.models import Organisation
from portal.outcomes.models import Answer, Question, Response, TimePoint
from portal.retention.models import RetentionTally
from portal.retention.schedule import RecordType
from referrals.choices import Source, State
from referrals.models import Referral, ReferralEvent
from resources.models import Delivery

from .charts import BarChart, bar_chart
from .figures import elapsed, median_days, period_bounds, share

# Someone "stays" in a group once they have come to this many sessions.
RETAINED_AFTER_SESSIONS = 3


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date
    source: str = ""
    group: Group | None = None

    def as_query(self) -> dict[str, str]:
        query = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.source:
            query["source"] = self.source
        if self.group:
            query["group"] = str(self.group.pk)
        return query


@dataclass(frozen=True)
class Figure:
    label: str
    value: float | int | None
    unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: BarChart | None = None


@dataclass(frozen=True)
class Report:
    organisation: Organisation
    filters: ReportFilters
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)

    def value(self, key: str):
        return self.figures[key].value


def funder_report(*, organisation: Organisation, filters: ReportFilters) -> Report:
    report = key_figures(organisation=organisation, filters=filters)
    since, until = period_bounds(filters.start, filters.end)
    _resource_figures(report, organisation, since, until)
    _message_figures(report, organisation, filters, since, until)
    _outcome_figures(report, organisation, filters, since, until)
    return report


def key_figures(*, organisation: Organisation, filters: ReportFilters) -> Report:
    """The report's referral and group figures and tables only: what the coordinator's
    dashboard shows, without working out packs, messages and outcome measures."""
    since, until = period_bounds(filters.start, filters.end)
    referrals = Referral.objects.filter(
        organisation=organisation, created_at__gte=since, created_at__lt=until
    )
    if filters.source:
        referrals = referrals.filter(source=filters.source)
    report = Report(organisation=organisation, filters=filters)
    _referral_figures(report, referrals)
    _group_figures(report, organisation, filters, referrals)
    return report


def _sessions_held(organisation, filters: ReportFilters, since, until, *, through: str = "") -> Q:
    """Conditions for the period's sessions that took place, on a session or (``through``
    a relation) on a row that belongs to one.

    Conditions rather than a queryset, so that attendance is filtered through its join to
    the session: an ``IN (subquery)`` made PostgreSQL read every session twice.
    """
    on = f"{through}__" if through else ""
    held = Q(
        **{
            f"{on}group__organisation": organisation,
            f"{on}status": Session.Status.SCHEDULED,
            f"{on}starts_at__gte": since,
            f"{on}starts_at__lt": min(until, timezone.now()),
        }
    )
    if filters.group:
        held &= Q(**{f"{on}group": filters.group})
    return held


def _confirmed_places():
    """The referral's confirmed places (an index of them alone answers every question the
    report asks here: whether one exists, and when the first was confirmed)."""
    return Booking.objects.filter(referral=OuterRef("pk"), confirmed_at__isnull=False)


def _referral_figures(report: Report, referrals) -> None:
    # "Reached a group" asks whether a confirmed place exists rather than joining places,
    # so each referral is one row and the counts need no DISTINCT.
    counts = referrals.aggregate(
        total=Count("pk"),
        contacted=Count("pk", filter=Q(first_contacted_at__isnull=False)),
        on_time=Count("pk", filter=Q(first_contacted_at__date__lte=F("first_contact_due"))),
        reached_group=Count("pk", filter=Q(Exists(_confirmed_places()))),
        **{f"source_{value}": Count("pk", filter=Q(source=value)) for value in Source.values},
    )
    total = counts["total"]
    report.figures["referrals_received"] = Figure("Referrals received", total)
    report.figures["median_days_to_first_contact"] = Figure(
        "Median days to first contact",
        median_days(
            referrals.filter(first_contacted_at__isnull=False),
            elapsed("first_contacted_at", "created_at"),
        ),
        " days",
    )
    report.figures["first_contact_on_time"] = Figure(
        "First contact within the deadline",
        share(counts["on_time"], total),
        "%",
        note="Of all referrals received, including those not yet contacted.",
    )
    report.figures["reached_group"] = Figure("Referrals reaching a group", counts["reached_group"])
    report.figures["reached_group_share"] = Figure(
        "Share of referrals reaching a group", share(counts["reached_group"], total), "%"
    )
    sources = [(Source(value).label, counts[f"source_{value}"]) for value in Source.values]
    report.tables["referrals_by_source"] = Table(
        key="referrals_by_source",
        title="Referrals by source",
        columns=["Source", "Referrals", "Share (%)"],
        rows=[[label, n, share(n, total)] for label, n in sources],
        chart=bar_chart(
            title="Referrals by source",
            labels=[label for label, _ in sources],
            values=[n for _, n in sources],
        ),
    )
    report.tables["referrals_by_week"] = _referrals_by_week(report.filters, referrals)


def _referrals_by_week(filters: ReportFilters, referrals) -> Table:
    zone = timezone.get_current_timezone()
    grouped = (
        referrals.annotate(week=TruncWeek("created_at", tzinfo=zone))
        .values("week", "source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_week: dict[date, dict[str, int]] = {}
    for row in grouped:
        week = timezone.localtime(row["week"], zone).date()
        by_week.setdefault(week, {})[row["source"]] = row["n"]
    first = filters.start - timedelta(days=filters.start.weekday())
    weeks = []
    week = first
    while week <= filters.end:
        weeks.append(week)
        week += timedelta(days=7)
    rows = []
    for week in weeks:
        counts = by_week.get(week, {})
        per_source = [counts.get(value, 0) for value in Source.values]
        rows.append([week.isoformat(), *per_source, sum(per_source)])
    return Table(
        key="referrals_by_week",
        title="Referrals by week",
        columns=["Week beginning", *[Source(v).label for v in Source.values], "Total"],
        rows=rows,
        chart=bar_chart(
            title="Referrals by week",
            labels=[f"w/c {date.fromisoformat(row[0]):%d %b}" for row in rows],
            values=[row[-1] for row in rows],
        ),
    )


def _group_figures(report, organisation, filters, referrals) -> None:
    report.figures["median_days_to_group_place"] = Figure(
        "Median days from referral to a confirmed group place",
        median_days(
            referrals.filter(Exists(_confirmed_places())).annotate(
                first_place=Subquery(
                    _confirmed_places().order_by("confirmed_at").values("confirmed_at")[:1]
                )
            ),
            elapsed("first_place", "created_at"),
        ),
        " days",
    )
    since, until = period_bounds(filters.start, filters.end)
    waited = Booking.objects.filter(
        group__organisation=organisation,
        waitlisted_at__isnull=False,
        confirmed_at__gte=since,
        confirmed_at__lt=until,
    )
    if filters.group:
        waited = waited.filter(group=filters.group)
    report.figures["median_days_on_waiting_list"] = Figure(
        "Median days on a waiting list (places confirmed in the period)",
        median_days(waited, elapsed("confirmed_at", "waitlisted_at")),
        " days",
    )
    _places_ended_figures(report, organisation, filters, since, until)
    # Sessions held per group, and attendance per group and status: two hash
    # aggregates, where one joined query needed a DISTINCT count and so a sort of every
    # attendance row in the period.
    held = (
        Session.objects.filter(_sessions_held(organisation, filters, since, until))
        .values_list("group", "group__title")
        .annotate(n=Count("pk"))
        .order_by("group__title", "group")
    )
    attendance = Attendance.objects.filter(
        _sessions_held(organisation, filters, since, until, through="session")
    )
    marked: dict = {}
    # COUNT(*), not of the id: the rows are then counted from the attendance index alone.
    for group_id, status, n in (
        attendance.values_list("session__group", "status").annotate(n=Count("*")).order_by()
    ):
        marked.setdefault(group_id, {})[status] = n
    by_group = [
        {
            "group__title": title,
            "held": count,
            "attended": marked.get(group_id, {}).get(Attendance.Status.ATTENDED, 0),
            "apologies": marked.get(group_id, {}).get(Attendance.Status.APOLOGIES, 0),
            "no_show": marked.get(group_id, {}).get(Attendance.Status.NO_SHOW, 0),
        }
        for group_id, title, count in held
    ]
    # The organisation's totals are the sum of its groups' (every status is counted).
    attended = sum(row["attended"] for row in by_group)
    recorded = sum(row["attended"] + row["apologies"] + row["no_show"] for row in by_group)
    report.figures["sessions_held"] = Figure("Sessions held", sum(row["held"] for row in by_group))
    report.figures["attendances"] = Figure("Attendances", attended)
    report.figures["attendance_rate"] = Figure(
        "Attendance rate", share(attended, recorded), "%", note="Of places recorded in registers."
    )
    # One scan of the period's attendance, grouped by place.
    per_person = (
        attendance.filter(status=Attendance.Status.ATTENDED)
        .values("booking")
        .annotate(came=Count("*"))
        .order_by()
    )
    kept = per_person.aggregate(
        people=Count("booking"),
        stayed=Count("booking", filter=Q(came__gte=RETAINED_AFTER_SESSIONS)),
    )
    report.figures["retained_share"] = Figure(
        f"People who came to {RETAINED_AFTER_SESSIONS} or more sessions",
        share(kept["stayed"], kept["people"]),
        "%",
        note="Of people who came to at least one session in the period.",
    )
    rows = [
        [
            row["group__title"],
            row["held"],
            row["attended"],
            row["apologies"],
            row["no_show"],
            share(row["attended"], row["attended"] + row["apologies"] + row["no_show"]),
        ]
        for row in by_group
    ]
    report.tables["attendance_by_group"] = Table(
        key="attendance_by_group",
        title="Attendance by group",
        columns=["Group", "Sessions held", "Attended", "Apologies", "Did not attend", "Rate (%)"],
        rows=rows,
        chart=bar_chart(
            title="Attendance rate by group",
            labels=[row[0] for row in rows],
            values=[row[5] or 0 for row in rows],
            unit="%",
        ),
    )


def _places_ended_figures(report, organisation, filters, since, until) -> None:
    """Places that ended in the period: the course completed, or left before the end
    (``peergroups.places_ending``). One count of the period's ended places."""
    ended = Booking.objects.filter(
        group__organisation=organisation,
        state__in=Booking.ENDED,
        ended_at__gte=since,
        ended_at__lt=until,
    )
    if filters.group:
        ended = ended.filter(group=filters.group)
    if filters.source:
        ended = ended.filter(referral__source=filters.source)
    counts = ended.aggregate(
        completed=Count("pk", filter=Q(state=Booking.State.COMPLETED)),
        left=Count("pk", filter=Q(state=Booking.State.LEFT)),
    )
    report.figures["places_completed"] = Figure("Places completed", counts["completed"])
    report.figures["places_left"] = Figure(
        "Places left before the end", counts["left"], note="People who left a group early."
    )
    report.figures["completion_rate"] = Figure(
        "Completion rate",
        share(counts["completed"], counts["completed"] + counts["left"]),
        "%",
        note="Of places that ended in the period.",
    )


def _resource_figures(report, organisation, since, until) -> None:
    deliveries = Delivery.objects.filter(
        organisation=organisation, created_at__gte=since, created_at__lt=until
    )
    if report.filters.source:
        deliveries = deliveries.filter(referral__source=report.filters.source)
    # A title is encrypted (staff may name the person in it), so every stored title is
    # different: they are counted here, once decrypted, not grouped by the database.
    per_title: dict[str, list[int]] = {}
    for title, first_opened_at in deliveries.values_list("title", "first_opened_at"):
        counts = per_title.setdefault(title, [0, 0])
        counts[0] += 1
        counts[1] += first_opened_at is not None
    rows = sorted(
        ([title, sent, opened] for title, (sent, opened) in per_title.items()),
        key=lambda row: (-row[1], row[0]),
    )
    sent = sum(row[1] for row in rows)
    report.figures["packs_sent"] = Figure("Resource packs sent", sent)
    report.figures["packs_opened_share"] = Figure(
        "Packs opened", share(sum(row[2] for row in rows), sent), "%"
    )
    report.tables["resources_sent"] = Table(
        key="resources_sent",
        title="Resource packs sent",
        columns=["Pack", "Sent", "Opened"],
        rows=rows,
    )
    events = ReferralEvent.objects.filter(referral__organisation=organisation)
    if report.filters.source:
        events = events.filter(referral__source=report.filters.source)
    signposted = events.filter(
        kind=ReferralEvent.Kind.STATE_CHANGED,
        detail__to=State.SIGNPOSTED,
        at__gte=since,
        at__lt=until,
    ).count()
    calls = InitialCallSlot.objects.filter(
        organisation=organisation,
        outcome=InitialCallSlot.Outcome.SIGNPOST_ONLY,
        outcome_recorded_at__gte=since,
        outcome_recorded_at__lt=until,
    ).count()
    report.figures["signposted"] = Figure("Referrals signposted to other services", signposted)
    report.tables["signposting"] = Table(
        key="signposting",
        title="Signposting",
        columns=["Where", "Number"],
        rows=[
            ["Referrals moved to 'signposted'", signposted],
            ["Initial calls ending in signposting only", calls],
        ],
    )


def _message_figures(report, organisation, filters, since, until) -> None:
    held = dict(
        MessageLog.objects.filter(
            organisation=organisation,
            status=MessageLog.Status.SENT,
            created_at__gte=since,
            created_at__lt=until,
        )
        .values_list("channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    deleted = (
        RetentionTally.objects.filter(
            organisation=organisation,
            record_type=RecordType.MESSAGE_LOG,
            on__gte=filters.start,
            on__lte=filters.end,
            category__endswith=f":{MessageLog.Status.SENT}",
        )
        .values_list("category")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for category, n in deleted:
        channel = category.rsplit(":", 1)[0]
        held[channel] = held.get(channel, 0) + n
    rows = [[channel or "none", n] for channel, n in sorted(held.items())]
    report.figures["messages_sent"] = Figure("Messages sent", sum(held.values()))
    report.tables["messages_sent"] = Table(
        key="messages_sent",
        title="Messages sent by channel",
        columns=["Channel", "Sent"],
        rows=rows,
    )


def _outcome_figures(report, organisation, filters, since, until) -> None:
    """Change since intake, for the same people, counting only answers people agreed could
    be used: for each question, the mean at intake and the mean later."""
    consented = Response.objects.filter(organisation=organisation, consent_to_reports=True)
    if filters.source:
        consented = consented.filter(referral__source=filters.source)
    answers = Answer.objects.filter(response__in=consented)
    rows = []
    for later in (TimePoint.MIDWAY, TimePoint.EXIT):
        answered_later = consented.filter(
            referral=OuterRef("response__referral"),
            questionnaire=OuterRef("response__questionnaire"),
            time_point=later,
            submitted_at__gte=since,
            submitted_at__lt=until,
        )
        answered_at_intake = consented.filter(
            referral=OuterRef("response__referral"),
            questionnaire=OuterRef("response__questionnaire"),
            time_point=TimePoint.INTAKE,
        )
        then = {
            row["question"]: row
            for row in answers.filter(
                Exists(answered_at_intake),
                response__time_point=later,
                response__submitted_at__gte=since,
                response__submitted_at__lt=until,
            )
            .values("question")
            .annotate(people=Count("response__referral", distinct=True), mean=Avg("value"))
            .order_by()
        }
        before = dict(
            answers.filter(Exists(answered_later), response__time_point=TimePoint.INTAKE)
            .values_list("question")
            .annotate(mean=Avg("value"))
            .order_by()
        )
        questions = Question.objects.filter(pk__in=then).select_related("questionnaire")
        for question in sorted(questions, key=lambda q: (q.questionnaire.title, q.position)):
            start, end = before.get(question.pk), then[question.pk]["mean"]
            change = round(end - start, 2) if start is not None else None
            rows.append(
                [
                    f"{question.questionnaire.title}: {question.text}",
                    TimePoint(later).label,
                    then[question.pk]["people"],
                    None if start is None else round(start, 2),
                    round(end, 2),
                    change,
                    _direction(change, question.higher_is_better),
                ]
            )
    report.tables["outcomes"] = Table(
        key="outcomes",
        title="Outcome measures: change since intake",
        columns=["Question", "Compared with", "People", "At intake", "Then", "Change", "Meaning"],
        rows=rows,
    )


def _direction(change, higher_is_better: bool) -> str:
    if not change:
        return "No change"
    return "Better" if (change > 0) == higher_is_better else "Worse"
