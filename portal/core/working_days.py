"""Working days in England and Wales: weekends and bank holidays are not working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    # England and Wales share their bank holidays; the maintained calendar knows each
    # year's moved and one-off days.
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date | datetime, days: int) -> date:
    """The date ``days`` working days after ``start`` (a Europe/London date or datetime)."""
    if isinstance(start, datetime):
        start = timezone.localtime(start).date()
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)
