"""Referrers: refer with recorded consent; see only their own referrals, never notes."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.organisations.roles import Role
from referrals.models import ConsentRecord, Referral
from referrals.services import case_note_add, referral_transition
from tests.conftest import sign_in
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

NEW = reverse("referrer:new")
LIST = reverse("referrer:list")


def answers(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "full_name": "Robin Example",
        "email": "robin@example.org",
        "phone": "07911 123456",
        "relationship": "partner",
        "stage": "searched_or_arrested",
        "children_in_household": "yes",
        "support_wanted": "initial_call",
        "format_preference": "either",
        "area": "Northbridge",
        "accessibility_needs": "",
        "safe-safe_channels": ["call", "text"],
        "safe-safe_times": "After 6pm",
        "safe-name_to_use": "Rob",
        "safe-may_name_organisation": "no",
        "safe-shares_device_with_person": "no",
        "safe-shares_address_with_person": "yes",
        "consent_confirmed": "on",
        "consent_method": "verbal",
        "consent_given_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "professional_name": "PC Sam Jones",
        "professional_identifier": "4521",
        "share_status_with_referrer": "yes",
        "submission_key": "key-1",
    }
    data.update(overrides)
    return data


def test_a_referrer_refers_someone_with_their_consent(
    client, referrer, police_agency, organisation_a
):
    sign_in(client, referrer)
    page = client.get(NEW).content.decode()
    assert organisation_a.name in page
    response = client.post(NEW, answers(organisation_a))
    assert response["Location"] == LIST
    referral = Referral.objects.get()
    assert referral.source == "professional"
    assert referral.referred_by == referrer and referral.referring_agency == police_agency
    assert referral.share_status_with_referrer
    consent = ConsentRecord.objects.get(referral=referral)
    assert consent.method == "verbal" and consent.recorded_by == referrer
    assert organisation_a.name in consent.statement_text
    assert consent.professional_identifier == "4521"
    assert consent.professional_agency == police_agency.name
    assert referral.safe_contact.safe_channels == ["call", "text"]
    listing = client.get(LIST).content.decode()
    assert referral.reference[:4] in listing and "Received" in listing


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent_confirmed": ""}, "Confirm that the person agreed to this referral."),
        (
            {
                "consent_given_at": (timezone.localtime() + timedelta(days=1)).strftime(
                    "%Y-%m-%dT%H:%M"
                )
            },
            "cannot be in the future",
        ),
        ({"consent_given_at": "yesterday-ish"}, "Enter a real date and time"),
        ({"email": "robin@"}, "Enter an email address in the right format"),
        ({"phone": "+1 202 456 1111"}, "Enter a UK phone number"),
        ({"stage": "guilty"}, "Choose one of the options listed."),
        ({"email": "", "phone": ""}, "Give an email address or a phone number"),
        (
            {"email": "", "safe-safe_channels": ["email"]},
            "You chose email: we need an email address.",
        ),
        ({"professional_identifier": ""}, "Enter your collar number or job title."),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(
    client, referrer, police_agency, organisation_a, overrides, message
):
    sign_in(client, referrer)
    response = client.post(NEW, answers(organisation_a, **overrides))
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert 'value="Robin Example"' in content
    assert not Referral.objects.exists()


def test_only_partner_organisations_can_be_chosen(client, referrer, police_agency, organisation_b):
    sign_in(client, referrer)
    assert organisation_b.name not in client.get(NEW).content.decode()
    response = client.post(NEW, answers(organisation_b))
    assert "Choose one of the options listed." in response.content.decode()
    assert not Referral.objects.exists()


def test_a_double_click_creates_one_referral(client, referrer, police_agency, organisation_a):
    sign_in(client, referrer)
    client.post(NEW, answers(organisation_a))
    client.post(NEW, answers(organisation_a))
    assert Referral.objects.count() == 1


def test_referrers_see_only_their_own_referrals_and_never_notes(
    client, referrer, police_agency, organisation_a, caseworker_a
):
    colleague = UserFactory(email="colleague@police.example")
    TOTPDeviceFactory(user=colleague)
    MembershipFactory(user=colleague, organisation=None, agency=police_agency, role=Role.REFERRER)
    mine = make_referral(
        organisation_a, referrer=referrer, agency=police_agency, share_status_with_referrer=True
    )
    theirs = make_referral(organisation_a, referrer=colleague, agency=police_agency)
    hidden = make_referral(organisation_a, referrer=referrer, agency=police_agency)
    case_note_add(referral=mine, body="Distinctive private note", actor=caseworker_a)
    referral_transition(referral=mine, to_state="in_contact", actor=caseworker_a)
    sign_in(client, referrer)
    content = client.get(LIST).content.decode()
    assert mine.reference[:4] in content and hidden.reference[:4] in content
    assert theirs.reference[:4] not in content
    assert "Distinctive private note" not in content
    assert "Contacted" in content
    assert "Not shared (the person chose not to share progress)" in content
    assert mine.full_name not in content and "In contact" not in content


def test_staff_without_a_referrer_role_get_404(client, caseworker_a):
    sign_in(client, caseworker_a)
    assert client.get(NEW).status_code == 404
    assert client.get(LIST).status_code == 404


def test_my_referrals_runs_a_bounded_number_of_queries(
    client, referrer, police_agency, organisation_a, django_assert_max_num_queries
):
    for _ in range(30):
        make_referral(organisation_a, referrer=referrer, agency=police_agency)
    sign_in(client, referrer)
    with django_assert_max_num_queries(9):
        content = client.get(LIST).content.decode()
    assert len(re.findall(r"<tr>", content)) == 26  # header and 25 a page
