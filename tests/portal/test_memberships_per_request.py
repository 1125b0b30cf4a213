"""A request reads the signed-in person's memberships once, and sees any change to them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.organisations.permissions import has_role, role_summary
from portal.organisations.roles import Role
from portal.organisations.scoping import member_organisation_ids
from portal.organisations.selectors import active_memberships, memberships_kept_for_request
from tests.conftest import sign_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def _membership_reads(queries) -> int:
    # The person's own memberships: other queries may join memberships to find colleagues.
    return sum(query["sql"].startswith('SELECT "organisations_membership"') for query in queries)


def test_within_a_request_the_memberships_are_read_once(caseworker_a, organisation_a):
    with memberships_kept_for_request():
        active_memberships(caseworker_a)
        with CaptureQueriesContext(connection) as queries:
            assert has_role(caseworker_a, organisation_a, [Role.CASEWORKER])
            assert member_organisation_ids(caseworker_a) == [organisation_a.pk]
            assert role_summary(caseworker_a) == {Role.CASEWORKER: {"Organisation A"}}
    assert len(queries) == 0


def test_outside_a_request_every_question_reads_afresh(caseworker_a, organisation_b):
    assert not has_role(caseworker_a, organisation_b, [Role.CASEWORKER])
    MembershipFactory(user=caseworker_a, organisation=organisation_b, role=Role.CASEWORKER)
    assert has_role(caseworker_a, organisation_b, [Role.CASEWORKER])


def test_a_membership_added_during_the_request_is_seen_by_the_rest_of_it(
    caseworker_a, organisation_b
):
    with memberships_kept_for_request():
        assert organisation_b.pk not in member_organisation_ids(caseworker_a)
        MembershipFactory(user=caseworker_a, organisation=organisation_b, role=Role.CASEWORKER)
        assert organisation_b.pk in member_organisation_ids(caseworker_a)


def test_a_membership_ended_during_the_request_stops_counting_at_once(
    coordinator_a, organisation_a
):
    membership = coordinator_a.memberships.get()
    with memberships_kept_for_request():
        assert has_role(coordinator_a, organisation_a, [Role.COORDINATOR])
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        assert not has_role(coordinator_a, organisation_a, [Role.COORDINATOR])


def test_a_person_deactivated_during_the_request_loses_every_role(caseworker_a, organisation_a):
    with memberships_kept_for_request():
        assert has_role(caseworker_a, organisation_a, [Role.CASEWORKER])
        other = type(caseworker_a).objects.get(pk=caseworker_a.pk)
        other.is_active = False
        other.save(update_fields=["is_active"])
        assert not has_role(caseworker_a, organisation_a, [Role.CASEWORKER])


def test_what_one_request_kept_is_gone_when_it_ends(caseworker_a):
    with memberships_kept_for_request():
        active_memberships(caseworker_a)
    with memberships_kept_for_request(), CaptureQueriesContext(connection) as queries:
        active_memberships(caseworker_a)
    assert _membership_reads(queries) == 1


@pytest.mark.parametrize(
    "url_name",
    ["referrals:queue", "referrals:detail", "staff:dashboard", "groups:list"],
)
def test_a_staff_page_reads_the_memberships_once(client, caseworker_a, organisation_a, url_name):
    referral = make_referral(organisation_a)
    kwargs = {"referral_id": referral.pk} if url_name == "referrals:detail" else {}
    sign_in(client, caseworker_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 200
    assert _membership_reads(queries) == 1


def test_each_person_in_a_request_gets_their_own_memberships(caseworker_a, caseworker_b):
    with memberships_kept_for_request():
        assert [m.organisation.name for m in active_memberships(caseworker_a)] == ["Organisation A"]
        assert [m.organisation.name for m in active_memberships(caseworker_b)] == ["Organisation B"]


def test_another_organisations_ids_stay_out_of_scope(caseworker_a, organisation_b):
    OrganisationFactory(name="Organisation C")
    make_referral(organisation_b)
    with memberships_kept_for_request():
        assert member_organisation_ids(caseworker_a) == [
            caseworker_a.memberships.get().organisation_id
        ]


def test_no_organisation_means_no_role(caseworker_a):
    assert not has_role(caseworker_a, None, [Role.CASEWORKER])
