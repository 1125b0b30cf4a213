"""Hypothesis strategies for safe times: windows and moments that crowd around the clock
changes (the last Sundays of March and October) and bank holidays, where a wall-clock
rule is easiest to get wrong."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import strategies as st

from portal.notifications.contact_windows import ContactWindows, Window

# Around 1am UTC on these days the London clocks go forward (March) or back (October).
CLOCK_CHANGES = (
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2027, 3, 28, 1, tzinfo=UTC),
    datetime(2027, 10, 31, 1, tzinfo=UTC),
)
# Christmas 2026 is a Friday (Boxing Day's holiday moves to Monday 28), Easter 2027 is
# in the week the clocks go forward, and an ordinary Thursday.
OTHER_DAYS = (
    datetime(2026, 12, 24, 12, tzinfo=UTC),
    datetime(2027, 3, 26, 12, tzinfo=UTC),
    datetime(2026, 11, 26, 12, tzinfo=UTC),
)

# Clock readings that fall in, at the edges of, or around the hours that are skipped or
# repeated, and the ones people choose.
TRICKY_CLOCKS = tuple(
    time(h, m)
    for h, m in (
        (0, 0),
        (0, 30),
        (0, 59),
        (1, 0),
        (1, 15),
        (1, 30),
        (1, 59),
        (2, 0),
        (2, 30),
        (3, 0),
        (9, 0),
        (10, 0),
        (14, 0),
        (17, 0),
        (19, 0),
        (21, 0),
        (23, 59),
    )
)

clocks = st.one_of(
    st.sampled_from(TRICKY_CLOCKS),
    st.integers(0, 24 * 60 - 1).map(lambda minutes: time(minutes // 60, minutes % 60)),
)
# Sundays are the days the clocks change, and bank holidays take Sunday's windows.
days = st.one_of(st.just(6), st.integers(0, 6))


@st.composite
def windows(draw) -> Window:
    day = draw(days)
    first, second = draw(st.lists(clocks, min_size=2, max_size=2, unique=True))
    return Window(day, min(first, second), max(first, second))


contact_windows = st.lists(windows(), min_size=1, max_size=5).map(
    lambda found: ContactWindows(tuple(found))
)


@st.composite
def moments(draw, *, spread_days: int = 3) -> datetime:
    """A moment up to ``spread_days`` either side of a clock change or a holiday, often
    within a few hours of the change itself, sometimes part-way through a minute."""
    near_change = draw(st.booleans())
    base = draw(st.sampled_from(CLOCK_CHANGES if near_change else CLOCK_CHANGES + OTHER_DAYS))
    reach = 4 * 60 if near_change else spread_days * 24 * 60
    minutes = draw(st.integers(-reach, reach))
    seconds = draw(st.sampled_from((0, 0, 0, 1, 30, 59)))
    return base + timedelta(minutes=minutes, seconds=seconds)


def safe_hours_a_week(found: ContactWindows) -> float:
    return sum(
        (datetime.combine(datetime.min, w.ends) - datetime.combine(datetime.min, w.starts))
        / timedelta(hours=1)
        for w in found.windows
    )
