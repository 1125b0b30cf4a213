"""Signing in through the real pages, as a person would."""

from django.urls import reverse

from tests.conftest import current_totp
from tests.factories import PASSWORD


def sign_in_through_browser(page, live_server, user, *, second_factor: bool = True) -> None:
    page.goto(live_server.url + reverse("account_login"))
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    if not second_factor:
        return
    page.wait_for_url("**/two-factor/verify/**")
    device = user.totpdevice_set.get(confirmed=True)
    page.fill("#id_code", current_totp(device))
    page.click("main button[type=submit]")
    # Staff land on their dashboard; referrers are sent on to their own pages.
    page.wait_for_url(lambda url: "/staff/" in url or "/referrer/" in url)


def keep_screenshot(page, name: str) -> None:
    """Saved under test-results/ (a CI artefact), at the page's current width."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


PHONE = {"width": 375, "height": 740}


def no_violations(page) -> None:
    """axe-core finds nothing on the page as it is now."""
    from tests.browser.conftest import axe_violations, format_violations

    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{format_violations(violations)}"


def no_sideways_scrolling(page, width: int = PHONE["width"]) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{page.url} scrolls sideways ({scrolled}px)"
