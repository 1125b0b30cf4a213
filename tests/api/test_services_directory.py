"""The services a caller may refer to, in the Open Referral UK shape."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from peergroups.models import Schedule, Session, Venue
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


def test_the_directory_runs_a_fixed_number_of_queries(
    partner, organisation_a, police_agency, django_assert_max_num_queries
):
    for n in range(8):
        extra = OrganisationFactory(name=f"Partner {n}")
        extra.partner_agencies.add(police_agency)
        for _ in range(3):
            GroupFactory(organisation=extra)
    with django_assert_max_num_queries(12):
        response = partner.get("/api/v1/services/")
    assert response.json()["total_items"] == 9
