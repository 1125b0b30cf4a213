"""The safe moments of a set of windows, worked out a second, simpler way: the property
tests hold ``ContactWindows`` to it.

Each London day's windows become instants in UTC. On the two days a year the clocks
change, every minute of the day is read off the wall clock one by one (so the hour that
is skipped and the hour that comes twice need no reasoning); on every other day a window
is simply its start and end that day. Bank holidays take Sunday's windows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from portal.core.working_days import is_bank_holiday
from portal.notifications.contact_windows import LONDON, SUNDAY, ContactWindows

MINUTE = timedelta(minutes=1)

Interval = tuple[datetime, datetime]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def _day_intervals(windows: ContactWindows, day: date) -> list[Interval]:
    weekday = SUNDAY if is_bank_holiday(day) else day.weekday()
    todays = [w for w in windows.windows if w.day == weekday]
    if not todays:
        return []
    begins, ends = _midnight(day), _midnight(day + timedelta(days=1))
    if begins.astimezone(LONDON).utcoffset() == (ends - MINUTE).astimezone(LONDON).utcoffset():
        return [
            (
                datetime.combine(day, w.starts, tzinfo=LONDON).astimezone(UTC),
                datetime.combine(day, w.ends, tzinfo=LONDON).astimezone(UTC),
            )
            for w in todays
        ]
    found: list[Interval] = []
    instant = begins
    while instant < ends:
        clock = instant.astimezone(LONDON).time()
        if any(w.starts <= clock < w.ends for w in todays):
            if found and found[-1][1] == instant:
                found[-1] = (found[-1][0], instant + MINUTE)
            else:
                found.append((instant, instant + MINUTE))
        instant += MINUTE
    return found


def safe_intervals(windows: ContactWindows, since: datetime, until: datetime) -> list[Interval]:
    """Every safe stretch of time touching [since, until), in order, touching ones joined."""
    first = since.astimezone(LONDON).date() - timedelta(days=1)
    last = until.astimezone(LONDON).date() + timedelta(days=1)
    pieces: list[Interval] = []
    day = first
    while day <= last:
        pieces.extend(_day_intervals(windows, day))
        day += timedelta(days=1)
    joined: list[Interval] = []
    for begins, ends in sorted(pieces):
        if joined and begins <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(ends, joined[-1][1]))
        else:
            joined.append((begins, ends))
    return [(b, e) for b, e in joined if e > since and b < until]


def next_safe(windows: ContactWindows, moment: datetime, *, within_days: int = 22):
    if windows.any_time:
        return moment
    for begins, ends in safe_intervals(windows, moment, moment + timedelta(days=within_days)):
        if begins <= moment < ends:
            return moment
        if begins > moment:
            return begins
    return None


def stretch_end(windows: ContactWindows, moment: datetime) -> datetime | None:
    for begins, ends in safe_intervals(windows, moment, moment + timedelta(days=1)):
        if begins <= moment < ends:
            return ends
    return None


def after_safe_hours(windows: ContactWindows, start: datetime, hours: float, *, until_days: int):
    remaining = timedelta(hours=hours)
    for begins, ends in safe_intervals(windows, start, start + timedelta(days=until_days)):
        begins = max(begins, start)
        if ends - begins >= remaining:
            return begins + remaining
        remaining -= ends - begins
    return None


def safe_time_between(windows: ContactWindows, since: datetime, until: datetime) -> timedelta:
    total = timedelta()
    for begins, ends in safe_intervals(windows, since, until):
        total += min(ends, until) - max(begins, since)
    return total
