"""Each role's dashboard: a caseworker's queue and deadlines, a facilitator's meetings
with rosters and a one-tap register, a coordinator's key figures; nothing from another
organisation; the same number of queries however much data there is."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Attendance, Booking, Session
from portal.audit.models import AuditEvent
from referrals.models import Referral
from referrals.services import referral_assign
from tests.conftest import sign_in
from tests.factories import GroupFactory, session_today
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("staff:dashboard")


def due(referral, days_from_today):
    Referral.objects.filter(pk=referral.pk).update(
        first_contact_due=timezone.localdate() + timedelta(days=days_from_today)
    )


def test_a_caseworker_sees_their_queue_and_first_contact_deadlines(
    client, organisation_a, organisation_b, caseworker_a
):
    mine = make_referral(organisation_a)
    referral_assign(referral=mine, assignee=caseworker_a, actor=caseworker_a)
    today = make_referral(organisation_a)
    due(today, 0)
    late = make_referral(organisation_a)
    due(late, -2)
    elsewhere = make_referral(organisation_b)
    due(elsewhere, -2)
    sign_in(client, caseworker_a)
    content = client.get(DASHBOARD).content.decode()
    assert 'Assigned to you <span class="dashboard-card__count">(1)</span>' in content
    assert 'First contact due today <span class="dashboard-card__count">(1)</span>' in content
    assert 'First contact overdue <span class="dashboard-card__count">(1)</span>' in content
    for referral in (mine, today, late):
        assert referral.reference in content
    assert elsewhere.reference not in content
    assert "Recent activity" in content and "assigned by" in content


def test_a_facilitator_takes_the_register_from_the_dashboard(
    client, organisation_a, caseworker_a, facilitator_a
):
    group = GroupFactory(organisation=organisation_a, title="Thursday group")
    group.facilitators.add(facilitator_a)
    other_group = GroupFactory(organisation=organisation_a, title="Someone else's group")
    person = make_referral(organisation_a, full_name="Sam Participant")
    booking = Booking.objects.create(
        group=group, referral=person, state="confirmed", confirmed_at=timezone.now()
    )
    # Starting in 5 minutes: its register is open (from 15 minutes before the start).
    session = session_today(group, minutes_from_now=5)
    session_today(other_group, minutes_from_now=5)

    sign_in(client, facilitator_a)
    content = client.get(DASHBOARD).content.decode()
    assert "Thursday group" in content and "Sam Participant" in content
    assert "Someone else&#x27;s group" not in content  # only the groups they run
    assert AuditEvent.objects.filter(actor=facilitator_a, detail__page="dashboard").exists()

    response = client.post(
        reverse("groups:attendance", kwargs={"session_id": session.pk, "booking_id": booking.pk}),
        {"status": "attended", "return_to": "dashboard"},
    )
    assert response["Location"] == f"{DASHBOARD}#booking-{session.pk}-{booking.pk}"
    assert Attendance.objects.get(session=session, booking=booking).status == "attended"
    assert "<strong>Attended</strong>" in client.get(DASHBOARD).content.decode()


def test_a_coordinator_sees_key_figures_for_their_organisation(
    client, organisation_a, coordinator_a
):
    make_referral(organisation_a)
    make_referral(organisation_a)
    sign_in(client, coordinator_a)
    content = client.get(DASHBOARD).content.decode()
    assert "Organisation A: the last 30 days" in content
    assert '<span class="key-figures__value">2</span> referrals received' in content
    assert '<span class="key-figures__value">2</span> open referrals' in content


def test_the_dashboard_runs_the_same_number_of_queries_with_more_data(
    client, organisation_a, coordinator_a, facilitator_a
):
    group = GroupFactory(organisation=organisation_a)
    group.facilitators.add(coordinator_a)
    start = timezone.now() + timedelta(hours=1)
    Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))

    def add_people(n):
        for _ in range(n):
            person = make_referral(organisation_a)
            referral_assign(referral=person, assignee=coordinator_a, actor=coordinator_a)
            Booking.objects.create(
                group=group, referral=person, state="confirmed", confirmed_at=timezone.now()
            )

    sign_in(client, coordinator_a)
    add_people(2)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    add_people(20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert len(many) == len(few)


def test_a_coordinator_gets_rosters_only_for_groups_they_run_and_a_list_of_the_rest(
    client, organisation_a, organisation_b, coordinator_a
):
    theirs = GroupFactory(organisation=organisation_a, title="Coordinator's own group")
    theirs.facilitators.add(coordinator_a)
    session_today(theirs, minutes_from_now=60)
    someone_elses = GroupFactory(organisation=organisation_a, title="Tuesday partners")
    person = make_referral(organisation_a, full_name="Robin Private")
    Booking.objects.create(
        group=someone_elses, referral=person, state="confirmed", confirmed_at=timezone.now()
    )
    other_meeting = session_today(someone_elses, minutes_from_now=90)
    session_today(GroupFactory(organisation=organisation_b, title="Elsewhere group"))

    sign_in(client, coordinator_a)
    content = client.get(DASHBOARD).content.decode()
    assert "Coordinator&#x27;s own group" in content
    assert "Other meetings this week" in content and "(1)" in content
    assert "Tuesday partners</a>, 1 place taken" in content
    assert "Robin Private" not in content  # a list of meetings, not of people
    assert "Elsewhere group" not in content
    register = reverse("groups:session", kwargs={"session_id": other_meeting.pk})
    assert f'href="{register}"' in content and client.get(register).status_code == 200


def test_the_other_meetings_list_is_bounded_and_costs_the_same_whatever_their_number(
    client, organisation_a, coordinator_a
):
    from portal.staff.dashboards import LIST_LIMIT

    def add_meetings(n):
        for _ in range(n):
            session_today(GroupFactory(organisation=organisation_a), minutes_from_now=120)

    sign_in(client, coordinator_a)
    add_meetings(2)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    add_meetings(LIST_LIMIT + 3)
    with CaptureQueriesContext(connection) as many:
        content = client.get(DASHBOARD).content.decode()
    assert len(many) == len(few)
    assert f'Other meetings this week <span class="dashboard-card__count">({LIST_LIMIT + 5})' in (
        content
    )
    assert content.count("place") >= LIST_LIMIT and "See all groups" in content
