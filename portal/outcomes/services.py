"""Recording answers, and an organisation's questionnaires and when it asks them."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.organisations.models import Organisation
from portal.organisations.permissions import require_coordinator
from referrals.models import Referral

from .models import Answer, OutcomeSchedule, Question, Questionnaire, Response
from .selectors import questionnaires_due


class OutcomeError(Exception):
    """The message is safe to show to the person answering."""


def response_submit(
    *,
    referral: Referral,
    questionnaire: Questionnaire,
    time_point: str,
    answers: dict[int, int],
    consent_to_reports: bool,
) -> Response:
    """Save one person's answers; each questionnaire is answered once at each point."""
    due = {(d.questionnaire.pk, d.time_point) for d in questionnaires_due(referral=referral)}
    if (questionnaire.pk, time_point) not in due:
        raise OutcomeError("These questions have already been answered, or are not due yet.")
    questions = list(questionnaire.questions.all())
    for question in questions:
        if answers.get(question.pk) not in question.values:
            raise OutcomeError("Choose an answer to every question.")
    try:
        with transaction.atomic():
            response = Response.objects.create(
                organisation=referral.organisation,
                questionnaire=questionnaire,
                referral=referral,
                time_point=time_point,
                consent_to_reports=consent_to_reports,
            )
            Answer.objects.bulk_create(
                Answer(response=response, question=question, value=answers[question.pk])
                for question in questions
            )
    except IntegrityError as error:
        raise OutcomeError("These questions have already been answered.") from error
    return response


@transaction.atomic
def schedule_set(
    *,
    organisation: Organisation,
    questionnaire: Questionnaire,
    is_active: bool,
    at_intake: bool,
    after_sessions: int | None,
    at_exit: bool,
    actor: User,
    request=None,
) -> OutcomeSchedule:
    require_coordinator(actor, organisation, refusal=OutcomeError)
    if questionnaire.organisation_id not in (None, organisation.pk):
        raise OutcomeError("That questionnaire belongs to another organisation.")
    schedule, _ = OutcomeSchedule.objects.update_or_create(
        organisation=organisation,
        questionnaire=questionnaire,
        defaults={
            "is_active": is_active,
            "at_intake": at_intake,
            "after_sessions": after_sessions,
            "at_exit": at_exit,
        },
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=organisation,
        detail={"change": "outcome schedule set", "questionnaire": questionnaire.key},
    )
    return schedule


@transaction.atomic
def questionnaire_add(
    *,
    organisation: Organisation,
    key: str,
    title: str,
    intro: str,
    licence_note: str,
    questions: list[str],
    options: list[list],
    higher_is_better: bool,
    actor: User,
    request=None,
) -> Questionnaire:
    """An organisation's own questionnaire, such as a licensed scale it has registered for."""
    require_coordinator(actor, organisation, refusal=OutcomeError)
    try:
        with transaction.atomic():
            questionnaire = Questionnaire.objects.create(
                organisation=organisation,
                key=key,
                title=title,
                intro=intro,
                licence_note=licence_note,
                created_by=actor,
            )
    except IntegrityError as error:
        raise OutcomeError("You already have a questionnaire with that title.") from error
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            position=position,
            text=text,
            options=options,
            higher_is_better=higher_is_better,
        )
        for position, text in enumerate(questions, 1)
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=organisation,
        detail={"change": "questionnaire added", "questionnaire": key},
    )
    return questionnaire
