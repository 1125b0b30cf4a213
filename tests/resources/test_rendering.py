"""Sanitising: nothing that can run reaches a page, whoever wrote the resource."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from resources.rendering import reading_minutes, render_markdown
from tests.resources.factories import make_resource

HOSTILE = """## Hello

<script>alert("script")</script>

<img src="x" onerror="alert('img')">

<a href="#" onclick="alert('click')">click</a>

[plain js](javascript:alert('link'))

[mixed case](JaVaScRiPt:alert('link'))

[encoded](jav&#x09;ascript:alert('link'))

[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

<iframe src="https://evil.example/"></iframe>

<svg onload="alert('svg')"></svg>

<style>body { display: none }</style>

[a real link](https://www.samaritans.org) and [a phone](tel:116123)
"""


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html: str):
    parser = Elements()
    parser.feed(html)
    return parser.tags


def main_of(page: str) -> str:
    """The page's main content: the site's own quick-exit script sits outside it."""
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def assert_harmless(html: str):
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "img", "svg", "style", "object", "embed"}, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), href


def test_markdown_keeps_formatting_and_safe_links():
    html = render_markdown(
        "## Heading\n\n- one\n- **two**\n\n[Samaritans](https://www.samaritans.org)"
    )
    assert "<h2>Heading</h2>" in html
    assert "<strong>two</strong>" in html
    assert 'href="https://www.samaritans.org"' in html
    assert 'rel="noopener noreferrer"' in html


def test_script_tags_event_handlers_javascript_links_and_iframes_never_survive():
    html = render_markdown(HOSTILE)
    assert_harmless(html)
    tags = [tag for tag, _ in elements(html)]
    assert "a" in tags  # the real links are still links
    assert 'href="tel:116123"' in html


def test_headings_move_down_inside_a_pack_and_never_become_h1():
    assert "<h3>Sub</h3>" in render_markdown("## Sub", heading_offset=1)
    assert "<h1>" not in render_markdown("# Title")


def test_reading_time_rounds_up_to_whole_minutes():
    assert reading_minutes("word " * 10) == 1
    assert reading_minutes("word " * 401) == 3


@pytest.mark.django_db
def test_hostile_text_stored_by_any_route_is_harmless_on_every_page(
    client, organisation_a, caseworker_a
):
    # The staff form refuses HTML; the service does not, so prove the page is safe anyway.
    resource = make_resource(None, slug="hostile", body=HOSTILE)
    response = client.get(reverse("resources:resource", kwargs={"slug": resource.slug}))
    assert response.status_code == 200
    assert_harmless(main_of(response.content.decode()))
    own = make_resource(organisation_a, body=HOSTILE)
    from tests.conftest import sign_in

    sign_in(client, caseworker_a)
    page = client.get(reverse("resources-staff:resource-detail", kwargs={"resource_id": own.pk}))
    assert_harmless(main_of(page.content.decode()))


@pytest.mark.django_db
def test_the_staff_form_refuses_html(client, coordinator_a):
    from tests.conftest import sign_in

    sign_in(client, coordinator_a)
    response = client.post(
        reverse("resources-staff:resource-new"),
        {
            "title": "T",
            "slug": "t",
            "summary": "S",
            "body": "Hello <script>alert(1)</script>",
            "stages": ["waiting"],
            "audiences": ["partners"],
            "review_by": "2030-01-01",
            "status": "draft",
        },
    )
    assert response.status_code == 400
    assert "Remove the HTML tags" in response.content.decode()
