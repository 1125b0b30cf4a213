"""Referrers see the referrer pages and the API endpoints documented for them, and
nothing of the staff area; charity staff without a referrer membership see nothing of
the referrer area.

The URL list comes from the resolver (the same walk as the URL-protection test), with
organisation A's real ids, so a new staff page is tried here without anyone listing it;
a URL outside the known areas fails until it is placed in one.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.organisations.roles import Role
from tests.conftest import sign_in
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.portal import test_cross_organisation_matrix as matrix
from tests.portal.test_url_protection import PUBLIC_URL_NAMES, URLS, _keyword_names

pytestmark = pytest.mark.django_db

# Organisation A's objects, one of each kind a URL can name: the cross-organisation matrix
# keeps the list, so a new kind of id is added in one place.
organisation_a_objects = matrix.organisation_a_objects

STAFF_AREA = "/staff/"
REFERRER_AREA = "/referrer/"
# Signed-in pages open to everyone signed in: their own account, second factor and
# passkeys. The Django admin checks for platform administrators itself.
EVERY_SIGNED_IN_AREAS = ("/accounts/", "/admin/")
API_AREA = "/api/"
# API endpoints a referrer may call, as docs/api.md says; every other one is for staff.
REFERRER_API_NAMES = {"api:me", "api:referrals", "api:referral-status", "api:services"}
METHODS = ("get", "post", "put", "delete", "head")


def _url(name: str, objects: dict) -> str:
    keywords = _keyword_names(name)[0]
    return reverse(name, kwargs={keyword: objects[keyword] for keyword in keywords})


def _names_under(prefix: str) -> list[str]:
    return [name for name, url in URLS if url.startswith(prefix)]


def test_every_url_belongs_to_a_known_area():
    """A new URL must be placed on purpose: public, or in an area with its own rule."""
    areas = (STAFF_AREA, REFERRER_AREA, API_AREA, *EVERY_SIGNED_IN_AREAS)
    unplaced = [
        name for name, url in URLS if name not in PUBLIC_URL_NAMES and not url.startswith(areas)
    ]
    assert unplaced == []
    assert len(_names_under(STAFF_AREA)) >= 70 and len(_names_under(REFERRER_AREA)) >= 2


@pytest.mark.parametrize("name", _names_under(STAFF_AREA))
def test_referrers_cannot_open_any_staff_page(client, name, referrer, organisation_a_objects):
    url = _url(name, organisation_a_objects)
    sign_in(client, referrer)
    for method in METHODS:
        response = getattr(client, method)(url)
        if name == "staff:dashboard":
            # Where everyone lands after signing in: a referrer is sent to their own home.
            assert response.status_code == 302, method
            assert response["Location"] == reverse("referrer:list"), method
        else:
            assert response.status_code == 403, f"{method.upper()} {url}"
            if method == "get":
                assert "You cannot open this page" in response.content.decode()


def test_a_referrer_who_also_works_in_a_charity_keeps_the_staff_pages(
    client, referrer, organisation_a
):
    MembershipFactory(user=referrer, organisation=organisation_a, role=Role.CASEWORKER)
    sign_in(client, referrer)
    assert client.get(reverse("staff:dashboard")).status_code == 200
    assert client.get(reverse("referrals:queue")).status_code == 200
    assert client.get(reverse("referrer:list")).status_code == 200


def test_someone_with_no_role_sees_only_the_page_saying_so(client):
    user = UserFactory()
    TOTPDeviceFactory(user=user)
    sign_in(client, user)
    landing = client.get(reverse("staff:dashboard"))
    assert "You do not have a role in any organisation yet" in landing.content.decode()
    assert client.get(reverse("groups:list")).status_code == 403
    assert client.get(reverse("referrals:queue")).status_code == 403


def test_the_navigation_offers_referrers_no_staff_page(client, referrer):
    sign_in(client, referrer)
    page = client.get(reverse("referrer:list")).content.decode()
    links = re.findall(r'<a href="([^"]+)" class="nav__link"', page)
    assert reverse("referrer:new") in links
    assert [link for link in links if link.startswith(STAFF_AREA)] == []


@pytest.mark.parametrize("name", _names_under(API_AREA))
def test_referrers_call_only_the_api_endpoints_documented_for_them(
    name, referrer, organisation_a_objects
):
    url = _url(name, organisation_a_objects)
    api = sign_in(APIClient(), referrer)
    response = api.get(url, HTTP_ACCEPT="application/json")
    if name in REFERRER_API_NAMES or name in PUBLIC_URL_NAMES:
        assert response.status_code != 403, url
    else:
        assert response.status_code == 403, f"{url}: {response.status_code}"


@pytest.fixture
def charity_staff_in_every_role(organisation_a, coordinator_a):
    for role in (Role.CASEWORKER, Role.FACILITATOR):
        MembershipFactory(user=coordinator_a, organisation=organisation_a, role=role)
    return coordinator_a


@pytest.mark.parametrize("name", _names_under(REFERRER_AREA))
def test_charity_staff_without_a_referrer_membership_cannot_open_referrer_pages(
    client, name, charity_staff_in_every_role, organisation_a_objects
):
    url = _url(name, organisation_a_objects)
    sign_in(client, charity_staff_in_every_role)
    for method in METHODS:
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
