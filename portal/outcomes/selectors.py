"""Which questionnaires a person is asked to answer now, and what an organisation asks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from peergroups.models import Attendance, Booking
from portal.organisations.models import Organisation
from referrals.models import Referral

from .models import OutcomeSchedule, Questionnaire, Response, TimePoint


@dataclass(frozen=True)
class Due:
    questionnaire: Questionnaire
    time_point: str

    @property
    def label(self) -> str:
        return TimePoint(self.time_point).label


def questionnaires_for(*, organisation: Organisation):
    """Shipped questionnaires and the organisation's own."""
    return Questionnaire.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    ).order_by("organisation_id", "title")


def questionnaires_due(*, referral: Referral) -> list[Due]:
    """What to ask now: at intake once a place is confirmed, after the set number of
    sessions attended, and at exit once a place has ended after being taken up."""
    schedules = list(
        OutcomeSchedule.objects.filter(organisation=referral.organisation, is_active=True)
        .select_related("questionnaire")
        .order_by("questionnaire__title")
    )
    if not schedules:
        return []
    progress = Booking.objects.filter(referral=referral).aggregate(
        placed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        # Finishing the course or leaving it early: either way their place has ended,
        # and how they are then is what the "at exit" questions ask.
        finished=Count("pk", filter=Q(state__in=Booking.ENDED)),
    )
    if not progress["placed"]:
        return []
    attended = Attendance.objects.filter(
        booking__referral=referral, status=Attendance.Status.ATTENDED
    ).count()
    answered = set(
        Response.objects.filter(referral=referral).values_list("questionnaire_id", "time_point")
    )
    due = []
    for schedule in schedules:
        wanted = []
        if schedule.at_intake:
            wanted.append(TimePoint.INTAKE)
        if schedule.after_sessions and attended >= schedule.after_sessions:
            wanted.append(TimePoint.MIDWAY)
        if schedule.at_exit and progress["finished"]:
            wanted.append(TimePoint.EXIT)
        due += [
            Due(schedule.questionnaire, point)
            for point in wanted
            if (schedule.questionnaire_id, point) not in answered
        ]
    return due
