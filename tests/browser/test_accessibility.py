"""WCAG 2.2 AA in a real browser: axe-core on every public page and the staff shell,
at a phone's width too, with no horizontal scrolling at 320px."""

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, format_violations
from tests.browser.helpers import sign_in_through_browser
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    "public:home",
    "public:get-help-now",
    "public:staying-safe-online",
    "public:cookies",
    "selfreferral:choose",
    "account_login",
    "account_reset_password",
    "account_signup",
]


def check(page, url):
    for width, height in ((1280, 900), (320, 640)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        violations = axe_violations(page)
        assert violations == [], f"{url} at {width}px:\n{format_violations(violations)}"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{url} scrolls sideways at {width}px ({scroll_width}px)"


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_no_accessibility_violations(axe_page, live_server, name):
    check(axe_page, live_server.url + reverse(name))


def test_the_login_form_with_errors_is_accessible(axe_page, live_server):
    axe_page.goto(live_server.url + reverse("account_login"))
    axe_page.fill("#id_login", "someone@example.org")
    axe_page.fill("#id_password", "wrong password")
    axe_page.click("button[type=submit]")
    assert axe_page.locator(".error-summary").is_visible()
    assert axe_violations(axe_page) == []


def test_the_two_factor_setup_page_is_accessible(axe_page, live_server):
    user = UserFactory()
    sign_in_through_browser(axe_page, live_server, user, second_factor=False)
    assert "/accounts/two-factor/set-up/" in axe_page.url
    violations = axe_violations(axe_page)
    assert violations == [], format_violations(violations)


@pytest.mark.parametrize(
    "url_name",
    ["staff:dashboard", "staff:team", "staff:invitation-create", "accounts:two-factor-manage"],
)
def test_staff_pages_are_accessible(axe_page, live_server, coordinator_a, organisation_a, url_name):
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    kwargs = (
        {"organisation_id": organisation_a.pk}
        if url_name.startswith("staff:t") or url_name.endswith("create")
        else {}
    )
    check(axe_page, live_server.url + reverse(url_name, kwargs=kwargs))


def test_the_invitation_form_with_errors_is_accessible(
    axe_page, live_server, coordinator_a, organisation_a
):
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    axe_page.goto(
        live_server.url
        + reverse("staff:invitation-create", kwargs={"organisation_id": organisation_a.pk})
    )
    axe_page.fill("#id_email", "not an email")
    axe_page.click("main button[type=submit]")
    assert axe_page.locator(".error-summary").is_visible()
    assert axe_violations(axe_page) == []


def test_referral_pages_are_accessible(axe_page, live_server, caseworker_a, organisation_a):
    from tests.referrals.factories import make_referral

    referral = make_referral(organisation_a, phone="07700 900333", safe_channels=["call", "post"])
    sign_in_through_browser(axe_page, live_server, caseworker_a)
    ids = {"referral_id": referral.pk}
    for url in (
        reverse("referrals:queue"),
        reverse("referrals:detail", kwargs=ids),
        reverse("referrals:timeline", kwargs=ids),
        reverse("referrals:safe-contact", kwargs=ids),
    ):
        check(axe_page, live_server.url + url)


def test_a_failed_contact_attempt_form_is_accessible(
    axe_page, live_server, caseworker_a, organisation_a
):
    from tests.referrals.factories import make_referral

    referral = make_referral(organisation_a)
    sign_in_through_browser(axe_page, live_server, caseworker_a)
    axe_page.goto(
        live_server.url + reverse("referrals:detail", kwargs={"referral_id": referral.pk})
    )
    axe_page.click("#contact-attempt ~ form button[type=submit]")
    assert axe_page.locator(".error-summary").first.is_visible()
    violations = axe_violations(axe_page)
    assert violations == [], format_violations(violations)


def test_the_self_referral_is_accessible_from_start_to_finish(
    axe_page, live_server, organisation_a
):
    """Every question page (also with an error), the check page and the confirmation."""
    from django.core.cache import cache

    from tests.browser.self_referral import fill_in, form_url, press, question
    from tests.referrals.test_self_referral import ANSWERS

    cache.clear()
    page = axe_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(form_url(live_server, organisation_a))
    assert axe_violations(page) == []
    press(page, "Start now")
    for step, answers in ANSWERS.items():
        shown = question(page)
        assert shown, step
        press(page, "Continue")  # without answers: errors where required
        if page.locator(".error-summary").count():
            violations = axe_violations(page)
            assert violations == [], f"{shown}\n{format_violations(violations)}"
        if question(page) == shown:
            fill_in(page, answers)
            press(page, "Continue")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, shown
    assert page.get_by_role("heading", name="Check your answers before sending").is_visible()
    assert axe_violations(page) == []
    press(page, "Send")
    assert page.get_by_role("heading", name="Request sent").is_visible()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_the_referrer_pages_are_accessible(axe_page, live_server, referrer, police_agency):
    sign_in_through_browser(axe_page, live_server, referrer)
    check(axe_page, live_server.url + reverse("referrer:new"))
    check(axe_page, live_server.url + reverse("referrer:list"))
    axe_page.goto(live_server.url + reverse("referrer:new"))
    axe_page.click("main button[type=submit]")
    assert axe_page.locator(".error-summary").is_visible()
    violations = axe_violations(axe_page)
    assert violations == [], format_violations(violations)


def test_group_pages_are_accessible(axe_page, live_server, coordinator_a, organisation_a):
    from datetime import timedelta

    from django.utils import timezone

    from peergroups.models import Session
    from peergroups.services import booking_confirm, booking_offer
    from portal.organisations.roles import Role
    from referrals import links
    from tests.factories import GroupFactory, MembershipFactory
    from tests.referrals.factories import make_referral

    MembershipFactory(user=coordinator_a, organisation=organisation_a, role=Role.FACILITATOR)
    group = GroupFactory(organisation=organisation_a, ground_rules="First names only.")
    start = timezone.now() + timedelta(days=2)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    person = make_referral(organisation_a, accessibility_needs="Captions")
    booking_confirm(booking=booking_offer(group=group, referral=person, actor=coordinator_a))
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    for url in (
        reverse("groups:list"),
        reverse("groups:detail", kwargs={"group_id": group.pk}),
        reverse("groups:session", kwargs={"session_id": session.pk}),
        reverse("groups:schedule", kwargs={"group_id": group.pk}),
        reverse("groups:edit", kwargs={"group_id": group.pk}),
        reverse("groups:calls"),
        reverse("groups:offer", kwargs={"referral_id": person.pk}),
        reverse("notifications:settings", kwargs={"organisation_id": organisation_a.pk}),
        reverse("notifications:jobs", kwargs={"organisation_id": organisation_a.pk}),
        links.participant_url(person),
    ):
        check(axe_page, live_server.url + url)
