"""A register is taken only once its meeting has started (or the configured few minutes
before), never for a cancelled meeting, on the page and through the API alike; every
change of a mark is audited with its old and new value, who and when."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from peergroups.attendance import (
    MeetingCancelled,
    RegisterNotOpenYet,
    attendance_record,
    register_state,
)
from peergroups.models import Attendance, Session
from peergroups.services import booking_confirm, booking_offer
from portal.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def meeting(group, *, starts_in: timedelta, status="scheduled"):
    start = timezone.now() + starts_in
    return Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), status=status
    )


@pytest.fixture
def group_and_place(organisation_a, caseworker_a, facilitator_a):
    group = GroupFactory(organisation=organisation_a, title="Tuesday evening group")
    group.facilitators.add(facilitator_a)
    person = make_referral(organisation_a, full_name="Alex Example")
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=person, actor=caseworker_a)
    )
    return group, booking


def attendance_rows(session):
    return AuditEvent.objects.filter(
        target_type="peergroups.session",
        target_id=str(session.pk),
        detail__change="attendance_recorded",
    ).order_by("at", "pk")


def test_a_future_meeting_refuses_a_register_and_says_when_it_opens(group_and_place, facilitator_a):
    group, booking = group_and_place
    tomorrow = meeting(group, starts_in=timedelta(days=1))
    with pytest.raises(RegisterNotOpenYet) as refusal:
        attendance_record(session=tomorrow, booking=booking, status="attended", actor=facilitator_a)
    assert refusal.value.opens_at == tomorrow.starts_at - timedelta(minutes=15)
    assert "not open yet" in str(refusal.value) and "You can take it from" in str(refusal.value)
    assert not Attendance.objects.exists() and not attendance_rows(tomorrow).exists()


def test_the_register_opens_a_configurable_while_before_the_start(group_and_place, facilitator_a):
    group, booking = group_and_place
    soon = meeting(group, starts_in=timedelta(minutes=10))
    assert register_state(soon).is_open  # 15 minutes before, by default
    with override_settings(REGISTER_OPENS_BEFORE_MINUTES=5):
        assert not register_state(soon).is_open
        with pytest.raises(RegisterNotOpenYet):
            attendance_record(session=soon, booking=booking, status="attended", actor=facilitator_a)
    with override_settings(REGISTER_OPENS_BEFORE_MINUTES=0):
        started = meeting(group, starts_in=timedelta(minutes=-1))
        assert register_state(started).is_open


def test_a_cancelled_meeting_takes_no_register(group_and_place, facilitator_a):
    group, booking = group_and_place
    cancelled = meeting(group, starts_in=timedelta(hours=-2), status="cancelled")
    with pytest.raises(MeetingCancelled):
        attendance_record(
            session=cancelled, booking=booking, status="attended", actor=facilitator_a
        )
    assert not Attendance.objects.exists()


def test_every_change_is_audited_with_old_and_new_values_and_who(
    group_and_place, facilitator_a, coordinator_a
):
    group, booking = group_and_place
    past = meeting(group, starts_in=timedelta(hours=-2))
    attendance_record(session=past, booking=booking, status="apologies", actor=facilitator_a)
    # The same mark again is not a change: no new row.
    attendance_record(session=past, booking=booking, status="apologies", actor=facilitator_a)
    attendance_record(session=past, booking=booking, status="attended", actor=coordinator_a)
    rows = list(attendance_rows(past))
    assert [(r.detail["old"], r.detail["new"], r.actor_id) for r in rows] == [
        (None, "apologies", facilitator_a.pk),
        ("apologies", "attended", coordinator_a.pk),
    ]
    assert {r.detail["booking"] for r in rows} == {str(booking.pk)}
    assert {r.organisation_id for r in rows} == {group.organisation_id}
    mark = Attendance.objects.get()
    assert mark.status == "attended" and mark.recorded_by == coordinator_a


def test_the_page_refuses_a_future_register_with_no_form_and_says_when_it_opens(
    client, group_and_place, facilitator_a
):
    group, booking = group_and_place
    tomorrow = meeting(group, starts_in=timedelta(days=1))
    sign_in(client, facilitator_a)
    page = client.get(reverse("groups:session", kwargs={"session_id": tomorrow.pk}))
    content = page.content.decode()
    assert page.status_code == 200
    assert "The register for this meeting is not open yet" in content
    assert "You can take it from" in content
    assert "Alex Example" in content  # who to expect
    mark_url = reverse(
        "groups:attendance", kwargs={"session_id": tomorrow.pk, "booking_id": booking.pk}
    )
    assert mark_url not in content  # no register form is offered
    refused = client.post(mark_url, {"status": "attended"}, follow=True)
    assert "not open yet" in refused.content.decode()
    assert not Attendance.objects.exists()


def test_the_page_takes_a_started_meeting_register_and_shows_each_change(
    client, group_and_place, facilitator_a
):
    group, booking = group_and_place
    past = meeting(group, starts_in=timedelta(hours=-1))
    sign_in(client, facilitator_a)
    register = reverse("groups:session", kwargs={"session_id": past.pk})
    mark_url = reverse(
        "groups:attendance", kwargs={"session_id": past.pk, "booking_id": booking.pk}
    )
    assert mark_url in client.get(register).content.decode()
    client.post(mark_url, {"status": "no_show"})
    client.post(mark_url, {"status": "attended"})
    assert Attendance.objects.get().status == "attended"
    content = client.get(register).content.decode()
    assert "Changes to this mark (2)" in content
    assert "Did not attend changed to Attended by" in content
    assert attendance_rows(past).count() == 2


def test_a_cancelled_meeting_page_offers_no_register(client, group_and_place, facilitator_a):
    group, booking = group_and_place
    cancelled = meeting(group, starts_in=timedelta(hours=-1), status="cancelled")
    sign_in(client, facilitator_a)
    content = client.get(
        reverse("groups:session", kwargs={"session_id": cancelled.pk})
    ).content.decode()
    assert "This meeting was cancelled, so it has no register to take." in content
    assert (
        reverse("groups:attendance", kwargs={"session_id": cancelled.pk, "booking_id": booking.pk})
        not in content
    )


def test_the_api_refuses_a_future_register_with_a_clear_code(group_and_place, facilitator_a):
    group, booking = group_and_place
    tomorrow = meeting(group, starts_in=timedelta(days=1))
    client = sign_in(APIClient(), facilitator_a)
    response = client.put(
        f"/api/v1/sessions/{tomorrow.pk}/attendance/{booking.pk}/",
        {"status": "attended"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "register_not_open_yet" and body["status"] == 400
    assert "You can take it from" in body["message"]
    assert not Attendance.objects.exists()


def test_the_api_refuses_a_cancelled_meeting_and_audits_a_started_one(
    group_and_place, facilitator_a
):
    group, booking = group_and_place
    cancelled = meeting(group, starts_in=timedelta(hours=-1), status="cancelled")
    client = sign_in(APIClient(), facilitator_a)
    refused = client.put(
        f"/api/v1/sessions/{cancelled.pk}/attendance/{booking.pk}/",
        {"status": "attended"},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "meeting_cancelled"
    started = meeting(group, starts_in=timedelta(minutes=-5))
    url = f"/api/v1/sessions/{started.pk}/attendance/{booking.pk}/"
    assert client.put(url, {"status": "apologies"}, format="json").status_code == 200
    assert client.put(url, {"status": "attended"}, format="json").status_code == 200
    assert [(r.detail["old"], r.detail["new"]) for r in attendance_rows(started)] == [
        (None, "apologies"),
        ("apologies", "attended"),
    ]


def test_the_openapi_schema_describes_the_refusal(client, facilitator_a):
    sign_in(client, facilitator_a)
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "register_not_open_yet" in schema.content.decode()


def test_the_dashboard_offers_the_one_tap_register_only_once_it_opens(
    client, group_and_place, facilitator_a
):
    from tests.factories import session_today

    group, booking = group_and_place
    later = session_today(group, minutes_from_now=90)
    sign_in(client, facilitator_a)
    content = client.get(reverse("staff:dashboard")).content.decode()
    mark_url = reverse(
        "groups:attendance", kwargs={"session_id": later.pk, "booking_id": booking.pk}
    )
    if later.starts_at > timezone.now():  # near midnight the helper makes it already started
        assert mark_url not in content
        assert "The register opens at" in content
    Session.objects.filter(pk=later.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    content = client.get(reverse("staff:dashboard")).content.decode()
    assert mark_url in content and "The register opens at" not in content
