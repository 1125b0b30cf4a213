"""With a keyboard alone: a family member starts a self-referral and a member of staff
signs in, each control showing where the focus is."""

import pytest
from django.urls import reverse

from tests.conftest import current_totp
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def tab_to(page, text: str, limit: int = 40) -> None:
    """Press Tab until the focused element's text or label contains ``text``."""
    for attempt in range(limit):
        if attempt or page.evaluate("() => document.activeElement === document.body"):
            page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; if (e === document.body) return '';"
            " return (e.labels?.[0]?.innerText || e.innerText || e.value || '').trim(); }"
        )
        if text in focused:
            outline = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'"
                " || s.backgroundColor === 'rgb(255, 221, 0)'; }"
            )
            described = page.evaluate(
                "() => { const e = document.activeElement; const s = getComputedStyle(e);"
                " return [e.tagName, e.id, s.outlineStyle, s.boxShadow, s.backgroundColor]; }"
            )
            assert outline, f"no visible focus on {text!r}: {described}"
            return
    raise AssertionError(f"Tab never reached {text!r}")


def press_enter_for_the_next_page(page) -> None:
    # Every page of the self-referral is at one address: wait for it to load again.
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def test_a_self_referral_starts_with_the_keyboard_alone(page, live_server, organisation_a):
    page.goto(live_server.url + reverse("selfreferral:start", kwargs={"slug": organisation_a.slug}))
    tab_to(page, "Start now")
    press_enter_for_the_next_page(page)
    assert page.locator("h1").inner_text().startswith("Question 1 of 9")
    tab_to(page, "partner")  # the first answer
    page.keyboard.press("Space")
    tab_to(page, "Continue")
    press_enter_for_the_next_page(page)
    assert page.locator("h1").inner_text().startswith("Question 2 of 9")
    # Back, a button that looks like a link, shows where the focus is too.
    page.evaluate("() => document.activeElement.blur()")
    tab_to(page, "Back")
    press_enter_for_the_next_page(page)
    assert page.locator("h1").inner_text().startswith("Question 1 of 9")


def test_staff_sign_in_with_the_keyboard_alone(page, live_server, caseworker_a):
    page.goto(live_server.url + reverse("account_login"))
    tab_to(page, "Email")
    page.keyboard.type(caseworker_a.email)
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/two-factor/verify/**")
    tab_to(page, "Code")
    page.keyboard.type(current_totp(caseworker_a.totpdevice_set.get(confirmed=True)))
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + reverse("staff:dashboard"))
