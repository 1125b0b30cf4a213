"""Staff read groups, meetings and places, and record attendance, in their organisation."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from peergroups.models import Attendance, Session
from peergroups.services import booking_confirm, booking_offer
from portal.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_with_people(organisation_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a, title="Evening group", capacity=3)
    people = [make_referral(organisation_a) for _ in range(3)]
    bookings = [
        booking_confirm(booking=booking_offer(group=group, referral=p, actor=caseworker_a))
        for p in people
    ]
    start = timezone.now() - timedelta(hours=1)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    return group, session, bookings


def test_a_facilitator_records_attendance_through_the_api(facilitator_a, group_with_people):
    _, session, bookings = group_with_people
    client = sign_in(APIClient(), facilitator_a)
    register = client.get(f"/api/v1/sessions/{session.pk}/attendance/").json()
    assert [entry["attendance"] for entry in register] == [None, None, None]
    url = f"/api/v1/sessions/{session.pk}/attendance/{bookings[0].pk}/"
    response = client.put(url, {"status": "attended"}, format="json")
    assert response.status_code == 200 and response.json()["attendance"] == "attended"
    client.put(url, {"status": "apologies"}, format="json")
    assert Attendance.objects.get().status == "apologies"  # corrected, not duplicated
    bad = client.put(url, {"status": "maybe"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"
    assert AuditEvent.objects.filter(action="viewed", detail__page="api register").exists()
    # Each answer naming the person is audited, against them; the refused one is not.
    recorded = AuditEvent.objects.filter(action="viewed", detail__page="api attendance recorded")
    assert recorded.count() == 2
    assert {e.target_id for e in recorded} == {str(bookings[0].referral_id)}
    assert {e.actor_id for e in recorded} == {facilitator_a.pk}


def test_a_booking_from_another_group_is_404(facilitator_a, organisation_a, group_with_people):
    _, session, _ = group_with_people
    other_group = GroupFactory(organisation=organisation_a)
    person = make_referral(organisation_a)
    elsewhere = booking_confirm(
        booking=booking_offer(group=other_group, referral=person, actor=facilitator_a)
    )
    client = sign_in(APIClient(), facilitator_a)
    url = f"/api/v1/sessions/{session.pk}/attendance/{elsewhere.pk}/"
    assert client.put(url, {"status": "attended"}, format="json").status_code == 404


def test_group_lists_and_places(caseworker_a, group_with_people):
    group, session, bookings = group_with_people
    client = sign_in(APIClient(), caseworker_a)
    [listed] = client.get("/api/v1/groups/").json()["results"]
    assert listed["title"] == "Evening group" and listed["confirmed"] == 3
    places = client.get(f"/api/v1/groups/{group.pk}/bookings/").json()["results"]
    assert {p["id"] for p in places} == {str(b.pk) for b in bookings}
    sessions = client.get(f"/api/v1/groups/{group.pk}/sessions/").json()["results"]
    assert sessions[0]["id"] == str(session.pk)


@pytest.mark.parametrize("people", [3, 30])
def test_query_counts_do_not_grow_with_the_group(
    organisation_a, caseworker_a, people, django_assert_max_num_queries
):
    group = GroupFactory(organisation=organisation_a, capacity=40)
    for _ in range(people):
        booking_confirm(
            booking=booking_offer(
                group=group, referral=make_referral(organisation_a), actor=caseworker_a
            )
        )
    start = timezone.now()
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    client = sign_in(APIClient(), caseworker_a)
    with django_assert_max_num_queries(14):
        client.get(f"/api/v1/groups/{group.pk}/bookings/")
    with django_assert_max_num_queries(14):
        client.get(f"/api/v1/sessions/{session.pk}/attendance/")
    with django_assert_max_num_queries(12):
        client.get("/api/v1/groups/")
