"""A caseworker takes calls and finds people from the referral queue's one search box:
by name, by a reference read out with spaces, and by phone number; opens the person; and
keeps two partners of the same person apart in groups, with a reason, from one referral's
page, then sees it on the other's. axe-core finds nothing on the way."""

import pytest
from django.urls import reverse

from referrals.models import Referral
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import sign_in_through_browser
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)
REASON = "Partners of the same person"


def no_violations(page):
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def search(page, typed: str) -> None:
    page.get_by_label("Find by reference, name, email or phone").fill(typed)
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_load_state()


def test_a_caseworker_finds_people_and_keeps_two_apart(
    axe_page, live_server, organisation_a, caseworker_a
):
    sam = make_referral(organisation_a, full_name="Sam Jones", phone="07700 900123")
    kim = make_referral(organisation_a, full_name="Kim Jones-Patel")
    other = make_referral(organisation_a, full_name="Ali Khan")
    Referral.objects.filter(pk__in=[sam.pk, kim.pk, other.pk]).update(assigned_to=caseworker_a)
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_through_browser(page, live_server, caseworker_a)
    page.goto(live_server.url + reverse("referrals:queue"))

    # By a name: both people called Jones, no one else.
    search(page, "jones")
    table = page.get_by_role("table")
    assert table.get_by_role("link", name=sam.reference).is_visible()
    assert table.get_by_role("link", name=kim.reference).is_visible()
    assert table.get_by_role("link", name=other.reference).count() == 0
    no_violations(page)

    # By the reference as it is read out, with spaces and in lower case.
    search(page, " ".join(kim.reference.replace("-", "")).lower())
    assert page.get_by_label("Find by reference, name, email or phone").input_value() == (
        kim.reference
    )
    assert page.get_by_role("table").get_by_role("link", name=sam.reference).count() == 0

    # By phone, written another way, and open the person.
    search(page, "+44 7700 900123")
    page.get_by_role("table").get_by_role("link", name=sam.reference).click()
    page.wait_for_url(f"**/staff/referrals/{sam.pk}/**")
    assert page.get_by_role("heading", name=f"Referral {sam.reference}").is_visible()
    no_violations(page)

    # Keep Sam and Kim apart, from Sam's page, by Kim's reference and a reason.
    page.get_by_text("Keep this person apart from someone").click()
    page.get_by_label("The other person's reference").fill(kim.reference.replace("-", " "))
    page.get_by_label("Why they must be kept apart").fill(REASON)
    page.get_by_role("button", name="Keep them apart").click()
    page.wait_for_url(f"**/staff/referrals/{sam.pk}/**")
    panel = page.locator("#keep-apart")
    assert panel.get_by_role("link", name=kim.reference).is_visible()
    # Only the reference: the other's name is behind their own page (and its reason gate).
    assert panel.get_by_text("Kim Jones-Patel").count() == 0
    assert panel.get_by_text(f"Why: {REASON}").is_visible()
    no_violations(page)

    # Shown on Kim's page too; the way back returns to the search as it was.
    panel.get_by_role("link", name=kim.reference).click()
    page.wait_for_url(f"**/staff/referrals/{kim.pk}/**")
    panel = page.locator("#keep-apart")
    assert panel.get_by_role("link", name=sam.reference).is_visible()
    assert panel.get_by_text("Sam Jones").count() == 0
    assert panel.get_by_text(f"Why: {REASON}").is_visible()
    no_violations(page)


def test_the_search_and_filters_come_back_with_the_way_back(
    axe_page, live_server, organisation_a, caseworker_a
):
    people = [make_referral(organisation_a, full_name=f"Pat Lee {n}") for n in range(3)]
    page = axe_page
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_through_browser(page, live_server, caseworker_a)
    page.goto(live_server.url + reverse("referrals:queue"))
    page.get_by_label("Source").select_option("self")
    search(page, "lee")
    assert "3 referrals" in page.content()
    no_violations(page)
    page.get_by_role("table").get_by_role("link", name=people[0].reference).click()
    page.wait_for_url(f"**/staff/referrals/{people[0].pk}/**")
    page.get_by_role("link", name="Back to referrals").click()
    page.wait_for_url("**/staff/referrals/?*")
    assert page.get_by_label("Find by reference, name, email or phone").input_value() == "lee"
    assert page.get_by_label("Source").input_value() == "self"
    assert "3 referrals" in page.content()
