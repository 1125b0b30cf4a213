"""When it is safe to contact a person: weekly windows of Europe/London wall-clock time.

A person who shares a home or a phone with someone under investigation may be safe to
reach only while that person is out: "weekdays, 10am to 2pm". ``ContactWindows`` holds
those windows and answers the questions the portal asks of them: is this moment safe,
when is the next safe moment, and when will a number of safe hours have passed (an
offer's time to answer counts only those).

No windows means any time. Windows are wall-clock times in Europe/London, so a window
means the same on either side of a clock change: a window whose start does not exist
on the morning the clocks go forward begins when the clocks jump past it, and one that
covers part of the hour repeated in October is open both times the clock shows it. All
arithmetic is done in UTC: two London datetimes subtract and add as wall-clock readings,
which is an hour out across a change, and a London datetime in the repeated hour is
never equal to any other zone's; so the moments worked out here are in UTC. A bank holiday
in England and Wales takes the person's Sunday windows: a household is at home as it
is on a Sunday, and "weekday daytimes" must not mean Christmas Day.

Pure: no database, so the property tests can try thousands of windows quickly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from portal.core.working_days import is_bank_holiday

LONDON = ZoneInfo("Europe/London")

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SUNDAY = 6

# How far ahead a next safe moment is looked for: a week of windows, and enough beyond
# for a run of bank holidays (Christmas, Boxing Day and New Year) to pass.
SEARCH_DAYS = 21


class InvalidWindow(ValueError):
    """A window that cannot be kept: said in words a person can act on."""


@dataclass(frozen=True, order=True)
class Window:
    """One weekly window: ``day`` 0 is Monday; ``starts`` up to (not including) ``ends``."""

    day: int
    starts: time
    ends: time

    def __post_init__(self) -> None:
        if not 0 <= self.day <= 6:
            raise InvalidWindow("Choose a day of the week.")
        if self.ends <= self.starts:
            raise InvalidWindow("The end time must be later than the start time.")

    def to_json(self) -> dict:
        return {
            "day": DAY_NAMES[self.day],
            "from": self.starts.strftime("%H:%M"),
            "to": self.ends.strftime("%H:%M"),
        }

    @classmethod
    def from_json(cls, data: dict) -> Window:
        try:
            day = DAY_NAMES.index(str(data["day"]).lower())
        except (KeyError, ValueError):
            raise InvalidWindow("Give the day as a weekday name, like 'monday'.") from None
        return cls(day=day, starts=_clock(data.get("from")), ends=_clock(data.get("to")))


def _clock(value) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except (TypeError, ValueError):
        raise InvalidWindow("Give times on the 24-hour clock, like 09:30 or 17:00.") from None


def _merged(windows) -> tuple[Window, ...]:
    """Sorted, with overlapping or touching windows on the same day made one."""
    merged: list[Window] = []
    for window in sorted(set(windows)):
        last = merged[-1] if merged else None
        if last and last.day == window.day and window.starts <= last.ends:
            merged[-1] = Window(last.day, last.starts, max(last.ends, window.ends))
        else:
            merged.append(window)
    return tuple(merged)


def _local(moment: datetime) -> datetime:
    """``moment`` on the London wall clock. Through UTC: converting a datetime already in
    London would keep a wall time that does not exist (the hour the clocks skip)."""
    return moment.astimezone(UTC).astimezone(LONDON)


def _readings(day: date, clock: time) -> list[datetime]:
    """The instants (UTC) a London wall clock shows ``clock`` on ``day``: one, two in the
    hour repeated when the clocks go back, none in the hour skipped when they go forward."""
    naive = datetime.combine(day, clock)
    found: list[datetime] = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=LONDON, fold=fold).astimezone(UTC)
        if _local(instant).replace(tzinfo=None) == naive and instant not in found:
            found.append(instant)
    return found


@lru_cache(maxsize=64)
def _clock_changes(day: date) -> tuple[datetime, ...]:
    """The instants (UTC) on ``day`` when the London clocks go forward or back: none on all
    but two days a year. Where a window's safe time can begin or end besides its own
    start and end: a window ending in the skipped hour closes when the clocks jump, and
    one covering part of the repeated hour opens again when they go back."""
    begins = datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)
    ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)
    if _local(begins).utcoffset() == _local(ends).utcoffset():
        return ()
    changes = []
    instant, offset = begins, _local(begins).utcoffset()
    while instant < ends:
        instant += timedelta(minutes=1)
        if _local(instant).utcoffset() != offset:
            changes.append(instant)
            offset = _local(instant).utcoffset()
    return tuple(changes)


@dataclass(frozen=True)
class ContactWindows:
    windows: tuple[Window, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "windows", _merged(self.windows))

    # --- Stored and sent as a list of {"day", "from", "to"} --------------------------

    def to_json(self) -> list[dict]:
        return [window.to_json() for window in self.windows]

    @classmethod
    def from_json(cls, data) -> ContactWindows:
        if not data:
            return cls()
        if not isinstance(data, list):
            raise InvalidWindow("Give the safe times as a list of windows.")
        return cls(tuple(Window.from_json(item) for item in data))

    # --- Questions ----------------------------------------------------------------------

    @property
    def any_time(self) -> bool:
        return not self.windows

    def weekday_of(self, day: date) -> int:
        """The day whose windows apply: a bank holiday takes Sunday's."""
        return SUNDAY if is_bank_holiday(day) else day.weekday()

    def _windows_on(self, day: date) -> list[Window]:
        weekday = self.weekday_of(day)
        return [window for window in self.windows if window.day == weekday]

    def _window_holding(self, moment: datetime) -> tuple[date, Window] | None:
        local = _local(moment)
        clock = local.time().replace(tzinfo=None)
        for window in self._windows_on(local.date()):
            if window.starts <= clock < window.ends:
                return local.date(), window
        return None

    def allows(self, moment: datetime) -> bool:
        """True if ``moment`` (an aware datetime) falls inside one of the windows."""
        return self.any_time or self._window_holding(moment) is not None

    def next_safe_moment(self, moment: datetime) -> datetime | None:
        """``moment`` itself if it is safe, or the start of the next window after it.
        None only if no window comes in the next three weeks (every day a holiday)."""
        if self.allows(moment):
            return moment
        after = moment.astimezone(UTC)
        today = _local(moment).date()
        for offset in range(SEARCH_DAYS + 1):
            day = today + timedelta(days=offset)
            windows = self._windows_on(day)
            if not windows:
                continue
            # Safe time begins at a window's start, or when the clocks change (a start in
            # the skipped hour, a window covering the repeated one).
            candidates = [*_clock_changes(day)]
            for window in windows:
                candidates.extend(_readings(day, window.starts))
            starts = [c for c in candidates if c > after and self.allows(c)]
            if starts:
                return min(starts)
        return None

    def window_end(self, moment: datetime) -> datetime | None:
        """When the window ``moment`` is in closes (None if it is in none)."""
        holding = self._window_holding(moment)
        if holding is None:
            return None
        day, _window = holding
        after = moment.astimezone(UTC)
        # Safe time stops at a window's end (the first or second time the clock shows it)
        # or when the clocks change (an end in the skipped hour); whichever is the first
        # after ``moment`` that is not safe. The last window's end always is.
        candidates = [*_clock_changes(day)]
        for window in self._windows_on(day):
            candidates.extend(_readings(day, window.ends))
        return min(c for c in candidates if c > after and not self.allows(c))

    def add_safe_hours(
        self, start: datetime, hours: float, *, not_after: datetime | None = None
    ) -> datetime:
        """The moment ``hours`` of safe time have passed since ``start``: an offer made on
        Friday evening to a person reached only on weekdays runs from Monday morning.
        ``not_after`` stops the count there (an hour a week would make 48 safe hours
        most of a year)."""
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(UTC)
        if self.any_time:
            end = cursor + remaining
            return min(end, not_after) if not_after else end
        while True:
            if not_after is not None and cursor >= not_after:
                return not_after
            begins = self.next_safe_moment(cursor)
            if begins is None:
                # No window for three weeks: count the clock rather than never end.
                return cursor + remaining
            begins = begins.astimezone(UTC)
            ends = self.window_end(begins)
            available = ends - begins
            if available >= remaining:
                end = begins + remaining
                return min(end, not_after) if not_after else end
            remaining -= available
            cursor = ends

    # --- In words -----------------------------------------------------------------------

    def describe(self) -> str:
        """ "Monday to Friday, 10am to 2pm", or "Any time"."""
        if self.any_time:
            return "Any time"
        by_day: dict[int, tuple] = {}
        for window in self.windows:
            by_day.setdefault(window.day, ())
            by_day[window.day] += ((window.starts, window.ends),)
        runs: list[tuple[int, int, tuple]] = []
        for day in sorted(by_day):
            times = by_day[day]
            if runs and runs[-1][1] == day - 1 and runs[-1][2] == times:
                runs[-1] = (runs[-1][0], day, times)
            else:
                runs.append((day, day, times))
        parts = []
        for first, last, times in runs:
            if first == last:
                days = DAY_LABELS[first]
            elif last == first + 1:
                days = f"{DAY_LABELS[first]} and {DAY_LABELS[last]}"
            else:
                days = f"{DAY_LABELS[first]} to {DAY_LABELS[last]}"
            spans = " and ".join(f"{clock_in_words(a)} to {clock_in_words(b)}" for a, b in times)
            parts.append(f"{days}, {spans}")
        return "; ".join(parts)


def clock_in_words(clock: time) -> str:
    """10am, 2:30pm, midday."""
    if clock == time(12, 0):
        return "midday"
    if clock == time(0, 0):
        return "midnight"
    hour = clock.hour % 12 or 12
    suffix = "am" if clock.hour < 12 else "pm"
    return f"{hour}{suffix}" if clock.minute == 0 else f"{hour}:{clock.minute:02d}{suffix}"


WEEKDAYS = range(5)

# The simple choices offered to a family on the self-referral form.
PRESETS: dict[str, ContactWindows] = {
    "any_time": ContactWindows(),
    "weekday_daytimes": ContactWindows(tuple(Window(d, time(9), time(17)) for d in WEEKDAYS)),
    "weekday_evenings": ContactWindows(tuple(Window(d, time(17), time(21)) for d in WEEKDAYS)),
}


def preset_name(windows: ContactWindows) -> str:
    """The simple choice these windows are, or "custom"."""
    for name, preset in PRESETS.items():
        if preset == windows:
            return name
    return "custom"
