"""How families reach an organisation: its coordinator gives a UK phone number, an email
address and opening hours; families see them where they choose the organisation, where
they ask it for support, on the confirmation and on its privacy notice."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.organisations.models import Organisation
from portal.organisations.services import organisation_contact_update
from tests.conftest import sign_in
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "contact_phone": "0113 496 0123",
    "contact_email": "support@charity.example",
    "contact_opening_hours": "Monday to Friday, 9am to 5pm\r\n\r\n  Closed on bank holidays  ",
}


def contact_url(organisation) -> str:
    return reverse("staff:contact-details", kwargs={"organisation_id": organisation.pk})


def with_contact_details(organisation: Organisation) -> Organisation:
    organisation.contact_phone = "+441134960123"
    organisation.contact_email = "support@charity.example"
    organisation.contact_opening_hours = "Monday to Friday, 9am to 5pm\nClosed on bank holidays"
    organisation.save()
    return organisation


def test_a_coordinator_gives_the_contact_details_and_they_are_kept_tidy(
    client, coordinator_a, organisation_a
):
    sign_in(client, coordinator_a)
    response = client.post(contact_url(organisation_a), GOOD)
    assert response.status_code == 302
    organisation_a.refresh_from_db()
    assert organisation_a.contact_phone == "+441134960123"
    assert organisation_a.contact_phone_display == "0113 496 0123"
    assert organisation_a.contact_email == "support@charity.example"
    assert organisation_a.contact_opening_hours == (
        "Monday to Friday, 9am to 5pm\nClosed on bank holidays"
    )
    event = AuditEvent.objects.get(action="changed", organisation=organisation_a)
    assert event.actor == coordinator_a
    assert event.detail == {
        "change": "contact details",
        "fields": ["contact_email", "contact_opening_hours", "contact_phone"],
    }
    page = client.get(contact_url(organisation_a)).content.decode()
    assert 'value="0113 496 0123"' in page


def test_the_team_page_leads_to_the_contact_details(client, coordinator_a, organisation_a):
    sign_in(client, coordinator_a)
    team = client.get(reverse("staff:team", kwargs={"organisation_id": organisation_a.pk}))
    assert f'href="{contact_url(organisation_a)}">Contact details for families</a>' in (
        team.content.decode()
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"contact_phone": "not a number"}, "contact_phone", "Enter a UK phone number, like"),
        ({"contact_phone": "+33 1 23 45 67 89"}, "contact_phone", "Enter a UK phone number."),
        ({"contact_phone": "0909 879 0000"}, "contact_phone", "does not cost a premium rate"),
        ({"contact_phone": "1" * 31}, "contact_phone", "30 characters or fewer"),
        ({"contact_opening_hours": ""}, "contact_opening_hours", "Say when the phone is answered."),
        ({"contact_opening_hours": "x\n" * 7}, "contact_opening_hours", "6 lines or fewer"),
        ({"contact_opening_hours": "x" * 301}, "contact_opening_hours", "300 characters"),
        ({"contact_email": "not-an-email"}, "contact_email", "Enter an email address in the"),
        (
            {"contact_phone": "", "contact_email": ""},
            "contact_phone",
            "Enter a phone number or an email address, so families can reach you.",
        ),
    ],
)
def test_wrong_details_get_a_plain_error_next_to_the_field(
    client, coordinator_a, organisation_a, changes, field, message
):
    sign_in(client, coordinator_a)
    response = client.post(contact_url(organisation_a), {**GOOD, **changes})
    assert response.status_code == 400
    page = response.content.decode()
    error = page.split(f'id="id_{field}_error"')[1].split("</div>")[0]
    assert message in error
    assert f'href="#id_{field}"' in page  # the summary links to the field
    organisation_a.refresh_from_db()
    assert organisation_a.contact_phone == ""


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("0800 1111", "+448001111", "0800 1111"),  # a short freephone number, as Childline's
        ("01697 73000", "+44169773000", "016977 3000"),  # one of the shorter area codes
        ("0808 157 0192", "+448081570192", "0808 157 0192"),
    ],
)
def test_every_uk_number_the_form_takes_is_saved(
    client, coordinator_a, organisation_a, typed, stored, shown
):
    """The form and the database agree on what a UK number is: a number the form took
    was refused by the database's check, a 500 that lost what was typed."""
    sign_in(client, coordinator_a)
    response = client.post(contact_url(organisation_a), {**GOOD, "contact_phone": typed})
    assert response.status_code == 302
    organisation_a.refresh_from_db()
    assert organisation_a.contact_phone == stored
    assert organisation_a.contact_phone_display == shown


def test_email_alone_is_enough(client, coordinator_a, organisation_a):
    sign_in(client, coordinator_a)
    response = client.post(
        contact_url(organisation_a),
        {"contact_phone": "", "contact_opening_hours": "", "contact_email": "a@charity.example"},
    )
    assert response.status_code == 302
    organisation_a.refresh_from_db()
    assert (organisation_a.contact_phone, organisation_a.contact_email) == (
        "",
        "a@charity.example",
    )


def test_another_organisations_coordinator_cannot_see_or_change_them(
    client, coordinator_b, organisation_a
):
    with_contact_details(organisation_a)
    sign_in(client, coordinator_b)
    assert client.get(contact_url(organisation_a)).status_code == 404
    response = client.post(contact_url(organisation_a), {**GOOD, "contact_phone": "0808 157 0000"})
    assert response.status_code == 404
    organisation_a.refresh_from_db()
    assert organisation_a.contact_phone == "+441134960123"


def test_a_caseworker_cannot_change_them(client, caseworker_a, organisation_a):
    sign_in(client, caseworker_a)
    assert client.post(contact_url(organisation_a), GOOD).status_code == 404
    with pytest.raises(PermissionDenied):
        organisation_contact_update(
            organisation=organisation_a,
            contact_phone="+441134960123",
            contact_email="",
            contact_opening_hours="9 to 5",
            actor=caseworker_a,
        )
    organisation_a.refresh_from_db()
    assert organisation_a.contact_phone == ""


@pytest.mark.parametrize(
    "values",
    [
        {"contact_phone": "0113 496 0123", "contact_opening_hours": "9 to 5"},  # not E.164
        {"contact_phone": "+331234567890", "contact_opening_hours": "9 to 5"},  # not UK
        {"contact_phone": "+441134960123", "contact_opening_hours": ""},  # no hours
    ],
)
def test_the_database_refuses_details_the_form_would_refuse(organisation_a, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=organisation_a.pk).update(**values)


def test_families_see_the_details_where_they_choose_the_organisation(client, organisation_a):
    with_contact_details(organisation_a)
    other = OrganisationFactory()
    page = client.get(reverse("selfreferral:choose")).content.decode()
    assert '<a href="tel:+441134960123"' in page
    assert ">0113 496 0123</a>" in page
    assert "Monday to Friday, 9am to 5pm<br>Closed on bank holidays" in page
    assert '<a href="mailto:support@charity.example"' in page
    # A service that gave none is still listed, without an empty contact list.
    assert other.name in page
    assert page.count('class="contact-details"') == 1


def test_families_see_the_details_on_the_start_page_and_the_privacy_notice(client, organisation_a):
    with_contact_details(organisation_a)
    start = client.get(reverse("selfreferral:start", kwargs={"slug": organisation_a.slug}))
    assert '<a href="tel:+441134960123"' in start.content.decode()
    notice = client.get(reverse("public:privacy-notice", kwargs={"slug": organisation_a.slug}))
    assert '<a href="mailto:support@charity.example"' in notice.content.decode()


def test_families_see_the_details_on_the_confirmation(rf, organisation_a):
    """The page a family sees once their request is sent (its template, with what the
    confirmation view gives it: the organisation and the reference)."""
    with_contact_details(organisation_a)
    page = render_to_string(
        "referrals/public/done.html",
        {"organisation": organisation_a, "reference": "NW8X-BDR5"},
        request=rf.get("/"),
    )
    assert f"<h2>Contact {organisation_a.name}</h2>" in page
    assert '<a href="tel:+441134960123"' in page


def test_no_contact_heading_when_the_organisation_gave_none(client, organisation_a):
    start = client.get(reverse("selfreferral:start", kwargs={"slug": organisation_a.slug}))
    assert f"Contact {organisation_a.name}" not in start.content.decode()
    assert "contact-details" not in start.content.decode()


def test_the_demo_charities_give_their_contact_details():
    from portal.operations.demo import ORGANISATIONS, demo_data_load

    demo_data_load()
    for name in ORGANISATIONS:
        organisation = Organisation.objects.get(name=name)
        assert organisation.contact_phone.startswith("+44")
        assert organisation.contact_email.endswith(".example")
        assert organisation.contact_opening_hours
    # Loading the demo again keeps what a coordinator changed.
    Organisation.objects.filter(name=ORGANISATIONS[0]).update(contact_email="new@a.example")
    demo_data_load()
    assert Organisation.objects.get(name=ORGANISATIONS[0]).contact_email == "new@a.example"
