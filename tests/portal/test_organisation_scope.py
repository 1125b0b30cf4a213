"""Organisation scope: a member of one organisation never sees another's objects."""

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Group
from portal.organisations.models import Invitation
from portal.organisations.roles import Role
from portal.organisations.services import invitation_create
from tests.conftest import sign_in
from tests.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_shared_queryset_helper_returns_only_the_members_organisations(
    caseworker_a, caseworker_b, organisation_a, organisation_b
):
    group_a = GroupFactory(organisation=organisation_a)
    group_b = GroupFactory(organisation=organisation_b)
    assert list(Group.objects.for_member(caseworker_a)) == [group_a]
    assert list(Group.objects.for_member(caseworker_b)) == [group_b]
    assert not Group.objects.for_member(caseworker_a).filter(pk=group_b.pk).exists()


def test_scope_can_be_narrowed_to_roles(caseworker_a, organisation_a):
    GroupFactory(organisation=organisation_a)
    assert Group.objects.for_member(caseworker_a, roles=[Role.CASEWORKER]).count() == 1
    assert Group.objects.for_member(caseworker_a, roles=[Role.COORDINATOR]).count() == 0


def test_ended_memberships_and_deactivated_users_see_nothing(caseworker_a, organisation_a):
    GroupFactory(organisation=organisation_a)
    caseworker_a.memberships.update(ended_at=timezone.now())
    assert Group.objects.for_member(caseworker_a).count() == 0
    MembershipFactory(user=caseworker_a, organisation=organisation_a)
    caseworker_a.is_active = False
    caseworker_a.save()
    assert Group.objects.for_member(caseworker_a).count() == 0


def test_a_member_of_two_organisations_sees_both(caseworker_a, organisation_a, organisation_b):
    MembershipFactory(user=caseworker_a, organisation=organisation_b, role=Role.FACILITATOR)
    GroupFactory(organisation=organisation_a)
    GroupFactory(organisation=organisation_b)
    assert Group.objects.for_member(caseworker_a).count() == 2


def test_referrers_see_no_charity_data(referrer, organisation_a):
    GroupFactory(organisation=organisation_a)
    assert Group.objects.for_member(referrer).count() == 0


def test_another_organisations_ids_answer_404_on_every_team_url(
    client, coordinator_a, coordinator_b, organisation_a, caseworker_a
):
    invitation, _ = invitation_create(
        organisation=organisation_a,
        email="p@charity.example",
        role=Role.CASEWORKER,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    membership = caseworker_a.memberships.get()
    a = {"organisation_id": organisation_a.pk}
    sign_in(client, coordinator_b)
    assert client.get(reverse("staff:team", kwargs=a)).status_code == 404
    assert client.get(reverse("staff:invitation-create", kwargs=a)).status_code == 404
    revoke = reverse("staff:invitation-revoke", kwargs={**a, "invitation_id": invitation.pk})
    assert client.post(revoke).status_code == 404
    end = reverse("staff:membership-end", kwargs={**a, "membership_id": membership.pk})
    assert client.post(end).status_code == 404
    # Organisation B's own URL with A's objects in it: still 404.
    b = {"organisation_id": coordinator_b.memberships.get().organisation_id}
    revoke = reverse("staff:invitation-revoke", kwargs={**b, "invitation_id": invitation.pk})
    assert client.post(revoke).status_code == 404
    end = reverse("staff:membership-end", kwargs={**b, "membership_id": membership.pk})
    assert client.post(end).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    membership.refresh_from_db()
    assert membership.ended_at is None


def test_the_team_page_lists_only_this_organisations_people(
    client, coordinator_a, caseworker_a, caseworker_b, organisation_a
):
    sign_in(client, coordinator_a)
    page = client.get(reverse("staff:team", kwargs={"organisation_id": organisation_a.pk}))
    content = page.content.decode()
    assert caseworker_a.email in content
    assert caseworker_b.email not in content


def test_removing_someones_last_role_deactivates_them_and_ends_their_sessions(
    client, coordinator_a, caseworker_a, organisation_a
):
    worker_client = sign_in(client.__class__(), caseworker_a)
    assert worker_client.get(reverse("staff:dashboard")).status_code == 200
    sign_in(client, coordinator_a)
    membership = caseworker_a.memberships.get()
    client.post(
        reverse(
            "staff:membership-end",
            kwargs={"organisation_id": organisation_a.pk, "membership_id": membership.pk},
        )
    )
    caseworker_a.refresh_from_db()
    assert not caseworker_a.is_active
    assert worker_client.get(reverse("staff:dashboard"))["Location"].startswith("/accounts/login/")


def test_a_coordinator_cannot_remove_their_own_coordinator_role(
    client, coordinator_a, organisation_a
):
    sign_in(client, coordinator_a)
    membership = coordinator_a.memberships.get()
    client.post(
        reverse(
            "staff:membership-end",
            kwargs={"organisation_id": organisation_a.pk, "membership_id": membership.pk},
        )
    )
    membership.refresh_from_db()
    assert membership.ended_at is None


def test_pending_invitations_are_scoped_too(coordinator_a, coordinator_b, organisation_a):
    invitation_create(
        organisation=organisation_a,
        email="q@charity.example",
        role=Role.CASEWORKER,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    assert Invitation.objects.for_member(coordinator_a).count() == 1
    assert Invitation.objects.for_member(coordinator_b).count() == 0
