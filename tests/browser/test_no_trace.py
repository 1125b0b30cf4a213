"""No trace in the browser's history, measured in Chromium on a 375-pixel phone screen.

A family member may share the device with the person the police are investigating. From
the first public page to the confirmation the portal keeps one entry in the tab's
history, so after the quick exit (button or Shift three times) or after sending, Back
leads to whatever was open before the portal, never to a portal page.

What Chromium does, measured here and designed around (see referrals/views_public.py and
static/js/history-replace.js):
- a link to the page's own address replaces the entry, but every POST adds one, even a
  POST to the page's own address answered with a redirect back to it; so with
  JavaScript each form is sent with fetch and the address opened with
  location.replace, and links are followed with location.replace too;
- without JavaScript the form still works at its one address, each POST adding an
  entry for that address; every such entry, reached with Back, shows only where the
  visitor is now, never an earlier question or answer.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from referrals import views_public
from referrals.models import Referral
from tests.browser.self_referral import answer_questions, fill_in, form_url, press, question
from tests.referrals.test_self_referral import ANSWERS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
BEFORE = "https://search.example/results"
NEUTRAL = "https://www.bbc.co.uk/weather"
FIRST_TWO = ("relationship", "stage")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def phone(browser, live_server, settings, *, javascript: bool = True, bypass_csp: bool = False):
    """A phone-sized tab that first shows another site, with a link to the portal.

    ``bypass_csp`` only lets a test add axe-core to the pages; the portal's own scripts
    run as they do for anyone.
    """
    settings.QUICK_EXIT_URL = NEUTRAL
    context = browser.new_context(
        viewport=PHONE,
        locale="en-GB",
        timezone_id="Europe/London",
        java_script_enabled=javascript,
        bypass_csp=bypass_csp,
    )
    page = context.new_page()
    # No network here: the other sites are answered locally.
    before = (
        "<!DOCTYPE html><title>Search results</title>"
        f'<a id="portal" href="{live_server.url}/">Support for families and friends</a>'
    )
    page.route(BEFORE, lambda route: route.fulfill(body=before, content_type="text/html"))
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(body="<title>Weather</title>Weather", content_type="text/html"),
    )
    return page


@pytest.fixture
def visitor(browser, live_server, settings):
    page = phone(browser, live_server, settings)
    yield page
    page.context.close()


@pytest.fixture
def visitor_without_javascript(browser, live_server, settings):
    page = phone(browser, live_server, settings, javascript=False)
    yield page
    page.context.close()


def entries(page) -> int:
    return page.evaluate("history.length")


def arrive_from_another_site(page, live_server) -> int:
    """Open the other site, follow its link to the home page; the history's length then."""
    page.goto(BEFORE)
    with page.expect_navigation(wait_until="load"):
        page.click("#portal")
    assert page.url == live_server.url + reverse("public:home")
    return entries(page)


def ask_for_support(page, live_server, organisation) -> None:
    """From the home page, as the page offers it."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Ask for support").first.click()
    page.wait_for_url(form_url(live_server, organisation))
    assert page.get_by_role("button", name="Start now").is_visible()


def assert_back_leaves_the_portal(page, live_server) -> None:
    page.go_back(wait_until="load")
    assert page.url == BEFORE
    assert page.title() == "Search results"


def test_quick_exit_mid_form_then_back_reaches_no_portal_page(visitor, live_server, organisation_a):
    page = visitor
    count = arrive_from_another_site(page, live_server)

    # Links between public pages replace the entry.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Staying safe online").first.click()
    with page.expect_navigation(wait_until="load"):
        page.locator("a.header__name").click()  # the portal's name: the home page
    assert entries(page) == count
    ask_for_support(page, live_server, organisation_a)
    assert entries(page) == count

    press(page, "Start now")
    answer_questions(page, until="children")
    # Back a question, a question left unanswered (the problem shown), and on again.
    press(page, "Back")
    assert question(page) == "Question 2 of 9"
    press(page, "Continue")
    press(page, "Continue")
    assert page.locator(".error-summary").is_visible()
    assert page.title().startswith("Error:")
    fill_in(page, ANSWERS["children"])
    press(page, "Continue")
    assert question(page) == "Question 4 of 9"
    # A page opened again at its own address (the visitor reloads).
    page.reload(wait_until="load")
    assert question(page) == "Question 4 of 9"
    assert page.url == form_url(live_server, organisation_a)
    assert entries(page) == count

    page.click("text=Exit this page")
    page.wait_for_url(NEUTRAL)
    assert entries(page) == count
    assert_back_leaves_the_portal(page, live_server)
    # Forward goes to the neutral site, not back into the form.
    page.go_forward(wait_until="load")
    assert page.url == NEUTRAL


def test_pressing_shift_three_times_mid_form_then_back_reaches_no_portal_page(
    visitor, live_server, organisation_a
):
    page = visitor
    count = arrive_from_another_site(page, live_server)
    ask_for_support(page, live_server, organisation_a)
    press(page, "Start now")
    answer_questions(page, until="about-you")
    page.fill("#id_full_name", "Pat Doe")
    page.locator("body").click(position={"x": 5, "y": 300})
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL)
    assert entries(page) == count
    assert_back_leaves_the_portal(page, live_server)


def test_a_full_referral_then_back_reaches_no_portal_page(visitor, live_server, organisation_a):
    page = visitor
    count = arrive_from_another_site(page, live_server)
    ask_for_support(page, live_server, organisation_a)
    press(page, "Start now")
    answer_questions(page)
    assert page.get_by_text("Pat Doe").is_visible()
    # A change from the check page, and back to the check page.
    press(page, "Change how you would like to meet")
    assert question(page) == "Question 5 of 9"
    press(page, "Back")
    press(page, "Change town or county")
    page.fill("#id_area", "Leeds")
    press(page, "Save and go back to your answers")
    assert page.get_by_text("Leeds").is_visible()
    press(page, "Send")

    assert page.get_by_role("heading", name="Request sent").is_visible()
    assert page.url == form_url(live_server, organisation_a)
    assert entries(page) == count
    assert Referral.objects.get().area == "Leeds"
    assert_back_leaves_the_portal(page, live_server)


def test_without_javascript_the_form_works_at_one_address_and_back_shows_no_question(
    visitor_without_javascript, live_server, organisation_a
):
    page = visitor_without_javascript
    arrive_from_another_site(page, live_server)
    ask_for_support(page, live_server, organisation_a)
    address = form_url(live_server, organisation_a)
    first_entry = entries(page)

    press(page, "Start now")
    answer_questions(page, until="stage")
    press(page, "Back")
    press(page, "Continue")
    press(page, "Continue")  # unanswered: the problem is shown
    assert page.title().startswith("Error:")
    fill_in(page, ANSWERS["stage"])
    press(page, "Continue")
    answer_questions(page, answers={k: v for k, v in ANSWERS.items() if k not in FIRST_TWO})
    press(page, "Send")
    assert page.get_by_role("heading", name="Request sent").is_visible()
    assert page.url == address
    assert Referral.objects.count() == 1

    # Chromium added an entry for each POST, every one of them this address. Going back
    # through them shows where the visitor is now (the confirmation), never a question.
    added = entries(page) - first_entry
    assert added > 0
    for _ in range(added):
        page.go_back(wait_until="load")
        assert page.url == address
        assert question(page) == ""
        assert page.get_by_role("heading", name="Request sent").is_visible()
        assert "Pat Doe" not in page.content()
    page.go_back(wait_until="load")
    assert page.url != address


def test_a_limited_visitor_keeps_one_entry_and_what_they_typed(
    visitor, live_server, organisation_a, monkeypatch
):
    # The answer is then a page (429), not a redirect: it is shown in place of the last.
    # Start now comes before the browser has a session: only the answers are counted.
    monkeypatch.setattr(views_public, "STEP_RATE", "2/10m")
    page = visitor
    count = arrive_from_another_site(page, live_server)
    ask_for_support(page, live_server, organisation_a)
    press(page, "Start now")
    answer_questions(page, until="children")
    fill_in(page, ANSWERS["children"])
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("heading", name="Please wait a moment").wait_for()
    assert page.title().startswith("Please wait a moment")
    assert page.locator("[name=children_in_household][value=yes]").is_checked()
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    assert page.url == form_url(live_server, organisation_a)
    assert entries(page) == count

    # After the wait, Continue again carries on, still in one entry.
    cache.clear()
    press(page, "Continue")
    assert question(page) == "Question 4 of 9"
    assert entries(page) == count
    assert_back_leaves_the_portal(page, live_server)
