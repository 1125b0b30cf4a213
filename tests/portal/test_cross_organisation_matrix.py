"""Every URL and API endpoint that takes an object's id, tried with organisation A's real
ids by a member of organisation B in every charity role: 404 every time (or 405 where the
method is not the one the URL takes), and nothing changes.

The URL list comes from the same walk as the URL-protection test, so a new URL with an
id fails here until this file knows which of A's objects to try it with.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Session
from peergroups.services import booking_confirm, booking_offer, call_slot_publish
from portal.organisations.roles import Role
from portal.organisations.services import invitation_create
from resources import services as resource_services
from tests.api.conftest import issue_key, key_client, referral_body
from tests.conftest import sign_in
from tests.factories import GroupFactory, MembershipFactory
from tests.portal.test_passkeys import a_passkey
from tests.portal.test_url_protection import URLS, _keyword_names
from tests.referrals.factories import make_referral
from tests.resources.factories import make_resource

pytestmark = pytest.mark.django_db

# Reached by a private link's token or by anyone (no organisation's member is involved),
# or the Django admin (platform administrators only).
NOT_MEMBER_URLS = {
    "public:",
    "peergroups:",
    "resources:",
    "selfreferral:",
    "invitations:",
    "account_",
    "admin:",
}


def scoped_urls() -> list[str]:
    names = []
    for name, _ in URLS:
        if name.startswith(tuple(NOT_MEMBER_URLS)):
            continue
        keywords = _keyword_names(name)[0]
        if keywords:
            names.append(name)
    return names


@pytest.fixture
def organisation_a_objects(
    organisation_a,
    coordinator_a,
    caseworker_a,
    facilitator_a,
    police_agency,
    shipped_questionnaires,
):
    referral = make_referral(organisation_a)
    group = GroupFactory(organisation=organisation_a)
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=referral, actor=caseworker_a)
    )
    # A meeting under way: its register is open (registers open only once a meeting starts).
    start = timezone.now() - timedelta(minutes=30)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    slot = call_slot_publish(
        facilitator=facilitator_a,
        organisation=organisation_a,
        starts_at=start + timedelta(days=3),
        ends_at=start + timedelta(days=3, minutes=30),
    )
    invitation, _ = invitation_create(
        organisation=organisation_a,
        email="new@charity.example",
        role=Role.CASEWORKER,
        agency=None,
        invited_by=coordinator_a,
        base_url="http://testserver/",
    )
    resource = make_resource(organisation_a, actor=coordinator_a)
    pack = resource_services.pack_save(
        organisation=organisation_a,
        key="a-pack",
        title="A's pack",
        purpose="For A",
        default_for=[],
        resources=[resource],
        actor=coordinator_a,
    )
    signpost = resource_services.signpost_save(
        organisation=organisation_a,
        key="a-service",
        values={
            "provider": "P",
            "name": "A's",
            "description": "D",
            "phone": "0800 000 000",
            "assured_date": date.today(),
        },
        actor=coordinator_a,
    )
    delivery, _ = resource_services.pack_send(
        referral=referral, pack=pack, resources=[resource], actor=caseworker_a
    )
    from referrals.subject_access import sar_open

    sar = sar_open(
        referral=referral, received_on=timezone.localdate(), notes="", actor=coordinator_a
    )
    from referrals import links
    from referrals.models import PrivateLink

    place_token = links.link_issue(referral=referral, purpose=links.Purpose.PLACE)
    private_link = PrivateLink.objects.get(token_hash=links.hash_token(place_token))
    raw_key = issue_key(organisation_a, police_agency, coordinator_a)
    from portal.notifications.models import StaffTask

    task = StaffTask.objects.create(
        organisation=organisation_a,
        kind=StaffTask.Kind.NO_SAFE_TIME,
        record_type="referrals.referral",
        record_id=str(referral.pk),
    )
    sent = key_client(raw_key).post("/api/v1/referrals/", referral_body(), format="json")
    from peergroups.models import SessionNote

    note = SessionNote.objects.create(session=session, author=facilitator_a, body="A's note")
    from portal.notifications.models import MessageLog

    waiting = MessageLog.objects.create(
        organisation=organisation_a,
        recipient_type="referrals.referral",
        recipient_id=str(referral.pk),
        template="message_from_caseworker",
        status=MessageLog.Status.WAITING,
        send_after=timezone.now() + timedelta(days=1),
    )
    return {
        "referral_id": referral.pk,
        "group_id": group.pk,
        "session_id": session.pk,
        "booking_id": booking.pk,
        "slot_id": slot.pk,
        "organisation_id": organisation_a.pk,
        "invitation_id": invitation.pk,
        "membership_id": caseworker_a.memberships.get().pk,
        "resource_id": resource.pk,
        "number": 1,
        "pack_id": pack.pk,
        "signpost_id": signpost.pk,
        "delivery_id": delivery.pk,
        "key_prefix": raw_key.split(".")[0],
        "reference": sent.json()["reference"],
        "action": "cancel",
        "sar_id": sar.pk,
        "link_id": private_link.pk,
        "record_type": "closed_referral",
        "table": "referrals_by_source",
        "questionnaire_id": shipped_questionnaires["ons4-wellbeing"].pk,
        "passkey_id": a_passkey(caseworker_a).pk,
        "task_id": task.pk,
        "message_id": waiting.pk,
        "note_id": note.pk,
    }


@pytest.fixture
def member_of_b_in_every_role(organisation_b, coordinator_b):
    for role in (Role.CASEWORKER, Role.FACILITATOR):
        MembershipFactory(user=coordinator_b, organisation=organisation_b, role=role)
    return coordinator_b


def test_the_matrix_covers_every_url_with_an_id():
    assert len(scoped_urls()) >= 50


@pytest.mark.parametrize("name", scoped_urls())
def test_another_organisations_ids_answer_404(
    client, name, organisation_a_objects, member_of_b_in_every_role
):
    keywords = _keyword_names(name)[0]
    missing = [k for k in keywords if k not in organisation_a_objects]
    assert not missing, f"{name}: add one of organisation A's objects for {missing}"
    url = reverse(name, kwargs={k: organisation_a_objects[k] for k in keywords})
    sign_in(client, member_of_b_in_every_role)
    for method in ("get", "post", "put"):
        response = getattr(client, method)(url, content_type="application/json", data={})
        assert response.status_code in (404, 405), f"{method.upper()} {url}: {response.status_code}"
    assert_nothing_changed(organisation_a_objects)


def assert_nothing_changed(ids: dict) -> None:
    from peergroups.models import Booking
    from portal.api.models import AgencyApiKey
    from portal.organisations.models import Invitation, Membership
    from referrals.models import Referral
    from resources.models import Delivery

    referral = Referral.objects.get(pk=ids["referral_id"])
    # "placed": the confirmed place made for the fixture moves the referral on by itself.
    assert (referral.state, referral.assigned_to_id) == ("placed", None)
    assert referral.consent_withdrawn_at is None and not referral.notes.exists()
    assert Session.objects.get(pk=ids["session_id"]).status == "scheduled"
    assert Booking.objects.get(pk=ids["booking_id"]).state == "confirmed"
    assert not AgencyApiKey.objects.filter(revoked=True).exists()
    assert Invitation.objects.get(pk=ids["invitation_id"]).revoked_at is None
    assert Membership.objects.get(pk=ids["membership_id"]).ended_at is None
    assert Delivery.objects.get(pk=ids["delivery_id"]).revoked_at is None
    from referrals.models import SubjectAccessRequest

    assert SubjectAccessRequest.objects.get(pk=ids["sar_id"]).status == "received"
    from referrals.models import PrivateLink

    assert PrivateLink.objects.get(pk=ids["link_id"]).revoked_at is None
    from portal.notifications.models import StaffTask

    assert StaffTask.objects.get(pk=ids["task_id"]).done_at is None
    assert not StaffTask.objects.filter(kind=StaffTask.Kind.CONCERN_RAISED).exists()
    from portal.notifications.models import MessageLog

    assert MessageLog.objects.get(pk=ids["message_id"]).status == "waiting"
