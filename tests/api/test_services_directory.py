"""The services a caller may refer to, in the Open Referral UK shape."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from peergroups.models import Schedule, Session, Venue
from tests.api.conftest import referral_body
from tests.conftest import sign_in
from tests.factories import GroupFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_services_list_partner_organisations_with_schedules_and_no_addresses(
    partner, organisation_a, organisation_b
):
    organisation_a.service_area = "Northshire"
    organisation_a.save()
    venue = Venue.objects.create(
        organisation=organisation_a, name="Community hall", address="1 Secret Street, AB1 2CD"
    )
    group = GroupFactory(
        organisation=organisation_a, title="Tuesday group", format="in_person", venue=venue
    )
    Schedule.objects.create(
        group=group,
        rule=Schedule.Rule.FORTNIGHTLY,
        start_date=date(2026, 12, 1),
        start_time=time(19, 0),
        duration_minutes=90,
    )
    start = timezone.now() + timedelta(days=2)
    Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    GroupFactory(organisation=organisation_b, title="Not a partner's group")

    response = partner.get("/api/v1/services/")
    assert response.status_code == 200
    page = response.json()
    assert page["total_items"] == 1 and page["first_page"] and page["last_page"]
    [service] = page["contents"]
    assert service["organization"]["name"] == organisation_a.name
    assert service["referral_organisation_slug"] == organisation_a.slug
    assert service["status"] == "active"
    assert service["service_areas"][0]["name"] == "Northshire"
    assert service["attending_types"] == ["in_person"]
    [schedule] = service["schedules"]
    assert schedule["freq"] == "WEEKLY" and schedule["interval"] == 2
    assert schedule["byday"] == "TU"
    assert (schedule["opens_at"], schedule["closes_at"]) == ("19:00", "20:30")
    assert len(schedule["upcoming"]) == 1
    assert "Secret Street" not in response.content.decode()
    assert "Not a partner" not in response.content.decode()


def test_a_key_lists_only_the_organisation_it_refers_to(partner, organisation_a, police_agency):
    """Another organisation that also takes this agency's referrals did not issue the key:
    the key cannot refer there, so it is not told that organisation exists."""
    elsewhere = OrganisationFactory(name="Organisation X")
    elsewhere.partner_agencies.add(police_agency)
    GroupFactory(organisation=elsewhere, title="Organisation X's group")

    response = partner.get("/api/v1/services/")
    assert [s["name"] for s in response.json()["contents"]] == [organisation_a.name]
    assert "Organisation X" not in response.content.decode()


def test_a_key_lists_exactly_where_it_can_send_a_referral(partner, organisation_a, police_agency):
    """One rule decides both: every service listed takes the key's referral, and an
    organisation left out refuses it."""
    elsewhere = OrganisationFactory(name="Organisation X")
    elsewhere.partner_agencies.add(police_agency)
    listed = {
        s["referral_organisation_slug"] for s in partner.get("/api/v1/services/").json()["contents"]
    }
    for slug in (organisation_a.slug, elsewhere.slug):
        response = partner.post(
            "/api/v1/referrals/", {**referral_body(), "organisation": slug}, format="json"
        )
        assert (response.status_code == 201) == (slug in listed), (slug, response.json())


def test_a_key_lists_nothing_once_its_organisation_stops_taking_the_agencys_referrals(
    partner, organisation_a, police_agency
):
    organisation_a.partner_agencies.remove(police_agency)
    assert partner.get("/api/v1/services/").json()["total_items"] == 0


def test_a_referrer_lists_every_organisation_taking_their_agencys_referrals(
    client, referrer, organisation_a, organisation_b, police_agency
):
    organisation_b.partner_agencies.add(police_agency)
    OrganisationFactory(name="Not a partner")
    sign_in(client, referrer)
    response = client.get("/api/v1/services/")
    names = [service["name"] for service in response.json()["contents"]]
    assert names == sorted([organisation_a.name, organisation_b.name])


def test_the_directory_runs_a_fixed_number_of_queries(
    client, referrer, police_agency, django_assert_max_num_queries
):
    for n in range(8):
        extra = OrganisationFactory(name=f"Partner {n}")
        extra.partner_agencies.add(police_agency)
        for _ in range(3):
            GroupFactory(organisation=extra)
    sign_in(client, referrer)
    client.get("/api/v1/services/")  # the session's memberships are read once, first
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/services/")
    assert response.json()["total_items"] == 9
