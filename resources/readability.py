"""How hard a guide is to read: a reading age, and jargon that is never spelt out.

Families read these guides in the worst weeks of their lives, often on a phone. The
shipped library is kept at a reading age of 11 or under (the Flesch-Kincaid grade plus
five, the usual conversion from a US school grade to an age), and the coordinators'
editor shows the same figure for an organisation's own guides.

The text is measured as a reader meets it: each heading, paragraph and list item is a
sentence of its own (a list item ending in ";" is not one long sentence), and the
sources under a guide are not part of what is measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import textstat
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

MAXIMUM_READING_AGE = 11
# A US school grade is about the reader's age less five.
GRADE_TO_AGE = 5

# Abbreviations a family is likely to meet in letters and from officers. Each must be
# spelt out in a guide before (or where) it is first used.
JARGON = {
    "PACE": "Police and Criminal Evidence Act",
    "RUI": "released under investigation",
    "SHPO": "sexual harm prevention order",
    "SRO": "sexual risk order",
    "MAPPA": "multi-agency public protection arrangements",
    "CPS": "Crown Prosecution Service",
    "DBS": "Disclosure and Barring Service",
    "NFA": "no further action",
    "RIPA": "Regulation of Investigatory Powers Act",
    "IPSO": "Independent Press Standards Organisation",
    "SARC": "sexual assault referral centre",
    "MIAM": "Mediation Information and Assessment Meeting",
    "CIW": "Care Inspectorate Wales",
    "Cafcass": "Children and Family Court Advisory and Support Service",
}

_TERMINAL = re.compile(r"[.!?:]\s*$")


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").use(footnote_plugin)


def plain_text(markdown: str) -> str:
    """The words a reader reads, one sentence or more per block, without the sources."""
    blocks: list[str] = []
    in_footnotes = 0
    for token in _parser().parse(markdown or ""):
        if token.type == "footnote_block_open":
            in_footnotes += 1
        elif token.type == "footnote_block_close":
            in_footnotes -= 1
        elif token.type == "inline" and not in_footnotes:
            words = "".join(
                child.content
                for child in token.children or []
                if child.type in ("text", "code_inline")
            ).strip()
            if words:
                blocks.append(words if _TERMINAL.search(words) else words.rstrip(";,") + ".")
    return "\n".join(blocks)


def reading_age(markdown: str) -> float:
    """The Flesch-Kincaid grade of the text plus five, to one decimal place."""
    text = plain_text(markdown)
    if not text.strip():
        return 0.0
    return round(textstat.flesch_kincaid_grade(text) + GRADE_TO_AGE, 1)


@dataclass(frozen=True)
class UnexplainedTerm:
    term: str
    meaning: str

    def __str__(self) -> str:
        return f"{self.term} is used before it is spelt out ({self.meaning})"


def unexplained_jargon(markdown: str) -> list[UnexplainedTerm]:
    """Abbreviations used before their meaning appears in the text."""
    text = plain_text(markdown)
    lowered = text.lower()
    found = []
    for term, meaning in JARGON.items():
        first_use = re.search(rf"\b{re.escape(term)}\b", text)
        if first_use is None:
            continue
        spelt_out = lowered.find(meaning.lower())
        before = spelt_out != -1 and spelt_out <= first_use.start()
        # "the CPS (Crown Prosecution Service)": spelt out in brackets where first used.
        beside = lowered[first_use.end() :].lstrip().startswith(f"({meaning.lower()}")
        if not (before or beside):
            found.append(UnexplainedTerm(term, meaning))
    return found


@dataclass(frozen=True)
class Readability:
    age: float
    maximum: int
    jargon: list[UnexplainedTerm]

    @property
    def too_hard(self) -> bool:
        return self.age > self.maximum


def summary(markdown: str) -> Readability:
    """What a coordinator sees beside a guide: its reading age and unexplained jargon."""
    return Readability(reading_age(markdown), MAXIMUM_READING_AGE, unexplained_jargon(markdown))
