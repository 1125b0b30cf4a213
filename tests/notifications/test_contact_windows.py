"""A person's safe times as weekly windows: the answers every send path relies on."""

from datetime import datetime, time

import pytest

from portal.notifications.contact_windows import (
    LONDON,
    PRESETS,
    ContactWindows,
    InvalidWindow,
    Window,
    preset_name,
)

WEEKDAYS_10_TO_2 = ContactWindows(tuple(Window(day, time(10), time(14)) for day in range(5)))


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_no_windows_means_any_time():
    anyone = ContactWindows()
    moment = london(2026, 11, 28, 23, 30)
    assert anyone.allows(moment)
    assert anyone.next_safe_moment(moment) == moment
    assert anyone.describe() == "Any time"


def test_a_moment_inside_a_window_is_safe_and_its_end_is_not():
    assert WEEKDAYS_10_TO_2.allows(london(2026, 11, 26, 10, 0))  # Thursday
    assert WEEKDAYS_10_TO_2.allows(london(2026, 11, 26, 13, 59))
    assert not WEEKDAYS_10_TO_2.allows(london(2026, 11, 26, 14, 0))
    assert not WEEKDAYS_10_TO_2.allows(london(2026, 11, 28, 11, 0))  # Saturday


def test_the_next_safe_moment_is_the_next_window_start():
    thursday_evening = london(2026, 11, 26, 19, 0)
    assert WEEKDAYS_10_TO_2.next_safe_moment(thursday_evening) == london(2026, 11, 27, 10, 0)
    saturday = london(2026, 11, 28, 17, 0)
    assert WEEKDAYS_10_TO_2.next_safe_moment(saturday) == london(2026, 11, 30, 10, 0)


def test_a_bank_holiday_takes_sundays_windows():
    # Christmas Day 2026 is a Friday; Boxing Day's holiday moves to Monday 28 December.
    christmas_eve_afternoon = london(2026, 12, 24, 15, 0)
    assert not WEEKDAYS_10_TO_2.allows(london(2026, 12, 25, 11, 0))
    assert WEEKDAYS_10_TO_2.next_safe_moment(christmas_eve_afternoon) == london(2026, 12, 29, 10, 0)
    sundays_too = ContactWindows((*WEEKDAYS_10_TO_2.windows, Window(6, time(18), time(19))))
    assert sundays_too.allows(london(2026, 12, 25, 18, 30))


def test_a_window_in_the_hour_the_clocks_skip_starts_when_the_clock_reaches_it():
    # Sunday 28 March 2027: 1am becomes 2am.
    early_sunday = ContactWindows((Window(6, time(1, 30), time(3, 0)),))
    start = early_sunday.next_safe_moment(london(2027, 3, 27, 22, 0))
    assert start.astimezone(LONDON).hour == 2
    assert early_sunday.allows(start)
    only_the_skipped_hour = ContactWindows((Window(6, time(1, 0), time(2, 0)),))
    start = only_the_skipped_hour.next_safe_moment(london(2027, 3, 27, 22, 0))
    # Not that Sunday (the hour never happens) but Easter Monday, a bank holiday, which
    # takes Sunday's windows.
    assert start == london(2027, 3, 29, 1, 0)


def test_wall_clock_windows_mean_the_same_after_the_clocks_go_back():
    # Sunday 25 October 2026 the clocks go back; Monday's 10am is 10:00 GMT.
    monday = WEEKDAYS_10_TO_2.next_safe_moment(london(2026, 10, 24, 12, 0))
    assert monday == london(2026, 10, 26, 10, 0)
    assert monday.utcoffset().total_seconds() == 0


def test_safe_hours_count_only_time_inside_windows():
    friday_evening = london(2026, 11, 27, 20, 0)
    # 4 safe hours a weekday: 48 hours are twelve weekdays, from Monday 30 November.
    assert WEEKDAYS_10_TO_2.add_safe_hours(friday_evening, 48) == london(2026, 12, 15, 14, 0)
    assert WEEKDAYS_10_TO_2.add_safe_hours(london(2026, 11, 30, 11, 0), 2) == london(
        2026, 11, 30, 13, 0
    )
    assert ContactWindows().add_safe_hours(friday_evening, 48) == london(2026, 11, 29, 20, 0)


def test_overlapping_windows_are_one():
    windows = ContactWindows((Window(0, time(9), time(12)), Window(0, time(11), time(14))))
    assert windows.windows == (Window(0, time(9), time(14)),)


def test_windows_in_words_group_days_with_the_same_times():
    assert WEEKDAYS_10_TO_2.describe() == "Monday to Friday, 10am to 2pm"
    weekend = ContactWindows((Window(5, time(9, 30), time(12)), Window(6, time(9, 30), time(12))))
    assert weekend.describe() == "Saturday and Sunday, 9:30am to midday"
    assert PRESETS["weekday_evenings"].describe() == "Monday to Friday, 5pm to 9pm"


def test_windows_round_trip_as_json_and_name_their_preset():
    data = PRESETS["weekday_daytimes"].to_json()
    assert data[0] == {"day": "monday", "from": "09:00", "to": "17:00"}
    assert ContactWindows.from_json(data) == PRESETS["weekday_daytimes"]
    assert preset_name(ContactWindows.from_json(data)) == "weekday_daytimes"
    assert preset_name(WEEKDAYS_10_TO_2) == "custom"
    assert preset_name(ContactWindows.from_json([])) == "any_time"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"day": "someday", "from": "10:00", "to": "12:00"}, "weekday name"),
        ({"day": "monday", "from": "10am", "to": "12:00"}, "24-hour clock"),
        ({"day": "monday", "from": "25:00", "to": "26:00"}, "24-hour clock"),
        ({"day": "monday", "from": "14:00", "to": "10:00"}, "later than the start"),
        ({"day": "monday", "from": "10:00", "to": "10:00"}, "later than the start"),
    ],
)
def test_a_window_that_cannot_be_kept_is_refused_in_plain_words(item, message):
    with pytest.raises(InvalidWindow, match=message):
        ContactWindows.from_json([item])
