"""The quick exit in a real browser: by button and by pressing Shift three times."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)

NEUTRAL = "https://www.bbc.co.uk/weather"


@pytest.fixture
def exit_page(page, settings):
    settings.QUICK_EXIT_URL = NEUTRAL
    # No network here: answer for the neutral site locally.
    page.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(body="Weather", status=200))
    return page


def portal_cookies(page, live_server):
    return [c for c in page.context.cookies() if c["domain"] in ("localhost", "127.0.0.1")]


def test_the_button_leaves_at_once_and_replaces_the_history_entry(exit_page, live_server):
    exit_page.goto(live_server.url + reverse("public:home"))
    exit_page.goto(live_server.url + reverse("public:get-help-now"))
    exit_page.click("text=Exit this page")
    exit_page.wait_for_url(NEUTRAL)
    # The page they were on is gone from history: back goes to the page before it.
    exit_page.go_back()
    assert exit_page.url == live_server.url + reverse("public:home")
    assert not any(c["name"] == "portal_session" for c in portal_cookies(exit_page, live_server))


def test_pressing_shift_three_times_leaves_too(exit_page, live_server):
    exit_page.goto(live_server.url + reverse("public:staying-safe-online"))
    for _ in range(3):
        exit_page.keyboard.press("Shift")
    exit_page.wait_for_url(NEUTRAL)


def test_two_presses_of_shift_do_nothing(exit_page, live_server):
    url = live_server.url + reverse("public:home")
    exit_page.goto(url)
    exit_page.keyboard.press("Shift")
    exit_page.keyboard.press("Shift")
    exit_page.wait_for_timeout(300)
    assert exit_page.url == url


def test_pages_raise_no_content_security_policy_violations(page, live_server):
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for name in ("public:home", "public:get-help-now", "account_login"):
        page.goto(live_server.url + reverse(name))
    assert problems == []


# --- Touch screens have no Shift key -----------------------------------------------------

PAGES_THAT_MENTION_SHIFT = (
    "public:home",
    "public:staying-safe-online",
    "public:get-help-now",
    "public:cookies",
)


@pytest.fixture
def phone_with_touch_screen(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True, locale="en-GB"
    )
    page = context.new_page()
    yield page
    context.close()


def test_a_touch_screen_is_not_told_to_press_shift(
    phone_with_touch_screen, live_server, organisation_a
):
    page = phone_with_touch_screen
    assert page.evaluate("matchMedia('(hover: none) and (pointer: coarse)').matches")
    urls = [live_server.url + reverse(name) for name in PAGES_THAT_MENTION_SHIFT]
    urls.append(
        live_server.url + reverse("selfreferral:start", kwargs={"slug": organisation_a.slug})
    )
    for url in urls:
        page.goto(url)
        assert "Shift" not in page.inner_text("body"), url
        # The button is enough.
        assert page.get_by_role("link", name="Exit this page").is_visible(), url


def test_a_screen_with_a_keyboard_and_mouse_is_told_to_press_shift(page, live_server):
    page.goto(live_server.url + reverse("public:home"))
    assert page.locator(".quick-exit__hint").is_visible()
    assert "Shift" in page.inner_text(".quick-exit__hint")
