"""Every URL, signed out and signed in, with junk in every common field: never a 500.

Object ids in the URLs are real objects of the signed-in user's organisation, so the
views get past their 404s and have to cope with the junk themselves.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Session
from peergroups.services import booking_confirm, booking_offer, call_slot_publish
from portal.organisations.roles import Role
from portal.organisations.services import invitation_create
from referrals import links
from tests.conftest import sign_in
from tests.factories import GroupFactory, MembershipFactory
from tests.portal.test_url_protection import _keyword_names, named_urls
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

JUNK = {
    "email": "x" * 300,
    "role": "superuser",
    "agency": "not-a-uuid",
    "assignee": "not-a-uuid",
    "to_state": "<script>alert(1)</script>",
    "close_reason": "'; DROP TABLE referrals_referral; --",
    "channel": "pigeon",
    "outcome": "\x00",
    "note": "y" * 20_000,
    "body": "",
    "status": "partied",
    "group": "999999",
    "slot": "not-a-uuid",
    "confirm": "yes",
    "safe_channels": ["telepathy"],
    "start_date": "31/02/2027",
    "start_time": "25:99",
    "duration_minutes": "-5",
    "occurrences": "1e9",
    "capacity": "NaN",
    "join_url": "javascript:alert(1)",
    "code": "0" * 50,
    "login": "a@b.c",
    "password": "p" * 5000,
    "full_name": "z" * 1000,
    "submission_key": "../../",
    "website": "",
    "day": "yesterday",
    "minutes": "0",
    "account_id": "",
    "page": "-1",
}


@pytest.fixture
def world(organisation_a, coordinator_a, police_agency):
    for role in (Role.CASEWORKER, Role.FACILITATOR):
        MembershipFactory(user=coordinator_a, organisation=organisation_a, role=role)
    referral = make_referral(organisation_a)
    group = GroupFactory(organisation=organisation_a, format="zoom")
    start = timezone.now() + timedelta(days=2)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=referral, actor=coordinator_a)
    )
    slot = call_slot_publish(
        facilitator=coordinator_a,
        organisation=organisation_a,
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, minutes=30),
    )
    invitation, _token = invitation_create(
        organisation=organisation_a,
        email="new@charity.example",
        role=Role.CASEWORKER,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    return {
        "referral_id": referral.pk,
        "group_id": group.pk,
        "session_id": session.pk,
        "booking_id": booking.pk,
        "slot_id": slot.pk,
        "organisation_id": organisation_a.pk,
        "invitation_id": invitation.pk,
        "membership_id": coordinator_a.memberships.first().pk,
        "token": links.link_issue(referral=referral, purpose=links.Purpose.PLACE),
        "slug": organisation_a.slug,
        "action": "accept",
    }


def real_urls(world):
    urls = []
    for name, sample in named_urls():
        if name.startswith("admin:"):
            continue
        for keywords in _keyword_names(name):
            if keywords and all(k in world for k in keywords):
                urls.append(reverse(name, kwargs={k: world[k] for k in keywords}))
                break
        else:
            urls.append(sample)
    return urls


@pytest.mark.parametrize("signed_in", [False, True])
def test_junk_never_causes_a_server_error(client, world, coordinator_a, signed_in):
    if signed_in:
        sign_in(client, coordinator_a)
    failures = []
    for url in real_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url, JUNK if method == "post" else {"page": "x"})
            if response.status_code >= 500:
                failures.append((method, url, response.status_code))
            # Signing out and the quick exit end the session: sign in again.
            if signed_in and ("/accounts/logout/" in url or "/exit/" in url):
                sign_in(client, coordinator_a)
    assert failures == []
