"""Markdown to safe HTML, and reading time.

Two layers, so one mistake is never enough: the Markdown parser has raw HTML switched
off (anything that looks like a tag is shown as text), and its output then goes through
nh3 (the Ammonia sanitiser) with a short allow-list of tags, attributes and link schemes.
Scripts, event-handler attributes, ``javascript:`` links and iframes cannot survive either.
"""

from __future__ import annotations

import math
import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote",
        "h2", "h3", "h4", "h5", "h6", "a", "code", "pre",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
WORDS_PER_MINUTE = 200


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str, *, heading_offset: int = 0) -> SafeString:
    """Render ``text`` to sanitised HTML.

    ``heading_offset`` moves headings down a level or more, so a resource's ``##``
    headings sit under its title wherever it is shown (h2 on its own page, h3 in a pack).
    A level-one heading in the body is never kept as h1: the page has its own.
    """
    parser = _parser()
    tokens = parser.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag = f"h{min(6, max(2, level + heading_offset))}"
    html = parser.renderer.render(tokens, parser.options, {})
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
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
