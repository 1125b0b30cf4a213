"""The one way the portal writes CSV: files a spreadsheet shows as text, never runs.

Spreadsheets run a cell starting with = + - @ (or a tab or carriage return before one)
as a formula, and some start a new row at any line break, even a bare carriage return,
which makes the next line a cell of its own. So every cell is written as text with an
apostrophe before any line that would start a formula, and every cell holding a line
break of any kind is quoted. Every export (the audit log, the funders' report tables, the
support directory) goes through ``csv_writer``; a test fails if a module writes CSV any
other way.

What "would start a formula" is decided on what a spreadsheet sees, not on the first
character alone: spreadsheets skip leading spaces before a formula, and some read the
full-width and small forms of = + - @ (U+FF1D and the like, as an East Asian keyboard
types them) as the ASCII ones. So leading white space and invisible format characters
are stepped over, and the first character that remains is compared after NFKC
normalisation. A line is given its apostrophe before the spaces, so what is shown is
the text as typed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, Protocol

# After NFKC normalisation; U+2212 (the minus sign) too, which NFKC leaves as it is.
_FORMULA_CHARACTERS = frozenset("=+-@\u2212")
# Line breaks inside a cell: each starts a line that a spreadsheet may read on its own.
_LINE_BREAKS = re.compile(r"(\r\n|\r|\n)")


class SpreadsheetDialect(csv.excel):
    """RFC 4180: CRLF between rows. The csv module quotes any cell holding a character
    of the line terminator, so with both CR and LF in it every line break is quoted."""

    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def _is_blank(character: str) -> bool:
    # White space (spaces, tabs, no-break and ideographic spaces) and invisible format
    # characters (zero-width space, byte-order mark): a spreadsheet may step over either.
    return character.isspace() or unicodedata.category(character) == "Cf"


def starts_a_formula(line: str) -> bool:
    """Whether a spreadsheet could read ``line`` (a cell, or one line inside one) as a
    formula. Apostrophes before it count for nothing, so that neutralising can be undone
    exactly (a line already starting with "'=" gets one more)."""
    line = line.lstrip("'")
    if line[:1] in ("\t", "\r"):
        return True
    for character in line:
        if _is_blank(character):
            continue
        return unicodedata.normalize("NFKC", character)[:1] in _FORMULA_CHARACTERS
    return False


def _each_line(text: str, change) -> str:
    parts = _LINE_BREAKS.split(text)
    # Even positions are lines, odd ones the line breaks between them.
    return "".join(part if n % 2 else change(part) for n, part in enumerate(parts))


def _neutralised(line: str) -> str:
    return "'" + line if starts_a_formula(line) else line


def _restored(line: str) -> str:
    return line[1:] if line.startswith("'") and starts_a_formula(line[1:]) else line


def safe_cell(value):
    """Numbers pass through; everything else is written as its text, with an apostrophe
    (which a spreadsheet shows as text) before the cell and before any line inside it
    that would start a formula, such as a group named "=HYPERLINK(...)"."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    return _each_line(str(value), _neutralised)


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]


def cell_from_spreadsheet(value: str) -> str:
    """Undo ``safe_cell`` on a value read back from one of the portal's own exports."""
    return _each_line(value, _restored)


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
