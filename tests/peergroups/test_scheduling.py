"""Schedules make sessions at the same London time on both sides of the clock changes."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from peergroups.models import Session
from peergroups.scheduling import ScheduleError, ScheduleSpec, local_datetime, session_times
from peergroups.services import schedule_apply
from tests.factories import GroupFactory

LONDON = ZoneInfo("Europe/London")


def london_times(spec):
    return [start.astimezone(LONDON) for start, _ in session_times(spec)]


def test_weekly_sessions_keep_7pm_across_the_october_change():
    spec = ScheduleSpec("weekly", date(2026, 10, 18), time(19), 90, occurrences=3)
    starts = london_times(spec)
    assert [s.hour for s in starts] == [19, 19, 19]
    assert [s.utcoffset().total_seconds() for s in starts] == [3600, 0, 0]


def test_fortnightly_sessions_keep_their_time_across_the_march_change():
    spec = ScheduleSpec("fortnightly", date(2027, 3, 20), time(10, 30), 60, occurrences=3)
    starts = london_times(spec)
    assert [(s.date(), s.hour, s.minute) for s in starts] == [
        (date(2027, 3, 20), 10, 30),
        (date(2027, 4, 3), 10, 30),
        (date(2027, 4, 17), 10, 30),
    ]
    assert starts[0].utcoffset() != starts[1].utcoffset()


def test_monthly_on_the_first_and_last_weekday():
    first = ScheduleSpec(
        "monthly_nth_weekday", date(2026, 11, 3), time(19), 90, occurrences=3, nth=1
    )
    assert [s.date() for s in london_times(first)] == [
        date(2026, 11, 3),
        date(2026, 12, 1),
        date(2027, 1, 5),
    ]
    last = ScheduleSpec(
        "monthly_nth_weekday", date(2026, 11, 24), time(19), 90, occurrences=2, nth=-1
    )
    assert [s.date() for s in london_times(last)] == [date(2026, 11, 24), date(2026, 12, 29)]


def test_fixed_dates():
    spec = ScheduleSpec(
        "fixed_dates",
        date(2026, 12, 1),
        time(18),
        120,
        fixed_dates=(date(2027, 1, 12), date(2026, 12, 8)),
    )
    assert [s.date() for s in london_times(spec)] == [date(2026, 12, 8), date(2027, 1, 12)]


def test_a_time_that_does_not_exist_moves_forward_an_hour():
    # 01:30 on 28 March 2027 does not happen in London.
    assert local_datetime(date(2027, 3, 28), time(1, 30)).hour == 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            ScheduleSpec("weekly", date(2026, 12, 10), time(19), 90, end_date=date(2026, 12, 1)),
            "end date must be on or after",
        ),
        (ScheduleSpec("weekly", date(2026, 12, 10), time(19), 90), "end date or a number"),
        (ScheduleSpec("fixed_dates", date(2026, 12, 10), time(19), 90), "no session dates"),
        (
            ScheduleSpec(
                "monthly_nth_weekday", date(2026, 12, 10), time(19), 90, occurrences=2, nth=7
            ),
            "which week",
        ),
        (ScheduleSpec("weekly", date(2026, 12, 10), time(19), 5, occurrences=2), "15 minutes"),
        (ScheduleSpec("hourly", date(2026, 12, 10), time(19), 90, occurrences=2), "how often"),
    ],
)
def test_schedules_that_cannot_work_are_explained(spec, message):
    with pytest.raises(ScheduleError, match=message):
        session_times(spec)


@pytest.mark.django_db
def test_editing_the_schedule_moves_future_sessions_and_keeps_the_past(
    organisation_a, facilitator_a
):
    group = GroupFactory(organisation=organisation_a, format="in_person")
    with time_machine.travel(datetime(2026, 11, 1, 12, tzinfo=LONDON), tick=False):
        first = schedule_apply(
            group=group,
            spec=ScheduleSpec("weekly", date(2026, 11, 2), time(19), 90, occurrences=6),
            actor=facilitator_a,
        )
    assert len(first) == 6
    with time_machine.travel(datetime(2026, 11, 17, 12, tzinfo=LONDON), tick=False):
        # Two sessions have happened; the group moves to 6:30pm for four more weeks.
        kept = schedule_apply(
            group=group,
            spec=ScheduleSpec("weekly", date(2026, 11, 2), time(18, 30), 90, occurrences=6),
            actor=facilitator_a,
        )
    sessions = list(Session.objects.filter(group=group).order_by("starts_at"))
    assert len(sessions) == 6
    assert [s.starts_at.astimezone(LONDON).strftime("%H:%M") for s in sessions] == [
        "19:00",
        "19:00",
        "19:00",
        "18:30",
        "18:30",
        "18:30",
    ]
    # The same rows were moved, so anything attached to them stays.
    assert {s.pk for s in kept} <= {s.pk for s in first}
    assert sessions[2].starts_at.astimezone(LONDON).date() == date(2026, 11, 16)
