"""Small helpers for report figures computed in the database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Aggregate, DurationField, ExpressionWrapper, F, QuerySet
from django.utils import timezone


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of ``start`` to the end of ``end``, in UK time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def elapsed(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


class Median(Aggregate):
    """PostgreSQL's continuous median of a duration, in one pass over the rows."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_days(queryset: QuerySet, expression) -> float | None:
    """The median of a duration over the rows, in days, computed by the database.

    PostgreSQL has an ordered-set aggregate for it (one query). Elsewhere the database
    orders the values and returns at most the middle two, whatever the number of rows.
    """
    annotated = queryset.annotate(_wait=expression)
    if connection.vendor == "postgresql":
        middle_value = annotated.aggregate(median=Median("_wait"))["median"]
        return None if middle_value is None else round(middle_value.total_seconds() / 86400, 1)
    ordered = annotated.order_by("_wait").values_list("_wait", flat=True)
    count = ordered.count()
    if not count:
        return None
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    seconds = sum(value.total_seconds() for value in middle) / len(middle)
    return round(seconds / 86400, 1)


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
