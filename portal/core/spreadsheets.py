"""CSV cells that a spreadsheet will show as text, never run as a formula."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Numbers pass through; text that a spreadsheet would treat as a formula (a group
    named "=HYPERLINK(...)") is prefixed with an apostrophe, which shows it as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]
