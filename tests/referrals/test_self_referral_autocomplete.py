"""A shared browser does not keep or offer what a family typed into the self-referral.

Browsers remember what is typed into text fields and offer it to whoever uses the same
form next: a name, an email address or a phone number offered on this site would tell
the next person who uses the device (perhaps the person under investigation) that it
was used, and by whom. So every field a family fills in has ``autocomplete="off"``,
whatever its form's widget asks for, and so does every form (see docs/security.md for
why this comes before WCAG 1.3.5's input-purpose tokens here).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from referrals.selfreferral import STEPS
from tests.referrals.self_referral import ANSWERS, page, post

pytestmark = pytest.mark.django_db

# Controls whose values a browser may keep (HTML's autocomplete applies to them).
NOT_REMEMBERED = {"hidden", "radio", "checkbox", "submit", "button", "reset", "file", "image"}


class Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.fields: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(attributes)
        elif tag in ("textarea", "select") or (
            tag == "input" and attributes.get("type", "text") not in NOT_REMEMBERED
        ):
            self.fields.append({"tag": tag, **attributes})


def controls(content: str) -> Controls:
    parser = Controls()
    parser.feed(content)
    return parser


def every_page_of_the_self_referral(client, organisation) -> list[tuple[str, str]]:
    pages = []
    for step in STEPS:
        post(client, organisation, {"go": step.slug})
        pages.append((step.slug, page(client, organisation)))
        post(client, organisation, {"step": step.slug, **ANSWERS[step.slug]})
    pages.append(("check", page(client, organisation)))
    return pages


def test_every_field_a_family_fills_in_is_not_remembered_by_the_browser(client, organisation_a):
    seen = set()
    for name, content in every_page_of_the_self_referral(client, organisation_a):
        found = controls(content)
        for field in found.fields:
            seen.add(field["name"])
            assert field.get("autocomplete") == "off", (name, field)
        for form in found.forms:
            if form.get("method") == "post":
                assert form.get("autocomplete") == "off" or "Start now" in content, (name, form)
    # The fields about the person are among them.
    assert {"full_name", "email", "phone", "area", "postal_address", "safe_times"} <= seen
