"""Every CSV the portal writes goes through one writer, which a spreadsheet reads as text:
no cell starts a new row, and no line inside a cell starts a formula."""

import ast
import csv
import io
import unicodedata
from pathlib import Path

import pytest

from portal.core.spreadsheets import cell_from_spreadsheet, csv_text, safe_cell

ROOT = Path(__file__).resolve().parents[2]
THE_WRITER = ROOT / "portal" / "core" / "spreadsheets.py"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HOSTILE = [
    '=HYPERLINK("http://evil.example","Click")',
    'Fine\r=HYPERLINK("http://evil.example")',
    "Fine\n+1+1",
    "Fine\r\n-2+3",
    "Fine\r\r@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "Two\rlines\nand\r\nmore",
    # Spreadsheets step over leading spaces before a formula.
    "  =1+1",
    "Fine\n   +1+1",
    "\u00a0=1+1",
    "\u3000@SUM(A1)",
    "\u200b=1+1",
    "\ufeff=1+1",
    # Full-width and small forms, which some spreadsheets read as = + - @.
    '\uff1dHYPERLINK("http://evil.example")',
    "\uff0b1+1",
    "\uff0d2+3",
    "\uff20SUM(A1)",
    "Fine\r  \ufe66 1+1",
    "\u22121+1",
    # A tab or carriage return before a formula, at the start and inside.
    "\t  =1+1",
    "Fine\r\t=1+1",
    "\r\n =1+1",
    # Already neutralised once, by someone else: still undone exactly.
    "'=1+1",
    "''  =1+1",
]
# White space and invisible characters a spreadsheet may skip before reading a formula.
BLANK = " \t\u00a0\u3000\u200b\ufeff"


def _read(text: str) -> list[list[str]]:
    """As a spreadsheet reads a CSV file: rows split at unquoted line breaks."""
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_with_line_breaks_stays_one_cell_of_one_row(value):
    rows = _read(csv_text([["id", "name"], ["1", value]]))
    assert len(rows) == 2 and len(rows[1]) == 2


def _would_run(line: str) -> bool:
    """As a spreadsheet may read a line: leading blanks skipped, wide forms narrowed."""
    if line.startswith(FORMULA_STARTS):
        return True
    rest = line.lstrip(BLANK)
    return unicodedata.normalize("NFKC", rest[:1]) in {"=", "+", "-", "@", "\u2212"}


@pytest.mark.parametrize("value", HOSTILE)
def test_no_line_inside_a_cell_starts_a_formula(value):
    [_, [_, cell]] = _read(csv_text([["id", "name"], ["1", value]]))
    for line in cell.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        assert not _would_run(line), repr(cell)


@pytest.mark.parametrize(
    "value",
    ["  Hello", "Tom & Jerry", "team@charity.example", "5 - 3", "\uff21BC", "Line\n  two"],
)
def test_text_that_starts_no_formula_is_written_as_it_is(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_what_was_neutralised_is_restored_on_the_way_back_in(value):
    assert cell_from_spreadsheet(safe_cell(value)) == value


def test_numbers_stay_numbers_and_anything_else_is_written_as_its_text():
    class Lazy:
        def __str__(self):
            return "=1+1"

    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5 and safe_cell(None) == ""
    assert safe_cell(Lazy()) == "'=1+1"


def _writes_csv_itself(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"writer", "DictWriter"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "csv"
            and {alias.name for alias in node.names} & {"writer", "DictWriter"}
        ):
            lines.append(node.lineno)
    return lines


def test_no_module_writes_csv_except_through_the_one_writer():
    """A new export that used csv.writer directly would skip the neutralising."""
    offenders = []
    for folder in ("portal", "referrals", "peergroups", "resources"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == THE_WRITER or "migrations" in path.parts:
                continue
            found = _writes_csv_itself(ast.parse(path.read_text(encoding="utf-8")))
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in found]
    assert offenders == [], "Write CSV through portal.core.spreadsheets: " + ", ".join(offenders)
