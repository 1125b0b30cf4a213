"""Sources beside statements: a guide's footnotes render as numbered links to a sources
list, each guide on a page links to its own, and a guide with a broken source is refused."""

import shutil
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from resources import library as library_module
from resources import services
from resources.library import LibraryError, load_library
from resources.rendering import SOURCES_TITLE, render_markdown, source_problems
from tests.conftest import sign_in
from tests.referrals.factories import make_referral
from tests.resources.factories import make_resource

pytestmark = pytest.mark.django_db

SOURCED = """Officers must give you a copy of the warrant.[^pace-16]

## If they take things

They must give you a record of what they take.[^pace-21] The warrant still applies.[^pace-16]

[^pace-16]: [Police and Criminal Evidence Act 1984, section 16](https://www.legislation.gov.uk/ukpga/1984/60/section/16)
[^pace-21]: [Police and Criminal Evidence Act 1984, section 21](https://www.legislation.gov.uk/ukpga/1984/60/section/21)
"""


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.headings = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.hrefs.append(attrs["href"][1:])
        if tag in {"h2", "h3", "h4"}:
            self.headings.append(tag)


def parsed(html: str) -> Ids:
    parser = Ids()
    parser.feed(html)
    return parser


def test_sources_render_as_numbered_links_to_a_list_under_the_text():
    html = str(render_markdown(SOURCED))
    assert html.count('aria-label="Source 1"') == 2 and html.count('aria-label="Source 2"') == 1
    assert f">{SOURCES_TITLE}</h2>" in html
    assert 'href="https://www.legislation.gov.uk/ukpga/1984/60/section/16"' in html
    ids = parsed(html)
    # Every in-page link lands on something, and nothing is named twice.
    assert set(ids.hrefs) <= set(ids.ids)
    assert len(ids.ids) == len(set(ids.ids))
    assert html.count("Back to the text") == 2  # one per source, to where it is first used


def test_the_sources_heading_sits_with_the_guides_own_headings():
    html = str(render_markdown(SOURCED, heading_offset=1, doc_id="part-2"))
    assert parsed(html).headings == ["h3", "h3"]
    assert 'id="part-2-source-1"' in html and 'href="#part-2-source-1"' in html


def test_two_guides_in_one_pack_link_to_their_own_sources(client, organisation_a, caseworker_a):
    first = make_resource(organisation_a, title="First", body=SOURCED)
    second = make_resource(organisation_a, title="Second", body=SOURCED)
    referral = make_referral(organisation_a, safe_channels=["email"])
    _, token = services.pack_send(
        referral=referral, pack=None, resources=[first, second], actor=caseworker_a, title="For you"
    )
    opened = client.get(services.pack_url(token))
    page = client.get(opened.url).content.decode()
    ids = parsed(page)
    assert len(ids.ids) == len(set(ids.ids)), "an id is used twice on the pack's page"
    assert set(ids.hrefs) <= set(ids.ids)
    assert page.count(SOURCES_TITLE) == 2


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Said.[^missing]", "[^missing] is used but its source is not given"),
        (
            "Said.\n\n[^spare]: [An Act](https://www.legislation.gov.uk/ukpga/1984/60)",
            "[^spare] is given but not used",
        ),
        ("Said.[^bare]\n\n[^bare]: The Act, somewhere", "[^bare] must be one link"),
        ("Said.[^http]\n\n[^http]: [An Act](http://example.org/act)", "[^http] must be one link"),
    ],
)
def test_a_broken_source_is_named_in_words(body, problem):
    assert any(problem in line for line in source_problems(body))


def test_a_marker_followed_by_a_colon_is_still_a_use():
    body = (
        "It says:[^a]: you must go.\n\n[^a]: [An Act](https://www.legislation.gov.uk/ukpga/1984/60)"
    )
    assert source_problems(body) == []


def test_only_the_renderers_own_ids_classes_and_labels_survive():
    from resources.rendering import _only_our_own_values

    assert _only_our_own_values("li", "id", "part-2-source-3") == "part-2-source-3"
    assert _only_our_own_values("a", "id", "main-content") is None
    assert _only_our_own_values("a", "class", "button") is None
    assert _only_our_own_values("a", "aria-label", "Sign in") is None
    assert _only_our_own_values("a", "href", "https://example.org") == "https://example.org"


def test_a_coordinator_is_told_beside_the_text_when_a_source_is_missing(
    client, organisation_a, coordinator_a
):
    sign_in(client, coordinator_a)
    response = client.post(
        reverse("resources-staff:resource-new"),
        {
            "title": "Bail",
            "slug": "bail",
            "summary": "About bail.",
            "body": "Breaking a condition is not a crime.[^pace]",
            "stages": ["waiting"],
            "audiences": ["partners"],
            "last_checked": "2026-12-01",
            "status": "draft",
        },
    )
    assert response.status_code == 400
    assert "[^pace] is used but its source is not given at the end." in response.content.decode()


def test_the_library_refuses_a_guide_whose_source_is_not_a_link(tmp_path):
    shutil.copytree(library_module.LIBRARY, tmp_path / "library")
    path = sorted((tmp_path / "library" / "resources").glob("*.md"))[0]
    path.write_text(path.read_text() + "\nA claim.[^nowhere]\n\n[^nowhere]: a book I read\n")
    with pytest.raises(LibraryError, match=r"\[\^nowhere\] must be one link"):
        load_library(root=tmp_path / "library")
