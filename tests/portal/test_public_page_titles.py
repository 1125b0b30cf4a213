"""What a browser keeps of a public page says nothing about the police or an investigation.

A browser keeps every page's title in its history, tab list and address-bar suggestions,
and leaving with the quick exit does not remove it from there. A family member may share
the device with the person under investigation, so no public page's title may name the
police, an investigation or anything like them. Two checks:

- every template that extends ``public/base.html`` shows, in its title, only plain words
  and variables listed here as neutral (a guide's or a directory entry's own name is
  not: "Police bail: what the rules mean" would stay in the history);
- every public page, every page of the self-referral, every guide and every directory
  entry is rendered, and its ``<title>`` read.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from referrals.selfreferral import STEPS
from resources.library import load_library
from resources.models import Resource, Signpost
from tests.referrals.test_self_referral import ANSWERS, form_url, post, send

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PUBLIC_BASE = "public/base.html"

REVEALING = re.compile(
    r"police|investigat|arrest|offen[cds]|crim(e|inal)|custody|\bbail\b|court|prison"
    r"|convict|abuse|sexual|sentenc|charged",
    re.IGNORECASE,
)

# What a public page's title may show besides plain words, and why it reveals nothing.
NEUTRAL_TITLE_VARIABLES = {
    "organisation.name": "the charity's own name, which the family chose to contact",
    "step.title": "a self-referral question's heading, written neutral (rendered below)",
    "number": "the number of a self-referral question",
    "total": "how many questions the self-referral has",
}


def _extends(source: str) -> str | None:
    match = re.search(r"""\{%\s*extends\s+["']([^"']+)["']\s*%\}""", source)
    return match.group(1) if match else None


def public_templates() -> dict[str, str]:
    """Every template of ours that is a public page: its name and its source."""
    sources = {
        path.relative_to(TEMPLATES).as_posix(): path.read_text()
        for path in TEMPLATES.rglob("*.html")
    }
    public = {}
    for name, source in sources.items():
        parent, seen = _extends(source), set()
        while parent and parent not in seen and parent != PUBLIC_BASE:
            seen.add(parent)
            parent = _extends(sources.get(parent, ""))
        if parent == PUBLIC_BASE:
            public[name] = source
    return public


def title_of(source: str) -> str:
    """The template's title block (allauth's head_title inside it), as written."""
    match = re.search(r"\{%\s*block\s+(?:title|head_title)\s*%\}(.*?)\{%\s*endblock", source, re.S)
    return match.group(1) if match else ""


def test_the_scan_finds_the_public_pages():
    names = set(public_templates())
    assert {
        "public/home.html",
        "referrals/public/step.html",
        "resources/public/resource.html",
        "account/login.html",
        "404.html",
    } <= names
    assert "staff/base.html" not in names


@pytest.mark.parametrize("name", sorted(public_templates()))
def test_no_public_page_title_can_name_the_police_or_an_investigation(name):
    title = title_of(public_templates()[name])
    variables = {
        expression.split("|")[0].strip() for expression in re.findall(r"\{\{(.*?)\}\}", title)
    }
    unexplained = variables - set(NEUTRAL_TITLE_VARIABLES)
    assert not unexplained, (
        f"{name}'s title shows {sorted(unexplained)}, which could name the police or an "
        "investigation and would stay in the browser's history: give the page a neutral "
        "title, or add the variable to NEUTRAL_TITLE_VARIABLES with the reason it cannot"
    )
    words = re.sub(r"\{[{%].*?[}%]\}", " ", title)
    assert not REVEALING.search(words), (name, words)


@pytest.fixture
def library(db):
    load_library()


def rendered_title(response) -> str:
    content = response.content.decode()
    return html.unescape(re.search(r"<title>(.*?)</title>", content, re.S).group(1))


@pytest.fixture
def everything_public(client, organisation_a, library):
    """Addresses of every kind of public page, with the data they show."""
    cache.clear()
    urls = [
        reverse(name)
        for name in (
            "public:home",
            "public:get-help-now",
            "public:staying-safe-online",
            "public:cookies",
            "selfreferral:choose",
            "resources:index",
            "resources:directory",
            "account_login",
            "account_reset_password",
        )
    ]
    urls.append(reverse("public:privacy-notice", kwargs={"slug": organisation_a.slug}))
    urls.append("/no-such-page/")
    for resource in Resource.objects.all():
        urls.append(reverse("resources:resource", kwargs={"slug": resource.slug}))
    for signpost in Signpost.objects.all():
        urls.append(reverse("resources:signpost", kwargs={"signpost_id": signpost.pk}))
    assert Resource.objects.count() >= 10 and Signpost.objects.count() >= 10
    return urls


@pytest.mark.django_db
def test_every_public_page_has_a_title_that_names_nothing(client, everything_public):
    for url in everything_public:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), url
        title = rendered_title(response)
        assert not REVEALING.search(title), (url, title)


@pytest.mark.django_db
def test_every_page_of_the_self_referral_has_a_title_that_names_nothing(client, organisation_a):
    cache.clear()
    titles = [rendered_title(client.get(form_url(organisation_a)))]
    for step in STEPS:
        post(client, organisation_a, {"go": step.slug})
        titles.append(rendered_title(client.get(form_url(organisation_a))))
        post(client, organisation_a, {"step": step.slug})  # unanswered: the error page
        titles.append(rendered_title(client.get(form_url(organisation_a))))
        post(client, organisation_a, {"step": step.slug, **ANSWERS[step.slug]})
        cache.clear()  # three presses a question: more than the rate limit allows
    titles.append(rendered_title(client.get(form_url(organisation_a))))
    send(client, organisation_a)
    titles.append(rendered_title(client.get(form_url(organisation_a))))
    assert titles[-1].startswith("Request sent")
    assert len(set(titles)) >= len(STEPS) + 2
    for title in titles:
        assert not REVEALING.search(title), title
