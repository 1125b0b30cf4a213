"""Outcome questionnaires: asked at the right points through the person's private page,
answered once, kept with the person's choice about reports; coordinators choose what to
ask and add their own; reports show change since intake for people who agreed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Attendance, Booking, Session
from portal.outcomes.models import OutcomeSchedule, Questionnaire, Response, TimePoint
from portal.outcomes.selectors import questionnaires_due
from portal.outcomes.services import OutcomeError, response_submit
from portal.reports.selectors import ReportFilters, funder_report
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.private_links import open_place_page
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def wellbeing(shipped_questionnaires):
    return shipped_questionnaires["ons4-wellbeing"]


@pytest.fixture
def asked(organisation_a, wellbeing):
    return OutcomeSchedule.objects.create(
        organisation=organisation_a, questionnaire=wellbeing, after_sessions=2
    )


def placed(organisation, *, state="confirmed"):
    person = make_referral(organisation)
    group = GroupFactory(organisation=organisation)
    booking = Booking.objects.create(
        group=group, referral=person, state=state, confirmed_at=timezone.now()
    )
    return person, booking


def attend(booking, facilitator, times):
    for day in range(times):
        start = timezone.now() - timedelta(days=7 * (day + 1))
        session = Session.objects.create(
            group=booking.group, starts_at=start, ends_at=start + timedelta(hours=1)
        )
        Attendance.objects.create(
            session=session, booking=booking, status="attended", recorded_by=facilitator
        )


def all_answers(questionnaire, value):
    return {question.pk: value for question in questionnaire.questions.all()}


def points(person):
    return [(d.questionnaire.key, d.time_point) for d in questionnaires_due(referral=person)]


def test_the_shipped_questionnaires_are_there_with_their_licence_lines(shipped_questionnaires):
    ons4 = Questionnaire.objects.get(key="ons4-wellbeing")
    loneliness = Questionnaire.objects.get(key="ons-loneliness")
    assert ons4.questions.count() == 4 and loneliness.questions.count() == 4
    assert "Open Government Licence" in ons4.licence_note
    anxious = ons4.questions.get(position=4)
    assert "anxious" in anxious.text and not anxious.higher_is_better
    assert anxious.values == set(range(11))


def test_questions_come_at_intake_after_sessions_and_at_exit(
    organisation_a, asked, wellbeing, facilitator_a
):
    waiting = make_referral(organisation_a)
    assert points(waiting) == []  # no place yet
    person, booking = placed(organisation_a)
    assert points(person) == [("ons4-wellbeing", TimePoint.INTAKE)]
    response_submit(
        referral=person,
        questionnaire=wellbeing,
        time_point=TimePoint.INTAKE,
        answers=all_answers(wellbeing, 5),
        consent_to_reports=True,
    )
    assert points(person) == []
    attend(booking, facilitator_a, 2)
    assert points(person) == [("ons4-wellbeing", TimePoint.MIDWAY)]
    Booking.objects.filter(pk=booking.pk).update(state="completed")
    assert ("ons4-wellbeing", TimePoint.EXIT) in points(person)
    with pytest.raises(OutcomeError):
        response_submit(
            referral=person,
            questionnaire=wellbeing,
            time_point=TimePoint.INTAKE,
            answers=all_answers(wellbeing, 5),
            consent_to_reports=True,
        )


def test_a_participant_answers_through_their_private_link(client, organisation_a, asked, wellbeing):
    person, _ = placed(organisation_a)
    page = open_place_page(client, person)
    url = reverse(
        "peergroups:participant-questionnaire",
        kwargs={"questionnaire_id": wellbeing.pk, "time_point": "intake"},
    )
    assert url in page.content.decode()
    form = client.get(url).content.decode()
    assert "how satisfied are you with your life nowadays" in form
    assert "Open Government Licence" in form

    questions = list(wellbeing.questions.all())
    partial = {f"question_{questions[0].pk}": "7"}
    refused = client.post(url, partial)
    assert refused.status_code == 400
    assert "Choose an answer to this question." in refused.content.decode()
    assert not Response.objects.exists()

    answers = {f"question_{q.pk}": str(n) for n, q in enumerate(questions, 3)}
    done = client.post(url, {**answers, "consent_to_reports": "on"})
    assert done.status_code == 302
    response = Response.objects.get(referral=person)
    assert response.consent_to_reports
    assert sorted(response.answers.values_list("value", flat=True)) == [3, 4, 5, 6]
    # Answered once: the link now says so rather than asking again.
    assert client.post(url, answers).status_code == 302
    assert Response.objects.count() == 1


def test_reports_show_change_since_intake_only_for_people_who_agreed(
    organisation_a, asked, wellbeing
):
    satisfied = wellbeing.questions.get(position=1)
    anxious = wellbeing.questions.get(position=4)
    for intake, exit_, consent in ((4, 6, True), (6, 9, True), (0, 0, False)):
        person, booking = placed(organisation_a)
        Booking.objects.filter(pk=booking.pk).update(state="completed")
        for point, value in ((TimePoint.INTAKE, intake), (TimePoint.EXIT, exit_)):
            response_submit(
                referral=person,
                questionnaire=wellbeing,
                time_point=point,
                answers=all_answers(wellbeing, value),
                consent_to_reports=consent,
            )
    today = timezone.localdate()
    rows = (
        funder_report(
            organisation=organisation_a,
            filters=ReportFilters(start=today - timedelta(days=30), end=today),
        )
        .tables["outcomes"]
        .rows
    )
    by_question = {row[0].split(": ", 1)[1]: row for row in rows}
    assert by_question[satisfied.text] == [
        f"{wellbeing.title}: {satisfied.text}",
        "When their place ends",
        2,
        5.0,
        7.5,
        2.5,
        "Better",
    ]
    assert by_question[anxious.text][5:] == [2.5, "Worse"]  # more anxious is worse


def test_a_coordinator_chooses_what_to_ask_and_adds_their_own(
    client, organisation_a, coordinator_a, wellbeing
):
    sign_in(client, coordinator_a)
    page = client.get(reverse("staff:outcomes", kwargs={"organisation_id": organisation_a.pk}))
    assert "How you have been feeling" in page.content.decode()
    prefix = str(wellbeing.pk)
    client.post(
        reverse(
            "staff:outcome-schedule",
            kwargs={"organisation_id": organisation_a.pk, "questionnaire_id": wellbeing.pk},
        ),
        {f"{prefix}-is_active": "on", f"{prefix}-at_intake": "on", f"{prefix}-after_sessions": "4"},
    )
    schedule = OutcomeSchedule.objects.get(organisation=organisation_a, questionnaire=wellbeing)
    assert schedule.is_active and schedule.after_sessions == 4 and not schedule.at_exit

    add = reverse("staff:questionnaire-add", kwargs={"organisation_id": organisation_a.pk})
    bad = client.post(add, {"title": "Our scale", "questions": "One?", "options": "nonsense"})
    assert bad.status_code == 400
    assert "Start each answer with its score" in bad.content.decode()
    client.post(
        add,
        {
            "title": "Our registered scale",
            "licence_note": "Scale © its owners, used under licence 1234.",
            "questions": "I have been feeling optimistic\nI have been feeling relaxed",
            "options": "\n".join(
                [
                    "1 None of the time",
                    "2 Rarely",
                    "3 Some of the time",
                    "4 Often",
                    "5 All the time",
                ]
            ),
            "higher_is_better": "on",
        },
    )
    own = Questionnaire.objects.get(organisation=organisation_a)
    assert own.questions.count() == 2 and own.questions.first().values == {1, 2, 3, 4, 5}


def test_another_organisations_questionnaire_cannot_be_scheduled(
    client, organisation_a, organisation_b, coordinator_b, coordinator_a
):
    from portal.outcomes.services import questionnaire_add

    theirs = questionnaire_add(
        organisation=organisation_a,
        key="private",
        title="Private",
        intro="",
        licence_note="",
        questions=["Q?"],
        options=[[1, "No"], [2, "Yes"]],
        higher_is_better=True,
        actor=coordinator_a,
    )
    sign_in(client, coordinator_b)
    response = client.post(
        reverse(
            "staff:outcome-schedule",
            kwargs={"organisation_id": organisation_b.pk, "questionnaire_id": theirs.pk},
        ),
        {f"{theirs.pk}-is_active": "on"},
    )
    assert response.status_code == 404
    assert not OutcomeSchedule.objects.exists()


def test_a_bad_schedule_is_explained_beside_the_field_and_what_was_typed_is_kept(
    client, organisation_a, coordinator_a, wellbeing
):
    sign_in(client, coordinator_a)
    prefix = str(wellbeing.pk)
    response = client.post(
        reverse(
            "staff:outcome-schedule",
            kwargs={"organisation_id": organisation_a.pk, "questionnaire_id": wellbeing.pk},
        ),
        {f"{prefix}-is_active": "on", f"{prefix}-after_sessions": "six"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page
    assert "Enter a whole number, like 6." in page
    assert f'href="#id_{prefix}-after_sessions"' in page  # the summary links to the field
    assert 'value="six"' in page
    assert not OutcomeSchedule.objects.filter(questionnaire=wellbeing).exists()
