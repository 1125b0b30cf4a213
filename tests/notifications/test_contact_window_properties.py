"""Properties of safe times over random windows and moments, crowded around the clock
changes and bank holidays: the next safe moment is safe, is never early and never late;
a window's end is where the safe time stops; safe hours count exactly the safe time.

Each property is held to a second, simpler working-out (``safe_time_oracle``), and the
next safe moment also to the wall clock read minute by minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal.notifications.contact_windows import LONDON, ContactWindows, Window

from . import safe_time_oracle as oracle
from .safe_time_strategies import contact_windows, moments, safe_hours_a_week

MINUTE = timedelta(minutes=1)
EXAMPLES = settings(max_examples=150, deadline=None)

# 00:30 to 3am on a Sunday: across the hour the clocks skip in March and the one they
# repeat in October.
ACROSS_THE_CHANGE = ContactWindows((Window(6, time(0, 30), time(3, 0)),))
# Windows that end, or start, inside the skipped or repeated hour.
ENDS_IN_THE_CHANGE = ContactWindows((Window(6, time(0, 0), time(1, 30)),))
STARTS_IN_THE_CHANGE = ContactWindows((Window(6, time(1, 15), time(3, 0)),))
MARCH_CHANGE = datetime(2026, 3, 29, 1, tzinfo=UTC)
OCTOBER_CHANGE = datetime(2026, 10, 25, 1, tzinfo=UTC)


def _minutes(since: datetime, until: datetime):
    """Every whole minute from ``since`` (itself first) up to ``until``. Windows begin and
    end on whole minutes and the London clock changes on the hour, so whether a moment is
    safe can only change on one of these."""
    yield since
    instant = since.replace(second=0, microsecond=0) + MINUTE
    while instant < until:
        yield instant
        instant += MINUTE


@EXAMPLES
@given(found=contact_windows, moment=moments())
@example(found=ACROSS_THE_CHANGE, moment=MARCH_CHANGE - timedelta(minutes=45))
@example(found=ACROSS_THE_CHANGE, moment=OCTOBER_CHANGE + timedelta(minutes=40))
@example(found=STARTS_IN_THE_CHANGE, moment=MARCH_CHANGE - timedelta(hours=5))
@example(found=STARTS_IN_THE_CHANGE, moment=OCTOBER_CHANGE + timedelta(minutes=5))
def test_the_next_safe_moment_is_safe_and_none_comes_before_it(found, moment):
    safe = found.next_safe_moment(moment)
    assert safe is not None
    assert safe >= moment
    assert found.allows(safe)
    assert safe == oracle.next_safe(found, moment)
    # And by the wall clock, minute by minute, when there is a wait of under two days.
    if moment < safe <= moment + timedelta(days=2):
        assert not any(found.allows(instant) for instant in _minutes(moment, safe))


@EXAMPLES
@given(found=contact_windows, moment=moments())
@example(found=ENDS_IN_THE_CHANGE, moment=MARCH_CHANGE - timedelta(minutes=15))
@example(found=ENDS_IN_THE_CHANGE, moment=OCTOBER_CHANGE + timedelta(minutes=10))
def test_a_window_ends_where_the_safe_time_stops(found, moment):
    safe = found.next_safe_moment(moment)
    ends = found.window_end(safe)
    assert ends > safe
    assert ends == oracle.stretch_end(found, safe)
    assert not found.allows(ends)
    if ends - safe <= timedelta(days=1):
        assert all(found.allows(instant) for instant in _minutes(safe, ends))
    if not found.allows(moment):
        assert found.window_end(moment) is None


@EXAMPLES
@given(found=contact_windows, start=moments(), data=st.data())
def test_safe_hours_count_exactly_the_safe_time(found, start, data):
    # Up to about two weeks of the person's safe time, in minutes.
    minutes = data.draw(st.integers(1, max(1, int(safe_hours_a_week(found) * 60 * 2))))
    _counts_exactly(found, start, minutes / 60)


def test_safe_hours_count_across_a_window_that_ends_in_the_skipped_hour():
    # Midnight to 1:30am on the Sunday the clocks go forward closes at 1am, when the
    # clock jumps to 2am: it used to close at the moment asked about, and the counting
    # never ended.
    _counts_exactly(ENDS_IN_THE_CHANGE, MARCH_CHANGE - timedelta(minutes=15), 1.0)
    _counts_exactly(ENDS_IN_THE_CHANGE, OCTOBER_CHANGE + timedelta(minutes=10), 3.0)


def _counts_exactly(found: ContactWindows, start: datetime, hours: float) -> None:
    ends = found.add_safe_hours(start, hours)
    assert ends == oracle.after_safe_hours(found, start, hours, until_days=60)
    assert oracle.safe_time_between(found, start, ends) == timedelta(hours=hours)
    # Counting ends on safe time, not in the gap after it.
    assert found.allows(ends - timedelta(seconds=1))


@settings(max_examples=60, deadline=None)
@given(start=moments(), hours=st.integers(1, 200))
def test_any_time_counts_the_clock(start, hours):
    # Real hours, even from a London reading across a clock change.
    ends = ContactWindows().add_safe_hours(start.astimezone(LONDON), hours)
    assert ends.astimezone(UTC) - start == timedelta(hours=hours)
