"""Driving the self-referral in a real browser, as a person would: by its buttons.

Every page of the self-referral is at one address, so a step is finished when the
browser has loaded that address again (with JavaScript, by replacing the history entry),
not when the address changes.
"""

from __future__ import annotations

import re

from django.urls import reverse

from tests.referrals.test_self_referral import ANSWERS


def form_url(live_server, organisation) -> str:
    return live_server.url + reverse("selfreferral:start", kwargs={"slug": organisation.slug})


def press(page, name: str) -> None:
    """Press the button called ``name`` (exactly) and wait for the page it leads to."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=name, exact=True).click()


def fill_in(page, answers: dict) -> None:
    for name, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            field = page.locator(f"main [name='{name}']").first
            kind = field.get_attribute("type")
            if kind in ("radio", "checkbox") and name != "agree":
                page.locator(f"main [name='{name}'][value='{one}']").check()
            elif kind == "checkbox":
                field.check()
            elif one:
                field.fill(one)


def question(page) -> str:
    """'Question 3 of 9' on a question page, '' on any other."""
    caption = page.locator("main h1 .caption")
    if not caption.count():
        return ""
    text = caption.inner_text()
    return text if re.fullmatch(r"Question \d+ of \d+", text) else ""


def answer_questions(page, *, until: str | None = None, answers: dict | None = None) -> None:
    """From the question on screen, answer each in turn, stopping before ``until``."""
    for step, data in (answers or ANSWERS).items():
        if step == until:
            return
        assert question(page) == f"Question {list(ANSWERS).index(step) + 1} of 9", step
        fill_in(page, data)
        press(page, "Continue")
