"""What each person sees first, by role: a fixed number of queries whatever the data.

Caseworkers: their own queue, first contacts due today and overdue, messages that could
not be sent and need someone to act (staff tasks), recent activity.
Facilitators: this week's sessions with their rosters, and a one-tap register.
Coordinators: key figures for the last 30 days (from the funders' report).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from peergroups.models import Attendance, Booking, Group, Session
from peergroups.selectors import sessions_this_week
from portal.accounts.models import User
from portal.notifications.models import StaffTask
from portal.notifications.selectors import (
    ConcernListing,
    concerns_open,
    staff_task_explanation,
    staff_tasks_open,
)
from portal.organisations.models import Organisation
from portal.organisations.roles import CASE_ROLES, Role
from portal.organisations.scoping import member_organisation_ids
from portal.organisations.selectors import active_memberships
from portal.reports.selectors import ReportFilters, key_figures
from referrals.models import Referral, ReferralEvent
from referrals.selectors import QueueFilters, referrals_for_queue

LIST_LIMIT = 8
COORDINATOR_FIGURES = (
    "referrals_received",
    "median_days_to_first_contact",
    "first_contact_on_time",
    "reached_group_share",
    "sessions_held",
    "attendance_rate",
)


@dataclass
class Listing:
    count: int
    items: list[Referral]


@dataclass
class MeetingListing:
    """Meetings in the organisations someone coordinates that they do not run: a count,
    and the first few, each with the number of confirmed places (no one is named)."""

    count: int
    items: list[Session]


@dataclass(frozen=True)
class TaskLine:
    """A staff task as the dashboard shows it: what to do, and whose referral (by its
    reference; no name)."""

    task: StaffTask
    explanation: str
    reference: str = ""


@dataclass
class TaskListing:
    count: int
    items: list[TaskLine]

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass
class CaseworkerPanel:
    mine: Listing
    due_today: Listing
    overdue: Listing
    recent: list[ReferralEvent]
    tasks: TaskListing


@dataclass(frozen=True)
class RosterLine:
    """One person on a meeting's roster, as the dashboard shows them: the name they asked
    to be called (their safe-contact name) and the register's mark, if taken."""

    booking_id: int
    name: str
    reference: str
    recorded: str = ""

    @classmethod
    def of(cls, booking: Booking, *, recorded: str) -> RosterLine:
        referral = booking.referral
        safe = getattr(referral, "safe_contact", None)
        return cls(
            booking_id=booking.pk,
            name=(safe.name_to_use if safe else "") or referral.full_name,
            reference=referral.reference,
            recorded=recorded,
        )


@dataclass
class SessionPanel:
    session: Session
    is_today: bool
    roster: list[RosterLine] = field(default_factory=list)

    @property
    def register(self):
        """Whether the one-tap register can be taken yet (only once the meeting starts,
        or the configured few minutes before), and when it opens."""
        from peergroups.attendance import register_state

        return register_state(self.session)


@dataclass
class CoordinatorPanel:
    organisation: Organisation
    figures: list
    open_referrals: int
    waiting: int
    # Concerns facilitators raised, for this organisation's coordinators only.
    concerns: ConcernListing | None = None


def _listing(queryset) -> Listing:
    return Listing(count=queryset.count(), items=list(queryset[:LIST_LIMIT]))


def staff_tasks(*, user: User) -> TaskListing:
    """Open tasks in the organisations ``user`` works in (a message not sent: no safe
    time before it was needed, no safe written channel, or a failure), newest first.
    Three queries whatever the number."""
    organisation_ids = member_organisation_ids(user, roles=CASE_ROLES)
    count, tasks = staff_tasks_open(organisation_ids=organisation_ids, limit=LIST_LIMIT)
    referral_ids = {t.record_id for t in tasks if t.record_type == "referrals.referral"}
    references = {
        str(pk): reference
        for pk, reference in Referral.objects.filter(
            pk__in=referral_ids, organisation_id__in=organisation_ids
        ).values_list("pk", "reference")
    }
    return TaskListing(
        count=count,
        items=[
            TaskLine(
                task=task,
                explanation=staff_task_explanation(task),
                reference=references.get(task.record_id, ""),
            )
            for task in tasks
        ],
    )


def caseworker_panel(*, user: User) -> CaseworkerPanel:
    return CaseworkerPanel(
        mine=_listing(referrals_for_queue(user=user, filters=QueueFilters(assignee="me"))),
        due_today=_listing(referrals_for_queue(user=user, filters=QueueFilters(due="today"))),
        overdue=_listing(referrals_for_queue(user=user, filters=QueueFilters(due="overdue"))),
        recent=list(
            # By the event's own organisation: through its referral, the database joined
            # every organisation's events to find this one's latest few.
            ReferralEvent.objects.filter(
                organisation_id__in=member_organisation_ids(user, roles=CASE_ROLES)
            )
            .select_related("referral", "actor")
            .order_by("-at", "-id")[:LIST_LIMIT]
        ),
        tasks=staff_tasks(user=user),
    )


def facilitator_sessions(*, user: User) -> list[SessionPanel]:
    """This week's meetings of the groups ``user`` runs, each with its roster. Only their
    own: a coordinator of a charity with a hundred groups would otherwise get a hundred
    rosters (``other_meetings`` lists the rest)."""
    sessions = [
        s
        for s in sessions_this_week(user=user, facilitated_only=True)
        if s.status == Session.Status.SCHEDULED
    ]
    if not sessions:
        return []
    bookings = defaultdict(list)
    for booking in (
        Booking.objects.filter(
            group__in={s.group_id for s in sessions}, state=Booking.State.CONFIRMED
        )
        .select_related("referral", "referral__safe_contact")
        # Only what a roster line shows: the other personal fields stay encrypted, unread.
        .only(
            "group_id",
            "referral__reference",
            "referral__full_name",
            "referral__safe_contact__name_to_use",
        )
        .order_by("confirmed_at")
    ):
        bookings[booking.group_id].append(booking)
    recorded = {
        (row.session_id, row.booking_id): row.get_status_display()
        for row in Attendance.objects.filter(session__in=sessions)
    }
    today = timezone.localdate()
    return [
        SessionPanel(
            session=session,
            is_today=timezone.localtime(session.starts_at).date() == today,
            roster=[
                RosterLine.of(b, recorded=recorded.get((session.pk, b.pk), ""))
                for b in bookings[session.group_id]
            ],
        )
        for session in sessions
    ]


def other_meetings(*, user: User) -> MeetingListing:
    now = timezone.now()
    groups = Group.objects.filter(
        organisation_id__in=member_organisation_ids(user, roles=[Role.COORDINATOR])
    ).exclude(facilitators=user)
    # The organisations' week, read group by group from the (group, start) index: ordered
    # and cut in the database, the planner walked every organisation's week in time order
    # instead. One charity's week is a few hundred meetings at most; the light rows are
    # ordered here, and only the ones shown are counted and named.
    week = sorted(
        Session.objects.filter(
            group_id__in=list(groups.values_list("pk", flat=True)),
            status=Session.Status.SCHEDULED,
            starts_at__gte=now - timedelta(hours=3),
            starts_at__lt=now + timedelta(days=7),
        ).values_list("starts_at", "pk")
    )
    shown = [pk for _, pk in week[:LIST_LIMIT]]
    confirmed = (
        Booking.objects.filter(group=OuterRef("group"), state=Booking.State.CONFIRMED)
        .values("group")
        .annotate(n=Count("*"))
        .values("n")
    )
    items = list(
        Session.objects.filter(pk__in=shown)
        .select_related("group")
        .annotate(booked=Coalesce(Subquery(confirmed[:1]), 0))
        .order_by("starts_at", "pk")
    )
    return MeetingListing(count=len(week), items=items)


def coordinator_panels(*, user: User) -> list[CoordinatorPanel]:
    today = timezone.localdate()
    last_30_days = ReportFilters(start=today - timedelta(days=29), end=today)
    panels = []
    coordinated = sorted(
        (
            membership.organisation
            for membership in active_memberships(user)
            if membership.role == Role.COORDINATOR and membership.organisation is not None
        ),
        key=lambda organisation: organisation.name,
    )
    for organisation in coordinated:
        report = key_figures(organisation=organisation, filters=last_30_days)
        panels.append(
            CoordinatorPanel(
                organisation=organisation,
                figures=[report.figures[key] for key in COORDINATOR_FIGURES],
                open_referrals=Referral.objects.filter(organisation=organisation).open().count(),
                waiting=Booking.objects.filter(
                    group__organisation=organisation, state=Booking.State.WAITLISTED
                ).count(),
                concerns=concerns_open(organisation_ids=[organisation.pk], limit=LIST_LIMIT),
            )
        )
    return panels
