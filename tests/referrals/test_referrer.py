"""Referrers refer with the consent they took, and see only their own referrals' status."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.organisations.roles import Role
from referrals.models import ConsentRecord, Referral, SafeContact
from referrals.references import display_reference
from referrals.services import case_note_add, contact_attempt_record, referral_transition
from tests.conftest import sign_in
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ReferringAgencyFactory,
    TOTPDeviceFactory,
    UserFactory,
)
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

NEW = reverse("referrer:new")
LIST = reverse("referrer:list")
KEY = "first-render-key-0123456789"


def when(delta: timedelta) -> str:
    """A time as a datetime-local input sends it."""
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def answers(organisation, **overrides) -> dict:
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
        "accessibility_needs": "Needs a hearing loop",
        "safe_channels": ["call", "text"],
        "safe_times_choice": "any_time",
        "safe_times": "After 6pm",
        "name_to_use": "Rob",
        "may_name_organisation": "no",
        "shares_device_with_person": "no",
        "shares_address_with_person": "yes",
        "consent_confirmed": "on",
        "consent_method": "verbal",
        "consent_given_at": when(-timedelta(hours=2)),
        "professional_name": "PC Sam Jones",
        "professional_identifier": "4521",
        "share_status_with_referrer": "yes",
        "submission_key": KEY,
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return html.unescape(response.content.decode())


def make_referrer(agency, email: str):
    user = UserFactory(email=email)
    TOTPDeviceFactory(user=user)
    MembershipFactory(user=user, organisation=None, agency=agency, role=Role.REFERRER)
    return user


# --- Referring someone --------------------------------------------------------------------


def test_the_form_shows_partner_organisations_the_statement_and_the_agency(
    client, referrer, police_agency, organisation_a
):
    sign_in(client, referrer)
    page = text(client.get(NEW))
    assert organisation_a.name in page
    assert "be passed to the organisation chosen above" in page
    assert f'value="{police_agency.name}" readonly' in page
    assert re.search(r'name="submission_key" value="[A-Za-z0-9_-]{20,64}"', page)


def test_a_referrer_refers_someone_with_their_consent(
    client, referrer, police_agency, organisation_a
):
    sign_in(client, referrer)
    response = client.post(NEW, answers(organisation_a))
    assert response.status_code == 302 and response["Location"] == LIST

    referral = Referral.objects.get()
    assert referral.source == "professional"
    assert referral.referred_by == referrer
    assert referral.referring_agency == police_agency
    assert referral.organisation == organisation_a
    assert referral.full_name == "Robin Example"
    assert referral.phone == "+447911123456"
    assert referral.stage == "searched_or_arrested"
    assert referral.share_status_with_referrer

    consent = ConsentRecord.objects.get(referral=referral)
    assert consent.action == ConsentRecord.Action.GIVEN
    assert consent.method == "verbal"
    assert consent.recorded_by == referrer
    assert organisation_a.name in consent.statement_text
    assert "chosen above" not in consent.statement_text
    assert consent.professional_name == "PC Sam Jones"
    assert consent.professional_identifier == "4521"
    assert consent.professional_agency == police_agency.name
    assert timezone.now() - consent.given_at < timedelta(hours=2, minutes=2)

    safe = SafeContact.objects.get(referral=referral)
    assert safe.safe_channels == ["call", "text"]
    assert safe.name_to_use == "Rob" and safe.safe_times == "After 6pm"
    assert safe.shares_address_with_person and not safe.shares_device_with_person

    listing = text(client.get(LIST))
    assert f"Referral {display_reference(referral.reference)} sent to" in listing


def test_written_consent_is_recorded_as_written(client, referrer, police_agency, organisation_a):
    sign_in(client, referrer)
    client.post(NEW, answers(organisation_a, consent_method="written"))
    assert ConsentRecord.objects.get().method == "written"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"consent_confirmed": ""},
            "Confirm that the person agreed to be referred. Only refer someone who has agreed.",
        ),
        (
            {"consent_given_at": when(timedelta(days=1))},
            "The time they agreed cannot be in the future.",
        ),
        ({"consent_given_at": when(-timedelta(days=31))}, "They agreed more than 30 days ago."),
        ({"consent_given_at": "yesterday-ish"}, "Enter the date and time they agreed, like"),
        ({"consent_given_at": ""}, "Enter the date and time they agreed."),
        ({"consent_method": ""}, "Choose how they agreed: verbally or in writing."),
        ({"email": "robin@"}, "Enter an email address in the right format"),
        ({"phone": "+1 202 456 1111"}, "Enter a UK phone number"),
        ({"stage": "guilty"}, "Choose one of the options listed."),
        ({"relationship": ""}, "Choose who they are to the person under investigation."),
        (
            {"email": "", "phone": ""},
            "Enter an email address or a UK phone number for them, or both.",
        ),
        ({"safe_channels": []}, "Choose at least one way that is safe to contact them."),
        (
            {"email": "", "safe_channels": ["email"]},
            "You chose email: we need an email address.",
        ),
        (
            {"phone": "", "safe_channels": ["email", "call"]},
            "You chose a phone option: we need a phone number.",
        ),
        ({"safe_channels": ["post"]}, "You chose post: enter the postal address."),
        (
            {"phone": "0113 496 0000", "safe_channels": ["text"]},
            "their phone number is not a mobile number",
        ),
        ({"professional_identifier": ""}, "Enter your collar number or job title."),
        ({"professional_name": ""}, "Enter your name."),
        ({"share_status_with_referrer": ""}, "Choose yes or no."),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(
    client, referrer, police_agency, organisation_a, overrides, message
):
    sign_in(client, referrer)
    response = client.post(NEW, answers(organisation_a, **overrides))
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert message in page
    assert 'value="Robin Example"' in page
    assert 'value="Northbridge"' in page
    assert "Needs a hearing loop</textarea>" in page
    assert f'name="submission_key" value="{KEY}"' in page
    assert not Referral.objects.exists()


def test_a_wrong_email_does_not_also_claim_the_email_is_missing(
    client, referrer, police_agency, organisation_a
):
    sign_in(client, referrer)
    page = text(client.post(NEW, answers(organisation_a, email="robin@", phone="")))
    assert "Enter an email address in the right format" in page
    assert "we need an email address" not in page
    assert "Enter an email address or a UK phone number" not in page


def test_only_partner_organisations_that_accept_referrals_can_be_chosen(
    client, referrer, police_agency, organisation_a, organisation_b
):
    paused = OrganisationFactory(name="Paused Charity", is_accepting_referrals=False)
    paused.partner_agencies.add(police_agency)
    sign_in(client, referrer)
    page = text(client.get(NEW))
    assert organisation_b.name not in page and paused.name not in page

    for organisation in (organisation_b, paused):
        response = client.post(NEW, answers(organisation))
        assert response.status_code == 400
        assert "Choose one of the options listed." in text(response)
    assert not Referral.objects.exists()


def test_a_referrer_in_several_agencies_chooses_the_agency(
    client, referrer, police_agency, organisation_a
):
    other_agency = ReferringAgencyFactory(name="Youth Offending Service", domain="yos.example")
    organisation_c = OrganisationFactory(name="Organisation C")
    organisation_c.partner_agencies.add(other_agency)
    MembershipFactory(user=referrer, organisation=None, agency=other_agency, role=Role.REFERRER)
    sign_in(client, referrer)
    page = text(client.get(NEW))
    assert "Which force or agency are you referring for?" in page
    assert organisation_a.name in page and organisation_c.name in page

    response = client.post(NEW, answers(organisation_c))
    assert "Choose the force or agency you are referring for." in text(response)
    response = client.post(NEW, answers(organisation_c, agency=police_agency.pk))
    assert f"Organisation C does not take referrals from {police_agency.name}." in text(response)
    assert not Referral.objects.exists()

    response = client.post(NEW, answers(organisation_c, agency=other_agency.pk))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.referring_agency == other_agency
    assert ConsentRecord.objects.get().professional_agency == "Youth Offending Service"


def test_a_double_click_creates_one_referral(client, referrer, police_agency, organisation_a):
    sign_in(client, referrer)
    first = client.post(NEW, answers(organisation_a))
    second = client.post(NEW, answers(organisation_a))
    assert first.status_code == second.status_code == 302
    assert Referral.objects.count() == 1


def test_submission_keys_belong_to_one_referrer(client, referrer, police_agency, organisation_a):
    """Someone replaying a colleague's key gets a referral of their own, not the colleague's."""
    colleague = make_referrer(police_agency, "colleague@police.example")
    sign_in(client, referrer)
    client.post(NEW, answers(organisation_a))
    sign_in(client, colleague)
    client.post(NEW, answers(organisation_a, full_name="Someone Else"))
    assert Referral.objects.filter(referred_by=referrer).count() == 1
    assert Referral.objects.filter(referred_by=colleague).count() == 1


def test_a_tampered_submission_key_is_refused_and_replaced(
    client, referrer, police_agency, organisation_a
):
    sign_in(client, referrer)
    response = client.post(NEW, answers(organisation_a, submission_key="x"))
    assert response.status_code == 400
    page = text(response)
    assert "Something went wrong. Check your answers and send again." in page
    fresh = re.search(r'name="submission_key" value="([^"]*)"', page).group(1)
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", fresh)
    assert not Referral.objects.exists()
    assert client.post(NEW, answers(organisation_a, submission_key=fresh)).status_code == 302


# --- My referrals -------------------------------------------------------------------------


def test_referrers_see_only_their_own_referrals_and_never_case_details(
    client, referrer, police_agency, organisation_a, caseworker_a
):
    colleague = make_referrer(police_agency, "colleague@police.example")
    shared = make_referral(
        organisation_a,
        referrer=referrer,
        agency=police_agency,
        share_status_with_referrer=True,
        phone="07911 654321",
        safe_channels=("email", "call"),
        area="Southtown",
    )
    not_shared = make_referral(organisation_a, referrer=referrer, agency=police_agency)
    colleagues = make_referral(
        organisation_a, referrer=colleague, agency=police_agency, share_status_with_referrer=True
    )
    case_note_add(referral=shared, body="Zebra-striped private note", actor=caseworker_a)
    contact_attempt_record(
        referral=shared,
        channel="call",
        outcome="reached",
        note="Spoke about the arrest",
        actor=caseworker_a,
    )
    referral_transition(referral=not_shared, to_state="in_contact", actor=caseworker_a)
    referral_transition(referral=not_shared, to_state="assessed", actor=caseworker_a)

    sign_in(client, referrer)
    page = text(client.get(LIST))
    assert display_reference(shared.reference) in page
    assert display_reference(not_shared.reference) in page
    assert display_reference(colleagues.reference) not in page
    assert organisation_a.name in page
    assert "Contacted" in page
    assert "Not shared (the person chose not to share progress)" in page
    # Nothing about the case or the person: notes, contact, state names, contact details.
    for secret in (
        "Zebra-striped private note",
        "Spoke about the arrest",
        "In contact",
        "Assessed",
        "Support started",
        shared.full_name,
        shared.email,
        "7911",
        "Southtown",
    ):
        assert secret not in page


def test_progress_shows_only_the_share_back_status(
    client, referrer, police_agency, organisation_a, caseworker_a
):
    referral = make_referral(
        organisation_a, referrer=referrer, agency=police_agency, share_status_with_referrer=True
    )
    sign_in(client, referrer)
    assert "Received" in text(client.get(LIST))
    referral_transition(referral=referral, to_state="in_contact", actor=caseworker_a)
    assert "Contacted" in text(client.get(LIST))
    referral_transition(referral=referral, to_state="assessed", actor=caseworker_a)
    assert "Support started" in text(client.get(LIST))
    referral_transition(
        referral=referral, to_state="closed", close_reason="declined", actor=caseworker_a
    )
    page = text(client.get(LIST))
    assert "Closed" in page and "Declined" not in page


def test_my_referrals_pages_25_at_a_time_in_bounded_queries(
    client, referrer, police_agency, organisation_a, django_assert_max_num_queries
):
    referrals = [
        make_referral(organisation_a, referrer=referrer, agency=police_agency) for _ in range(30)
    ]
    sign_in(client, referrer)
    with django_assert_max_num_queries(8):
        page = text(client.get(LIST))
    assert len(re.findall(r"<tr>", page)) == 26  # the header and 25 referrals
    assert display_reference(referrals[-1].reference) in page  # newest first
    assert "Page 1 of 2" in page
    second = text(client.get(LIST, {"page": 2}))
    assert len(re.findall(r"<tr>", second)) == 6
    assert display_reference(referrals[0].reference) in second


# --- Who may use these pages --------------------------------------------------------------


@pytest.mark.parametrize("url", [NEW, LIST])
def test_staff_without_a_referrer_membership_get_404(client, caseworker_a, url):
    sign_in(client, caseworker_a)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [NEW, LIST])
def test_a_referrer_whose_membership_ended_gets_404(client, referrer, url):
    referrer.memberships.update(ended_at=timezone.now())
    sign_in(client, referrer)
    assert client.get(url).status_code == 404


def test_a_caseworker_cannot_post_a_referral(client, caseworker_a, organisation_a):
    sign_in(client, caseworker_a)
    assert client.post(NEW, answers(organisation_a)).status_code == 404
    assert not Referral.objects.exists()


@pytest.mark.parametrize("url", [NEW, LIST])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_navigation_offers_referrer_pages_only_to_referrers(client, referrer, caseworker_a):
    sign_in(client, referrer)
    page = text(client.get(LIST))
    assert f'href="{NEW}"' in page and "My referrals" in page
    assert page.count('aria-current="page"') == 1
    sign_in(client, caseworker_a)
    page = text(client.get(reverse("staff:dashboard")))
    assert "My referrals" not in page and "Refer someone" not in page
