"""Markdown to safe HTML, and reading time.

Two layers, so one mistake is never enough: the Markdown parser has raw HTML switched
off (anything that looks like a tag is shown as text), and its output then goes through
nh3 (the Ammonia sanitiser) with a short allow-list of tags, attributes and link schemes.
Scripts, event-handler attributes, ``javascript:`` links and iframes cannot survive either.

Footnotes (``[^key]`` beside a statement, ``[^key]: [Source](https://…)`` at the end) are
how a guide records the source of each legal statement: they render as numbered links
beside the statement and a "Where this information comes from" list under the text.
"""

from __future__ import annotations

import math
import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote",
        "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "sup", "div",
    }
)  # fmt: skip
# Ids and labels come only from the footnote renderer below (raw HTML is off), so a
# writer cannot set them.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class", "aria-label"},
    "ol": {"start", "class"},
    "li": {"id"},
    "sup": {"class"},
    "div": {"class"},
    "h2": {"class"}, "h3": {"class"}, "h4": {"class"}, "h5": {"class"}, "h6": {"class"},
}  # fmt: skip
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
WORDS_PER_MINUTE = 200
SOURCES_TITLE = "Where this information comes from"


def _number(tokens, idx) -> str:
    return str(tokens[idx].meta["id"] + 1)


def _sub(tokens, idx) -> str:
    sub = tokens[idx].meta.get("subId", -1)
    return f"-{sub}" if sub and sub > 0 else ""


def _source_ref(self, tokens, idx, options, env) -> str:
    number, doc = _number(tokens, idx), env.get("doc", "")
    return (
        f'<sup class="source-ref"><a href="#{doc}source-{number}" '
        f'id="{doc}source-ref-{number}{_sub(tokens, idx)}" aria-label="Source {number}">'
        f"[{number}]</a></sup>"
    )


def _sources_open(self, tokens, idx, options, env) -> str:
    level = env.get("sources_level", 2)
    # Not a landmark: a pack has one such list per guide, all with the same heading.
    return (
        f'<div class="sources"><h{level} class="sources__title">{SOURCES_TITLE}</h{level}>'
        '<ol class="sources__list">'
    )


def _sources_close(self, tokens, idx, options, env) -> str:
    return "</ol></div>"


def _source_open(self, tokens, idx, options, env) -> str:
    return f'<li id="{env.get("doc", "")}source-{_number(tokens, idx)}">'


def _source_close(self, tokens, idx, options, env) -> str:
    return "</li>"


def _source_back(self, tokens, idx, options, env) -> str:
    # One link back, to where the source is first used.
    if _sub(tokens, idx):
        return ""
    number, doc = _number(tokens, idx), env.get("doc", "")
    return f' <a href="#{doc}source-ref-{number}" class="sources__back">Back to the text</a>'


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).use(
        footnote_plugin, inline=False
    )
    rules = {
        "footnote_ref": _source_ref,
        "footnote_block_open": _sources_open,
        "footnote_block_close": _sources_close,
        "footnote_open": _source_open,
        "footnote_close": _source_close,
        "footnote_anchor": _source_back,
    }
    for name, rule in rules.items():
        parser.add_render_rule(name, rule)
    return parser


# Ids, classes and labels are only ever the ones the renderer above writes: a second lock
# in case a future parser option let a writer set attributes.
_OWN_ID = re.compile(r"^([a-z0-9-]+-)?source(-ref)?-\d+(-\d+)?$")
_OWN_CLASSES = frozenset(
    {"source-ref", "sources", "sources__title", "sources__list", "sources__back"}
)
_OWN_LABEL = re.compile(r"^Source \d+$")


def _only_our_own_values(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _OWN_ID.match(value) else None
    if attribute == "class":
        return value if value in _OWN_CLASSES else None
    if attribute == "aria-label":
        return value if _OWN_LABEL.match(value) else None
    return value


def render_markdown(text: str, *, heading_offset: int = 0, doc_id: str = "") -> SafeString:
    """Render ``text`` to sanitised HTML.

    ``heading_offset`` moves headings down a level or more, so a resource's ``##``
    headings sit under its title wherever it is shown (h2 on its own page, h3 in a pack).
    A level-one heading in the body is never kept as h1: the page has its own.
    ``doc_id`` prefixes the sources' anchors, so two guides on one page (a pack) each
    link to their own.
    """
    parser = _parser()
    env = {
        "doc": f"{slugify(doc_id)}-" if doc_id else "",
        "sources_level": min(6, max(2, 2 + heading_offset)),
    }
    tokens = parser.parse(text or "", env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag = f"h{min(6, max(2, level + heading_offset))}"
    html = parser.renderer.render(tokens, parser.options, env)
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_only_our_own_values,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3-sanitised  # nosec B308 B703


_WORD = re.compile(r"\w+")


def reading_minutes(*texts: str) -> int:
    words = sum(len(_WORD.findall(text or "")) for text in texts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def looks_like_html(text: str) -> bool:
    """True when the text has something tag-like, which will be shown as plain text."""
    return bool(re.search(r"<\s*/?\s*[a-zA-Z][^>]*>", text or ""))


_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*(.*)$", re.MULTILINE)
_ONE_LINK = re.compile(r"^\[[^\]]+\]\((https://[^)\s]+)\)\.?$")


def source_problems(text: str) -> list[str]:
    """What is wrong with a text's sources, in words a writer can act on.

    Each ``[^key]`` needs a definition, each definition must be used, and each definition
    is one link to an https address whose words name the source.
    """
    text = text or ""
    defined: dict[str, str] = {}
    problems = []
    for key, definition in _FOOTNOTE_DEF.findall(text):
        if key in defined:
            problems.append(f"The source [^{key}] is defined twice.")
        defined[key] = definition.strip()
    used = set(_FOOTNOTE_REF.findall(_FOOTNOTE_DEF.sub("", text)))
    for key in sorted(used - set(defined)):
        problems.append(f"[^{key}] is used but its source is not given at the end.")
    for key in sorted(set(defined) - used):
        problems.append(f"The source [^{key}] is given but not used beside any statement.")
    for key, definition in defined.items():
        if not _ONE_LINK.match(definition):
            problems.append(
                f"The source [^{key}] must be one link, like "
                "[Police and Criminal Evidence Act 1984, section 16](https://www.legislation.gov.uk/…)."
            )
    return problems
