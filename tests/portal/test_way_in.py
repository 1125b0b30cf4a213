"""The way in: every public page offers "Ask for support", a clear route to the
self-referral, and the home page leads with it and with what happens next.

The walk renders every URL whose view is marked ``@public`` (``portal.accounts.access``)
as a visitor would reach it, and fails if the route is missing. Decided here, on purpose:

- the self-referral form's own pages (choosing a service, the start page, the questions,
  checking and the confirmation) do not show it: there the route would lead back to
  where the visitor already is, so this test fails if they do;
- addresses that answer with something other than a page (the quick exit, a calendar
  file, the health check, the API's description, an address that only takes a form's
  answers) and the API's pages for developers are not pages a family reads.

Error pages, "please wait", "link expired" and "link does not work" pages are public
pages too, whatever address answered them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import resolve, reverse

from portal.accounts.access import is_public_view
from tests.factories import OrganisationFactory
from tests.portal.test_url_protection import URLS

pytestmark = pytest.mark.django_db

ASK_FOR_SUPPORT = re.compile(
    r'<a [^>]*href="' + re.escape("/refer/") + r'"[^>]*>\s*ask for support\s*</a>', re.IGNORECASE
)
# The header's button, as opposed to any other link with the same words.
HEADER_ROUTE = re.compile(r'<a [^>]*href="/refer/"[^>]*data-ask-for-support')

NOT_A_PAGE_FOR_FAMILIES = {
    "public:quick-exit": "sends the visitor to an everyday site",
    "health": "answers monitoring with JSON",
    "peergroups:participant-calendar": "a calendar file",
    "peergroups:facilitator-calendar": "a facilitator's calendar feed",
    "api:schema": "the API's description, for developers' tools",
    "api:swagger": "the API's reference, for developers",
    "api:redoc": "the API's reference, for developers",
}


def is_the_self_referral_form(name: str) -> bool:
    return name.startswith("selfreferral:") and not name.startswith("selfreferral:withdraw")


def public_url_names() -> list[str]:
    return sorted(name for name, url in URLS if is_public_view(resolve(url).func, name))


@pytest.fixture
def public_objects(organisation_a):
    """Real objects for the addresses that show one, so the real page is rendered rather
    than a "not found" page."""
    from resources import services as resource_services
    from tests.resources.factories import make_resource

    OrganisationFactory()  # two services taking requests: the choose page is shown
    resource = make_resource(None, actor=None)
    signpost = resource_services.signpost_save(
        organisation=None,
        key="a-helpline",
        values={
            "provider": "P",
            "name": "A helpline",
            "description": "D",
            "phone": "0800 1111",
            "assured_date": date.today(),
        },
        actor=None,
    )
    return {
        "public:privacy-notice": {"slug": organisation_a.slug},
        "resources:resource": {"slug": resource.slug},
        "resources:signpost": {"signpost_id": signpost.pk},
        "selfreferral:start": {"slug": organisation_a.slug},
    }


def test_the_walk_finds_the_public_pages():
    names = public_url_names()
    assert {"public:home", "public:get-help-now", "resources:resource"} <= set(names)
    assert set(NOT_A_PAGE_FOR_FAMILIES) <= set(names), "an exemption no longer exists"


# Addresses that only take a form's answers from the support page: a GET answers 405.
FORM_ONLY = {
    "peergroups:participant-action",
    "peergroups:participant-call",
    "peergroups:support-contact",
    "peergroups:support-stop-contact",
}


def family_pages() -> list[str]:
    return [
        name
        for name in public_url_names()
        if name not in NOT_A_PAGE_FOR_FAMILIES and name not in FORM_ONLY
    ]


@pytest.mark.parametrize("name", sorted(FORM_ONLY))
def test_the_form_only_addresses_are_no_page_anyone_opens(client, name):
    assert client.get(dict(URLS)[name]).status_code == 405


@pytest.mark.parametrize("name", family_pages())
def test_every_public_page_offers_ask_for_support(client, name, public_objects):
    url = dict(URLS)[name]
    if name in public_objects:
        url = reverse(name, kwargs=public_objects[name])
    response = client.get(url, follow=True)
    assert response["Content-Type"].startswith("text/html"), name
    content = response.content.decode()
    if is_the_self_referral_form(name):
        assert not HEADER_ROUTE.search(content), f"{name}: the route leads back to this form"
        return
    assert HEADER_ROUTE.search(content), f"{name} ({url}) lacks the Ask for support button"
    assert len(ASK_FOR_SUPPORT.findall(content)) >= 2, f"{name}: header and footer"


def _request(path: str = "/no-such-page/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = {}
    return request


@pytest.mark.parametrize("path", ["/no-such-page/", "/refer/no-such-service/"])
def test_a_page_not_found_offers_ask_for_support(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert HEADER_ROUTE.search(response.content.decode())


def test_every_error_page_offers_ask_for_support():
    from django_ratelimit.exceptions import Ratelimited

    from portal.api import errors
    from portal.public.views import csrf_failure, rate_limited

    pages = {
        400: errors.bad_request(_request(), Exception("bad")),
        403: errors.permission_denied(_request(), PermissionDenied()),
        404: errors.page_not_found(_request(), Exception("missing")),
        "csrf": csrf_failure(_request()),
        429: rate_limited(_request(), Ratelimited()),
        500: errors.server_error(_request()),
    }
    assert settings.CSRF_FAILURE_VIEW == "portal.public.views.csrf_failure"
    for kind, response in pages.items():
        assert ASK_FOR_SUPPORT.search(response.content.decode()), kind


LINK_PAGES = sorted(
    str(path.relative_to(Path(settings.BASE_DIR) / "templates"))
    for pattern in ("link_expired.html", "link_invalid.html")
    for path in (Path(settings.BASE_DIR) / "templates").rglob(pattern)
)


def test_every_link_page_is_found():
    assert len(LINK_PAGES) >= 5, LINK_PAGES


@pytest.mark.parametrize("template", LINK_PAGES)
def test_every_link_expired_or_invalid_page_offers_ask_for_support(template):
    content = render_to_string(template, request=_request("/groups/my-place/"))
    assert HEADER_ROUTE.search(content), template


def test_the_home_page_leads_with_asking_for_support_and_what_happens_next(client):
    OrganisationFactory(first_contact_working_days=2)
    main = client.get(reverse("public:home")).content.decode().split('<main id="main"')[1]
    first_button = re.search(r'<a class="button"[^>]*>([^<]*)</a>', main)
    assert first_button.group(1).strip() == "Ask for support"
    assert 'href="/refer/"' in first_button.group(0)
    assert (
        "A person will contact you within two working days, only in the ways you say are safe."
        in main
    )


def test_the_home_page_promises_the_longest_first_contact_time_of_any_service(client):
    OrganisationFactory(first_contact_working_days=2)
    OrganisationFactory(first_contact_working_days=3)
    OrganisationFactory(first_contact_working_days=5, is_accepting_referrals=False)
    content = client.get(reverse("public:home")).content.decode()
    assert "within three working days" in content


def test_the_home_page_makes_no_promise_when_no_service_is_taking_requests(client):
    OrganisationFactory(is_accepting_referrals=False)
    content = client.get(reverse("public:home")).content.decode()
    assert "will contact you within" not in content
    assert HEADER_ROUTE.search(content)


def test_the_home_pages_contact_us_leads_to_the_services_contact_details(client):
    organisation = OrganisationFactory(
        contact_phone="+441134960123", contact_opening_hours="Monday to Friday, 9am to 5pm"
    )
    OrganisationFactory()
    home = client.get(reverse("public:home")).content.decode()
    assert re.search(r'<a href="/refer/">phone or email the service</a>', home)
    choose = client.get("/refer/").content.decode()
    assert "0113 496 0123" in choose and organisation.name in choose


def test_the_home_page_does_not_offer_phone_or_email_when_no_service_gave_them(client):
    OrganisationFactory()
    assert "phone or email" not in client.get(reverse("public:home")).content.decode()


def test_the_start_page_links_the_privacy_notice_of_the_chosen_organisation(client):
    chosen = OrganisationFactory()
    other = OrganisationFactory()
    choose = client.get("/refer/").content.decode()
    start_url = re.search(
        r'<a class="button" href="([^"]+)">Ask ' + re.escape(chosen.name), choose
    ).group(1)
    start = client.get(start_url).content.decode()
    notice_url = reverse("public:privacy-notice", kwargs={"slug": chosen.slug})
    assert f'<a href="{notice_url}">Read how {chosen.name} looks after your information</a>' in (
        start
    )
    assert f"/privacy/{other.slug}/" not in start
    # In plain words before the notice itself: what is kept, who sees it, how to withdraw.
    for words in ("What we keep:", "Who sees it:", "Changing your mind:"):
        assert words in start
    assert "you can stop all contact at any time, without giving a reason" in start
    assert client.get(notice_url).status_code == 200


def test_the_start_page_says_when_the_organisation_will_be_in_touch(client):
    organisation = OrganisationFactory(first_contact_working_days=3)
    start = client.get(reverse("selfreferral:start", kwargs={"slug": organisation.slug}))
    assert "will contact you within three working days, only in the ways you say are safe" in (
        start.content.decode()
    )


def test_the_children_question_says_why_it_is_asked_and_what_yes_may_lead_to():
    from referrals.forms import ChildrenStepForm
    from referrals.selfreferral import STEPS

    assert ChildrenStepForm in {step.form_class for step in STEPS}
    help_text = ChildrenStepForm().fields["children_in_household"].help_text
    assert "so that we can think about children's safety" in help_text
    assert "does not by itself mean we will tell anyone" in help_text
    assert "share information with children's social services" in help_text
