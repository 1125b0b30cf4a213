"""Get help now: what to do if someone may harm themselves, near the top of the page, and
help for the person and for worried family and friends, as well as for the reader."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.urls import reverse

from portal.public.views import HARM_GUIDE_SLUG

pytestmark = pytest.mark.django_db

HARM = "If you are worried someone may harm themselves"
FOR_THE_PERSON = "Help for the person, and for worried family and friends"


class Headings(HTMLParser):
    """The page's headings, in order, as (level, text)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[int, str]] = []
        self._level = None

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._level = int(tag[1])
            self.found.append((self._level, ""))

    def handle_endtag(self, tag):
        if self._level is not None and tag == f"h{self._level}":
            self._level = None

    def handle_data(self, data):
        if self._level is not None:
            level, text = self.found[-1]
            self.found[-1] = (level, (text + data).strip())


def main_of(response) -> str:
    return response.content.decode().split('<main id="main"')[1].split("</main>")[0]


def headings(html: str) -> list[tuple[int, str]]:
    parser = Headings()
    parser.feed(html)
    return parser.found


@pytest.fixture
def page(client):
    return main_of(client.get(reverse("public:get-help-now")))


def section(page: str, heading: str) -> str:
    """The page from ``heading`` up to the next heading of the same level (h2)."""
    start = page.index(heading)
    rest = page[start:]
    following = re.search(r"<h2[\s>]", rest)
    return rest[: following.start()] if following else rest


def test_the_section_on_self_harm_comes_right_after_the_emergency_panel(page):
    found = [text for level, text in headings(page) if level == 2]
    assert found[:3] == ["In an emergency", HARM, FOR_THE_PERSON], found


def test_headings_go_down_one_level_at_a_time(page):
    levels = [level for level, _ in headings(page)]
    assert levels[0] == 1
    for before, after in pairwise(levels):
        assert after <= before + 1, headings(page)


def test_what_to_do_if_someone_may_harm_themselves(page):
    harm = section(page, HARM)
    assert "first 48 hours after an arrest" in harm
    for moment in ("charged", "court", "sentenced", "in the news"):
        assert moment in harm, moment
    assert 'href="tel:999"' in harm
    # Still at the police station: the custody staff, through 101.
    assert 'href="tel:101"' in harm
    assert "custody suite" in harm and "custody sergeant" in harm
    assert 'href="tel:111"' in harm and "mental health option" in harm
    assert "England and Wales" in harm
    assert "not responsible for keeping them safe on your own" in harm
    # And the reader's own wellbeing.
    assert 'href="tel:116123"' in harm and "116 123" in harm
    assert "SHOUT" in harm and 'href="sms:85258"' in harm
    assert 'href="#help-for-the-person"' in harm


def test_samaritans_and_stop_it_now_help_the_person_and_their_family(page):
    helpers = section(page, FOR_THE_PERSON)
    assert 'id="help-for-the-person"' in page
    assert "116 123" in helpers and 'href="tel:116123"' in helpers
    assert "0808 1000 900" in helpers and 'href="tel:08081000900"' in helpers
    stop_it_now = helpers.split("Stop It Now helpline")[1]
    assert "worried about their own" in stop_it_now
    assert "their family and friends" in stop_it_now


def test_stop_it_now_under_a_worry_about_a_child_says_who_it_helps(page):
    child = section(page, "If you are worried about a child")
    assert "0808 1000 900" in child
    assert "worried about their own thoughts or behaviour, and their family and friends" in child


def test_every_number_is_a_link_to_ring_or_text(page):
    for number, href in (
        ("999", "tel:999"),
        ("101", "tel:101"),
        ("111", "tel:111"),
        ("116 123", "tel:116123"),
        ("0808 1000 900", "tel:08081000900"),
        ("85258", "sms:85258"),
    ):
        assert number in page and f'href="{href}"' in page, number


def test_no_link_to_the_guide_until_it_is_published(client):
    page = main_of(client.get(reverse("public:get-help-now")))
    assert HARM_GUIDE_SLUG not in page


def test_the_guide_is_linked_in_words_once_published(client):
    from resources.models import Resource
    from tests.resources.factories import make_resource

    guide = make_resource(
        None, slug=HARM_GUIDE_SLUG, title="If you are worried they might harm themselves"
    )
    url = reverse("resources:resource", kwargs={"slug": guide.slug})
    page = main_of(client.get(reverse("public:get-help-now")))
    assert f'<a href="{url}">If you are worried they might harm themselves</a>' in page
    assert client.get(url).status_code == 200

    Resource.objects.filter(pk=guide.pk).update(status=Resource.Status.DRAFT)
    assert url not in main_of(client.get(reverse("public:get-help-now")))


def test_the_shipped_library_guide_if_present_is_linked_and_opens(client):
    """With the library loaded as in production, a link to the guide is shown only if the
    library has it, and it opens."""
    from resources.library import load_library
    from resources.models import Resource

    load_library()
    page = main_of(client.get(reverse("public:get-help-now")))
    url = reverse("resources:resource", kwargs={"slug": HARM_GUIDE_SLUG})
    published = Resource.objects.filter(
        slug=HARM_GUIDE_SLUG, status=Resource.Status.PUBLISHED, organisation=None
    ).exists()
    assert (url in page) == published
    if published:
        assert client.get(url).status_code == 200
