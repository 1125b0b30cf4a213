"""Ending places: one person completes or leaves, or the whole course finishes. Only
confirmed places end; each change is on the referral's timeline and audited; leaving
passes the place to the waiting list; the "at exit" questions message is queued once and
goes by a safe channel; only the group's facilitators and the coordinators may do it;
the pages confirm before finishing a course and answer 404 to another organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Booking, Group, Session
from peergroups.places_ending import course_finish, place_end
from peergroups.services import PeerGroupError, booking_confirm, booking_offer
from portal.audit.models import AuditEvent
from portal.notifications.models import MessageLog
from portal.outcomes.models import OutcomeSchedule, Response
from referrals.models import ReferralEvent
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(organisation_a, caseworker_a, facilitator_a):
    """Three confirmed places of three, and one person waiting."""
    group = GroupFactory(organisation=organisation_a, capacity=3)
    group.facilitators.add(facilitator_a)
    start = timezone.now() + timedelta(days=3)
    Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    for _ in range(4):
        booking = booking_offer(
            group=group, referral=make_referral(organisation_a), actor=caseworker_a
        )
        if booking.state == Booking.State.OFFERED:
            booking_confirm(booking=booking)
    return group


@pytest.fixture
def exit_questions(organisation_a, shipped_questionnaires):
    wellbeing = shipped_questionnaires["ons4-wellbeing"]
    return OutcomeSchedule.objects.create(
        organisation=organisation_a, questionnaire=wellbeing, at_intake=False, at_exit=True
    )


def places(group, state):
    return list(Booking.objects.filter(group=group, state=state).order_by("confirmed_at"))


def test_a_person_who_leaves_frees_their_place_for_the_waiting_list(group, facilitator_a):
    leaving = places(group, "confirmed")[0]
    [waiting] = places(group, "waitlisted")

    place_end(booking=leaving, outcome="left", actor=facilitator_a)

    leaving.refresh_from_db()
    assert leaving.state == "left" and leaving.ended_at is not None
    assert Booking.objects.get(pk=waiting.pk).state == "offered"
    event = ReferralEvent.objects.filter(referral=leaving.referral).latest("at")
    assert event.detail == {"booking": str(leaving.pk), "place": "left"}
    assert event.actor == facilitator_a
    audit = AuditEvent.objects.filter(action="changed", target_id=str(leaving.referral_id)).latest(
        "at"
    )
    assert audit.detail["place"] == "left" and audit.actor == facilitator_a


def test_completing_a_place_in_a_closed_course_offers_it_to_no_one(group, coordinator_a):
    group.cohort = Group.Cohort.CLOSED
    group.save()
    finishing = places(group, "confirmed")[0]
    place_end(booking=finishing, outcome="completed", actor=coordinator_a)
    assert Booking.objects.get(pk=finishing.pk).state == "completed"
    assert len(places(group, "waitlisted")) == 1


def test_only_a_confirmed_place_can_end(group, facilitator_a):
    [waiting] = places(group, "waitlisted")
    with pytest.raises(PeerGroupError, match="Only a confirmed place"):
        place_end(booking=waiting, outcome="completed", actor=facilitator_a)
    ended = places(group, "confirmed")[0]
    place_end(booking=ended, outcome="completed", actor=facilitator_a)
    with pytest.raises(PeerGroupError, match="Only a confirmed place"):
        place_end(booking=ended, outcome="left", actor=facilitator_a)
    with pytest.raises(PeerGroupError, match="completed or left"):
        place_end(booking=places(group, "confirmed")[0], outcome="cancelled", actor=facilitator_a)


def test_only_the_groups_facilitators_and_coordinators_end_places(
    group, caseworker_a, organisation_a, coordinator_b
):
    from portal.organisations.roles import Role
    from tests.conftest import _member

    other_facilitator = _member(organisation_a, Role.FACILITATOR, "other@a.example")
    place = places(group, "confirmed")[0]
    for actor in (caseworker_a, other_facilitator, coordinator_b):
        with pytest.raises(PeerGroupError, match="facilitators or a coordinator"):
            place_end(booking=place, outcome="completed", actor=actor)
    assert Booking.objects.get(pk=place.pk).state == "confirmed"


def test_finishing_the_course_marks_everyone_shown_completed_at_once(group, facilitator_a):
    confirmed = places(group, "confirmed")
    finished = course_finish(
        group=group, expected=[str(p.pk) for p in confirmed], actor=facilitator_a
    )
    assert {p.pk for p in finished} == {p.pk for p in confirmed}
    assert len(places(group, "completed")) == 3
    assert len({p.ended_at for p in places(group, "completed")}) == 1
    assert ReferralEvent.objects.filter(detail__place="completed", actor=facilitator_a).count() == 3


def test_finishing_the_course_changes_nothing_if_the_places_changed_meanwhile(group, facilitator_a):
    confirmed = places(group, "confirmed")
    shown = [str(p.pk) for p in confirmed]
    place_end(booking=confirmed[0], outcome="left", actor=facilitator_a)
    with pytest.raises(PeerGroupError, match="changed since the list was shown"):
        course_finish(group=group, expected=shown, actor=facilitator_a)
    assert places(group, "completed") == []


def test_the_exit_questions_message_is_queued_once_and_reaches_the_person_safely(
    group, facilitator_a, exit_questions, django_capture_on_commit_callbacks
):
    place = places(group, "confirmed")[0]
    with django_capture_on_commit_callbacks():
        place_end(booking=place, outcome="completed", actor=facilitator_a)
    [log] = MessageLog.objects.filter(template="questions_at_exit")
    assert log.recipient_id == str(place.referral_id)
    assert log.context == {"referral_id": str(place.referral_id), "booking_id": str(place.pk)}
    deliver_all()
    log.refresh_from_db()
    assert log.status == "sent" and log.channel == "email"
    [message] = [m for m in mail.outbox if m.subject == "A few optional questions"]
    assert "/support/" in message.body and "up to you" in message.body
    assert group.title not in message.body


def test_leaving_asks_the_exit_questions_too_and_none_goes_once_answered(
    group, facilitator_a, exit_questions
):
    place = places(group, "confirmed")[0]
    place_end(booking=place, outcome="left", actor=facilitator_a)
    [log] = MessageLog.objects.filter(template="questions_at_exit")
    Response.objects.create(
        organisation=group.organisation,
        questionnaire=exit_questions.questionnaire,
        referral=place.referral,
        time_point="exit",
        consent_to_reports=False,
    )
    deliver_all()
    log.refresh_from_db()
    assert log.status == "refused" and "answered" in log.reason


def test_no_message_without_exit_questions_or_for_someone_who_stopped_contact(
    group, facilitator_a, organisation_a, exit_questions
):
    exit_questions.at_exit = False
    exit_questions.save()
    place_end(booking=places(group, "confirmed")[0], outcome="completed", actor=facilitator_a)
    assert not MessageLog.objects.filter(template="questions_at_exit").exists()

    exit_questions.at_exit = True
    exit_questions.save()
    stopped = places(group, "confirmed")[0]
    stopped.referral.consent_withdrawn_at = timezone.now()
    stopped.referral.save(update_fields=["consent_withdrawn_at"])
    place_end(booking=stopped, outcome="completed", actor=facilitator_a)
    assert not MessageLog.objects.filter(template="questions_at_exit").exists()


# --- Pages ------------------------------------------------------------------------------


def test_the_group_page_offers_each_ending_and_lists_ended_places(client, group, facilitator_a):
    sign_in(client, facilitator_a)
    place = places(group, "confirmed")[0]
    page = client.get(reverse("groups:detail", kwargs={"group_id": group.pk})).content.decode()
    assert "Completed the course" in page and "Left the group" in page
    assert reverse("groups:course-finish", kwargs={"group_id": group.pk}) in page
    response = client.post(
        reverse("groups:place-end", kwargs={"group_id": group.pk, "booking_id": place.pk}),
        {"outcome": "left"},
        follow=True,
    )
    page = response.content.decode()
    assert "has left the group" in page
    assert "Places that have ended" in page and "left the group on" in page


def test_a_caseworker_sees_no_ending_buttons_and_is_refused(client, group, caseworker_a):
    sign_in(client, caseworker_a)
    place = places(group, "confirmed")[0]
    page = client.get(reverse("groups:detail", kwargs={"group_id": group.pk})).content.decode()
    assert "Completed the course" not in page
    response = client.post(
        reverse("groups:place-end", kwargs={"group_id": group.pk, "booking_id": place.pk}),
        {"outcome": "completed"},
        follow=True,
    )
    assert "facilitators or a coordinator" in response.content.decode()
    assert Booking.objects.get(pk=place.pk).state == "confirmed"


def test_finishing_the_course_lists_who_and_needs_the_box_ticked(client, group, facilitator_a):
    sign_in(client, facilitator_a)
    url = reverse("groups:course-finish", kwargs={"group_id": group.pk})
    confirmed = places(group, "confirmed")
    page = client.get(url).content.decode()
    for place in confirmed:
        assert place.referral.reference in page
    assert "Mark all 3 completed" in page
    shown = {"place": [str(p.pk) for p in confirmed]}
    refused = client.post(url, shown)
    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    assert places(group, "completed") == []
    done = client.post(url, {**shown, "confirm": "yes"}, follow=True)
    assert "Course finished: 3 places marked completed" in done.content.decode()
    assert len(places(group, "completed")) == 3


def test_another_organisation_gets_404(client, group, coordinator_b):
    sign_in(client, coordinator_b)
    place = places(group, "confirmed")[0]
    finish = reverse("groups:course-finish", kwargs={"group_id": group.pk})
    assert client.get(finish).status_code == 404
    assert client.post(finish, {"confirm": "yes", "place": [str(place.pk)]}).status_code == 404
    end = reverse("groups:place-end", kwargs={"group_id": group.pk, "booking_id": place.pk})
    assert client.post(end, {"outcome": "left"}).status_code == 404
    assert Booking.objects.get(pk=place.pk).state == "confirmed"


@pytest.mark.parametrize("people", [3, 20])
def test_the_pages_run_a_bounded_number_of_queries(
    client, organisation_a, caseworker_a, facilitator_a, django_assert_max_num_queries, people
):
    group = GroupFactory(organisation=organisation_a, capacity=50)
    group.facilitators.add(facilitator_a)
    for n in range(people):
        Booking.objects.create(
            group=group,
            referral=make_referral(organisation_a),
            state="confirmed" if n % 2 else "completed",
            confirmed_at=timezone.now(),
            ended_at=None if n % 2 else timezone.now(),
        )
    sign_in(client, facilitator_a)
    with django_assert_max_num_queries(12):
        assert (
            client.get(reverse("groups:detail", kwargs={"group_id": group.pk})).status_code == 200
        )
    with django_assert_max_num_queries(10):
        response = client.get(reverse("groups:course-finish", kwargs={"group_id": group.pk}))
        assert response.status_code == 200
