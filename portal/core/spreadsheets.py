"""The one way the portal writes CSV: files a spreadsheet shows as text, never runs.

Spreadsheets run a cell starting with = + - @ (or a tab or carriage return before one)
as a formula, and some start a new row at any line break, even a bare carriage return,
which makes the next line a cell of its own. So every cell is written as text with an
apostrophe before any line that would start a formula, and every cell holding a line
break of any kind is quoted. Every export (the audit log, the funders' report tables, the
support directory) goes through ``csv_writer``; a test fails if a module writes CSV any
other way.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The start of the cell, or of any line inside it, followed by a formula character.
_LINE_STARTING_A_FORMULA = re.compile(r"(^|\r\n|\r|\n)(?=[=+\-@\t\r])")
_NEUTRALISED_LINE = re.compile(r"(^|\r\n|\r|\n)'(?=[=+\-@\t\r])")


class SpreadsheetDialect(csv.excel):
    """RFC 4180: CRLF between rows. The csv module quotes any cell holding a character
    of the line terminator, so with both CR and LF in it every line break is quoted."""

    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value):
    """Numbers pass through; everything else is written as its text, with an apostrophe
    (which a spreadsheet shows as text) before the cell and before any line inside it
    that would start a formula, such as a group named "=HYPERLINK(...)"."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    return _LINE_STARTING_A_FORMULA.sub(r"\1'", str(value))


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]


def cell_from_spreadsheet(value: str) -> str:
    """Undo ``safe_cell`` on a value read back from one of the portal's own exports."""
    return _NEUTRALISED_LINE.sub(r"\1", value)


class SpreadsheetWriter:
    """``csv.writer`` with every row made safe first. ``writerow`` returns what the
    stream's ``write`` returned, so a streamed export can yield it."""

    def __init__(self, stream: _Writable):
        self._writer = csv.writer(stream, dialect=SpreadsheetDialect)

    def writerow(self, values: Iterable) -> Any:
        return self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: _Writable) -> SpreadsheetWriter:
    return SpreadsheetWriter(stream)


class _Echo:
    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as a line of CSV text, for a streamed response."""
    writer = csv_writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


def csv_text(rows: Iterable[Iterable]) -> str:
    return "".join(csv_lines(rows))
