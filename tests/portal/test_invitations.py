"""Invitations: a coordinator invites, the link works once, expired or forged links are refused."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.organisations.models import Invitation, Membership
from portal.organisations.roles import Role
from portal.organisations.services import invitation_create
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-private-password"


def invite_url(organisation):
    return reverse("staff:invitation-create", kwargs={"organisation_id": organisation.pk})


def emailed_link() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", body).group(1)


def accept(client, link, name="Sam Worker", password=NEW_PASSWORD):
    return client.post(link, {"full_name": name, "password1": password, "password2": password})


def test_a_coordinator_invites_and_the_link_works_once(
    client, coordinator_a, organisation_a, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(organisation_a),
            {"email": "New.Worker@charity.example", "role": "caseworker"},
        )
    assert response["Location"] == reverse(
        "staff:team", kwargs={"organisation_id": organisation_a.pk}
    )
    assert mail.outbox[0].to == ["new.worker@charity.example"]
    assert mail.outbox[0].alternatives, "invitation email needs an HTML part too"
    link = emailed_link()

    newcomer = client.__class__()
    response = accept(newcomer, link)
    assert response["Location"] == reverse("accounts:two-factor-setup")
    user = User.objects.get(email="new.worker@charity.example")
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(
        user=user, organisation=organisation_a, role="caseworker"
    ).exists()

    second_time = client.__class__().get(link)
    assert second_time.status_code == 404
    assert "already been used" in second_time.content.decode()


def test_an_expired_link_is_refused(client, coordinator_a, organisation_a):
    invitation, token = invitation_create(
        organisation=organisation_a,
        email="late@charity.example",
        role=Role.CASEWORKER,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    with time_machine.travel(invitation.expires_at + timedelta(minutes=1)):
        response = accept(client, reverse("invitations:accept", kwargs={"token": token}))
    assert response.status_code == 404
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="late@charity.example").exists()


@pytest.mark.parametrize("token", ["forged", "x" * 43, "../../etc/passwd", "%00"])
def test_forged_or_tampered_links_are_refused_without_error(client, token):
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 404


def test_a_withdrawn_invitation_cannot_be_used(client, coordinator_a, organisation_a):
    invitation, token = invitation_create(
        organisation=organisation_a,
        email="w@charity.example",
        role=Role.FACILITATOR,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    sign_in(client, coordinator_a)
    client.post(
        reverse(
            "staff:invitation-revoke",
            kwargs={"organisation_id": organisation_a.pk, "invitation_id": invitation.pk},
        )
    )
    response = client.__class__().get(reverse("invitations:accept", kwargs={"token": token}))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_weak_passwords_and_mismatches_are_explained_and_nothing_is_created(
    client, coordinator_a, organisation_a
):
    _, token = invitation_create(
        organisation=organisation_a,
        email="weak@charity.example",
        role=Role.CASEWORKER,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    link = reverse("invitations:accept", kwargs={"token": token})
    response = accept(client, link, password="short")
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    response = client.post(
        link, {"full_name": "Sam", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert "The passwords do not match" in response.content.decode()
    assert 'value="Sam"' in response.content.decode()  # what was typed is kept
    assert not User.objects.filter(email="weak@charity.example").exists()


def test_referrers_must_use_their_agencys_email_domain(
    client, coordinator_a, organisation_a, police_agency, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator_a)
    response = client.post(
        invite_url(organisation_a),
        {"email": "officer@gmail.example", "role": "referrer", "agency": police_agency.pk},
    )
    assert response.status_code == 200
    assert "must use an address ending in: police.example" in response.content.decode()
    assert not Invitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            invite_url(organisation_a),
            {"email": "officer@police.example", "role": "referrer", "agency": police_agency.pk},
        )
    accept(client.__class__(), emailed_link())
    assert Membership.objects.get(user__email="officer@police.example").agency == police_agency


def test_an_existing_user_signs_in_and_accepts(client, coordinator_a, organisation_a, caseworker_b):
    _, token = invitation_create(
        organisation=organisation_a,
        email=caseworker_b.email,
        role=Role.FACILITATOR,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    link = reverse("invitations:accept", kwargs={"token": token})
    assert "Sign in to accept" in client.get(link).content.decode()
    sign_in(client, caseworker_b)
    assert client.post(link)["Location"] == reverse("staff:dashboard")
    assert Membership.objects.filter(user=caseworker_b, organisation=organisation_a).exists()


def test_an_invitation_for_someone_else_is_refused_when_signed_in(
    client, coordinator_a, organisation_a, caseworker_b
):
    _, token = invitation_create(
        organisation=organisation_a,
        email="other@charity.example",
        role=Role.CASEWORKER,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    sign_in(client, caseworker_b)
    response = client.post(reverse("invitations:accept", kwargs={"token": token}))
    assert response.status_code == 404
    assert "different email address" in response.content.decode()


def test_only_coordinators_of_the_organisation_can_invite(
    client, caseworker_a, coordinator_b, organisation_a
):
    for user in (caseworker_a, coordinator_b):
        sign_in(client, user)
        assert client.get(invite_url(organisation_a)).status_code == 404
        response = client.post(
            invite_url(organisation_a), {"email": "x@y.example", "role": "coordinator"}
        )
        assert response.status_code == 404
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email": "not-an-address", "role": "caseworker"},
            "Enter an email address in the right format",
        ),
        ({"email": "a@b.example", "role": "superuser"}, "Choose one of the roles listed"),
        ({"email": "", "role": ""}, "Enter the email address"),
        ({"email": "a@b.example", "role": "referrer"}, "Choose the agency the referrer works for"),
    ],
)
def test_bad_invitation_input_gets_a_clear_message(
    client, coordinator_a, organisation_a, data, message
):
    sign_in(client, coordinator_a)
    response = client.post(invite_url(organisation_a), data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_invitation_only_stores_a_hash_of_the_secret(coordinator_a, organisation_a):
    invitation, token = invitation_create(
        organisation=organisation_a,
        email="h@charity.example",
        role=Role.CASEWORKER,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    assert token not in invitation.token_hash
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
