"""A caseworker takes a call: the person quotes their reference as they wrote it down
("nw8x bdr5"). The caseworker types it into Find by reference on the queue, as it was
said, and reaches the referral, even one that is closed. axe-core finds nothing on the
way, at desk and phone widths."""

import pytest
from django.urls import reverse

from referrals.services import referral_transition
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import sign_in_through_browser
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_caseworker_finds_a_referral_by_the_reference_the_person_quotes(
    axe_page, live_server, organisation_a, caseworker_a, coordinator_a, width
):
    wanted = make_referral(organisation_a)
    referral_transition(
        referral=wanted, to_state="closed", close_reason="unreachable", actor=coordinator_a
    )
    other = make_referral(organisation_a)
    page = axe_page
    page.set_viewport_size({"width": width, "height": 800})
    sign_in_through_browser(page, live_server, caseworker_a)
    page.goto(live_server.url + reverse("referrals:queue"))
    assert wanted.reference not in page.content()  # closed: not in the open queue

    as_said = wanted.reference.replace("-", " ").lower()
    page.get_by_label("Find by reference").fill(as_said)
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_url("**/staff/referrals/?reference=*")
    assert page.get_by_label("Find by reference").input_value() == wanted.reference
    assert other.reference not in page.content()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)

    page.get_by_role("link", name=wanted.reference).click()
    page.wait_for_url(f"**/staff/referrals/{wanted.pk}/**")

    page.goto(live_server.url + reverse("referrals:queue"))
    page.get_by_label("Find by reference").fill("ZZZZ 9999")
    page.get_by_role("button", name="Find", exact=True).click()
    assert page.get_by_text("No referral has the reference ZZZZ-9999").is_visible()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
