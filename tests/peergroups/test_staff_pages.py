"""Staff pages for groups: scope, register, schedule and offers, with bounded queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Attendance, Booking, Session
from peergroups.services import booking_confirm, booking_offer
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def make_session(group, days=2):
    start = timezone.now() + timedelta(days=days)
    return Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


@pytest.fixture
def busy_group(organisation_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a, capacity=3)
    session = make_session(group)
    bookings = [
        booking_offer(group=group, referral=make_referral(organisation_a), actor=caseworker_a)
        for _ in range(5)
    ]
    for booking in bookings[:3]:
        booking_confirm(booking=booking)
    return group, session, bookings


def test_another_organisation_gets_404_everywhere(client, busy_group, caseworker_b, organisation_a):
    group, session, bookings = busy_group
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_b)
    gets = [
        reverse("groups:detail", kwargs={"group_id": group.pk}),
        reverse("groups:schedule", kwargs={"group_id": group.pk}),
        reverse("groups:session", kwargs={"session_id": session.pk}),
        reverse("groups:offer", kwargs={"referral_id": referral.pk}),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        reverse(
            "groups:place-action",
            kwargs={"group_id": group.pk, "booking_id": bookings[0].pk, "action": "cancel"},
        ),
        reverse(
            "groups:attendance", kwargs={"session_id": session.pk, "booking_id": bookings[0].pk}
        ),
        reverse("groups:session-cancel", kwargs={"session_id": session.pk}),
    ]
    for url in posts:
        assert client.post(url, {"status": "attended", "confirm": "yes"}).status_code == 404, url
    assert Booking.objects.get(pk=bookings[0].pk).state == "confirmed"
    assert not Attendance.objects.exists()
    assert Session.objects.get(pk=session.pk).status == "scheduled"
    assert group.title not in client.get(reverse("groups:list")).content.decode()


def test_attendance_is_saved_in_one_click_per_person(client, busy_group, facilitator_a):
    group, _, bookings = busy_group
    session = make_session(group, days=0)  # a register opens once its meeting starts
    sign_in(client, facilitator_a)
    url = reverse(
        "groups:attendance", kwargs={"session_id": session.pk, "booking_id": bookings[0].pk}
    )
    assert client.post(url, {"status": "attended"}).status_code == 302
    client.post(url, {"status": "apologies"})
    assert Attendance.objects.get().status == "apologies"
    # Only confirmed people have attendance; nonsense statuses are refused.
    waiting = reverse(
        "groups:attendance", kwargs={"session_id": session.pk, "booking_id": bookings[4].pk}
    )
    response = client.post(waiting, {"status": "attended"}, follow=True)
    assert "Only confirmed participants" in response.content.decode()
    response = client.post(url, {"status": "partied"}, follow=True)
    assert "Choose attended, apologies or did not attend." in response.content.decode()


def test_the_register_shows_safe_contact_flags_and_access_needs(
    client, organisation_a, caseworker_a, facilitator_a
):
    group = GroupFactory(organisation=organisation_a)
    session = make_session(group)
    person = make_referral(organisation_a, accessibility_needs="Needs captions")
    person.safe_contact.shares_device_with_person = True
    person.safe_contact.save()
    booking_confirm(booking=booking_offer(group=group, referral=person, actor=caseworker_a))
    sign_in(client, facilitator_a)
    content = client.get(
        reverse("groups:session", kwargs={"session_id": session.pk})
    ).content.decode()
    assert "Needs captions" in content and "Shares a device" in content


def test_a_schedule_that_makes_no_dates_or_starts_in_the_past_is_explained(
    client, organisation_a, facilitator_a
):
    group = GroupFactory(organisation=organisation_a)
    sign_in(client, facilitator_a)
    url = reverse("groups:schedule", kwargs={"group_id": group.pk})
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "rule": "weekly",
            "start_date": today - timedelta(days=3),
            "start_time": "19:00",
            "duration_minutes": 90,
            "occurrences": 4,
        },
    )
    assert "cannot be in the past" in response.content.decode()
    response = client.post(
        url,
        {
            "rule": "fixed_dates",
            "start_date": today + timedelta(days=1),
            "start_time": "19:00",
            "duration_minutes": 90,
        },
    )
    assert "no session dates" in response.content.decode()
    response = client.post(
        url,
        {
            "rule": "weekly",
            "start_date": today + timedelta(days=1),
            "start_time": "19:00",
            "duration_minutes": 90,
            "occurrences": 4,
        },
    )
    assert response.status_code == 302
    assert Session.objects.filter(group=group).count() == 4


def test_offering_a_place_from_the_referral_page(
    client, organisation_a, organisation_b, caseworker_a
):
    group = GroupFactory(organisation=organisation_a)
    other = GroupFactory(organisation=organisation_b)
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    url = reverse("groups:offer", kwargs={"referral_id": referral.pk})
    assert other.title not in client.get(url).content.decode()
    response = client.post(url, {"group": other.pk})
    assert "Choose one of the groups listed." in response.content.decode()
    assert client.post(url, {"group": group.pk}).status_code == 302
    assert Booking.objects.get().state == "offered"


@pytest.mark.parametrize("people", [3, 20])
def test_group_and_register_pages_run_a_bounded_number_of_queries(
    client, organisation_a, caseworker_a, django_assert_max_num_queries, people
):
    group = GroupFactory(organisation=organisation_a, capacity=50)
    sessions = [make_session(group, days=d) for d in range(1, 6)]
    for _ in range(people):
        booking = booking_confirm(
            booking=booking_offer(
                group=group, referral=make_referral(organisation_a), actor=caseworker_a
            )
        )
        for session in sessions[:2]:
            Attendance.objects.create(
                session=session, booking=booking, status="attended", recorded_by=caseworker_a
            )
    sign_in(client, caseworker_a)
    with django_assert_max_num_queries(10):
        assert (
            client.get(reverse("groups:detail", kwargs={"group_id": group.pk})).status_code == 200
        )
    with django_assert_max_num_queries(10):
        assert (
            client.get(reverse("groups:session", kwargs={"session_id": sessions[0].pk})).status_code
            == 200
        )
    with django_assert_max_num_queries(10):
        assert client.get(reverse("groups:list")).status_code == 200


def test_capacity_cannot_drop_below_confirmed_places(client, busy_group, facilitator_a):
    group, _, _ = busy_group
    sign_in(client, facilitator_a)
    url = reverse("groups:edit", kwargs={"group_id": group.pk})
    data = {
        "title": group.title,
        "audience": group.audience,
        "format": "zoom",
        "capacity": 2,
        "cohort": "rolling",
        "offer_hours": 48,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "3 people already have confirmed places" in response.content.decode()
    group.refresh_from_db()
    assert group.capacity == 3
    # Raising it offers the new place to the first person waiting.
    assert client.post(url, dict(data, capacity=4)).status_code == 302
    assert Booking.objects.filter(group=group, state="offered").count() == 1


def test_a_group_and_a_venue_can_be_added(client, organisation_a, facilitator_a):
    sign_in(client, facilitator_a)
    response = client.post(reverse("groups:venue-new"), {"name": "Hall", "address": "1 Road"})
    assert response.status_code == 302
    from peergroups.models import Group, Venue

    venue = Venue.objects.get()
    data = {
        "title": "Thursday group",
        "audience": "parents",
        "format": "in_person",
        "capacity": 8,
        "cohort": "closed",
        "offer_hours": 48,
    }
    response = client.post(reverse("groups:new"), data)
    assert "An in-person group needs a venue." in response.content.decode()
    response = client.post(
        reverse("groups:new"), dict(data, venue=venue.pk, facilitators=[facilitator_a.pk])
    )
    group = Group.objects.get(title="Thursday group")
    assert response["Location"] == reverse("groups:detail", kwargs={"group_id": group.pk})
    assert group.organisation == organisation_a and list(group.facilitators.all()) == [
        facilitator_a
    ]
    response = client.post(reverse("groups:new"), dict(data, capacity=0))
    assert "between 1 and 50" in response.content.decode()


def test_joining_details_can_be_entered_by_hand(client, busy_group, facilitator_a):
    _, session, _ = busy_group
    sign_in(client, facilitator_a)
    url = reverse("groups:joining-details", kwargs={"session_id": session.pk})
    response = client.post(url, {"join_url": "not a link"}, follow=True)
    assert "Enter a full web address" in response.content.decode()
    client.post(url, {"join_url": "https://zoom.example/j/9", "passcode": "x1"})
    session.refresh_from_db()
    assert session.join_url == "https://zoom.example/j/9" and session.passcode == "x1"


def test_moving_the_schedule_tells_everyone_confirmed_once(
    organisation_a, caseworker_a, facilitator_a, django_capture_on_commit_callbacks
):
    from datetime import time

    from django.core import mail

    from peergroups.scheduling import ScheduleSpec
    from peergroups.services import schedule_apply

    group = GroupFactory(organisation=organisation_a, format="in_person")
    start = timezone.localdate() + timedelta(days=3)
    schedule_apply(
        group=group,
        spec=ScheduleSpec("weekly", start, time(19), 90, occurrences=3),
        actor=facilitator_a,
    )
    for _ in range(2):
        booking_confirm(
            booking=booking_offer(
                group=group,
                referral=make_referral(organisation_a, format_preference="in_person"),
                actor=caseworker_a,
            )
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        schedule_apply(
            group=group,
            spec=ScheduleSpec("weekly", start, time(18), 90, occurrences=3),
            actor=facilitator_a,
        )
    assert [m.subject for m in mail.outbox] == ["Your meeting times have changed"] * 2


def test_the_group_list_shows_a_page_at_a_time(client, organisation_a, facilitator_a):
    from peergroups.views_staff import LIST_PAGE_SIZE

    groups = [
        GroupFactory(organisation=organisation_a, title=f"Group {n:03d}")
        for n in range(LIST_PAGE_SIZE + 3)
    ]
    groups[-1].facilitators.add(facilitator_a)
    sign_in(client, facilitator_a)

    first = client.get(reverse("groups:list")).content.decode()
    second = client.get(reverse("groups:list"), {"page": 2}).content.decode()

    assert "Group 000" in first and f"Group {LIST_PAGE_SIZE:03d}" not in first
    assert f"Group {LIST_PAGE_SIZE:03d}" in second and "Group 000" not in second
    assert "Page 1 of 2" in first
    # The groups someone facilitates are listed above, whichever page they are on.
    assert first.count(f"Group {LIST_PAGE_SIZE + 2:03d}") == 1
