"""Turning a schedule into session times.

Dates come from the recurrence rule; each date is combined with the London wall-clock
start time and only then converted to UTC, so sessions keep their local time across the
October and March clock changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

LONDON = ZoneInfo("Europe/London")
# However a schedule is written, it cannot run away: at most two years of sessions.
MAX_SESSIONS = 104
MAX_SPAN = timedelta(days=2 * 366)


class ScheduleError(ValueError):
    """The schedule cannot produce sessions; the message is safe to show."""


@dataclass(frozen=True)
class ScheduleSpec:
    rule: str
    start_date: date
    start_time: time
    duration_minutes: int
    end_date: date | None = None
    occurrences: int | None = None
    nth: int | None = None
    fixed_dates: tuple[date, ...] = ()


def local_datetime(day: date, at: time) -> datetime:
    """A London wall-clock time on ``day`` as an aware datetime.

    In the hour that does not exist in spring, the time moves forward an hour; in the
    hour that happens twice in autumn, the first (summer-time) one is used.
    """
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=LONDON, fold=0)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(LONDON)
    if round_trip.replace(tzinfo=None) != naive:
        return (naive + timedelta(hours=1)).replace(tzinfo=LONDON)
    return aware


def session_dates(spec: ScheduleSpec) -> list[date]:
    if spec.rule == "fixed_dates":
        dates = sorted(set(spec.fixed_dates))
    else:
        if spec.end_date is None and not spec.occurrences:
            raise ScheduleError("Give an end date or a number of sessions.")
        if spec.end_date is not None and spec.end_date < spec.start_date:
            raise ScheduleError("The end date must be on or after the start date.")
        # RFC 5545 allows an end or a count, not both: the rule runs to the end date (or
        # the two-year limit) and the count is applied while reading it.
        until = datetime.combine(spec.end_date or spec.start_date + MAX_SPAN, time())
        count = min(spec.occurrences or MAX_SESSIONS + 1, MAX_SESSIONS + 1)
        start = datetime.combine(spec.start_date, time())
        if spec.rule == "weekly":
            rule = rrule(WEEKLY, dtstart=start, until=until)
        elif spec.rule == "fortnightly":
            rule = rrule(WEEKLY, interval=2, dtstart=start, until=until)
        elif spec.rule == "monthly_nth_weekday":
            if spec.nth not in (1, 2, 3, 4, -1):
                raise ScheduleError("Choose which week of the month: first to fourth, or last.")
            day = weekday(spec.start_date.weekday(), spec.nth)
            rule = rrule(MONTHLY, dtstart=start, until=until, byweekday=day)
        else:
            raise ScheduleError("Choose how often the group meets.")
        dates = [occurrence.date() for occurrence in islice(rule, count)]
    if not dates:
        raise ScheduleError("These settings give no session dates. Check the start and end dates.")
    if len(dates) > MAX_SESSIONS:
        raise ScheduleError(f"A schedule can have at most {MAX_SESSIONS} sessions.")
    return dates


def session_times(spec: ScheduleSpec) -> list[tuple[datetime, datetime]]:
    """(start, end) pairs, aware, for every session the schedule produces."""
    if not 15 <= spec.duration_minutes <= 480:
        raise ScheduleError("A session lasts between 15 minutes and 8 hours.")
    length = timedelta(minutes=spec.duration_minutes)
    times = []
    for day in session_dates(spec):
        start = local_datetime(day, spec.start_time)
        times.append((start, start + length))
    return times
