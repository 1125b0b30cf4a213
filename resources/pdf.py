"""A pack as a PDF to print, drawn by WeasyPrint from the pack's own HTML.

WeasyPrint is given a fetcher that refuses every URL, so rendering never reaches out to
another site (or to a file on the server) whatever a resource links to.
"""

from __future__ import annotations


class _NoFetching(Exception):
    pass


def _refuse(url: str, *args, **kwargs):
    raise _NoFetching(url)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_refuse).write_pdf()
