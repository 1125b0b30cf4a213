"""Short questionnaires people answer at points in their support, and their answers.

The portal ships the ONS personal wellbeing questions and the ONS-recommended loneliness
questions for every organisation. An organisation adds its own, such as a licensed scale
it has registered for, with the copyright line the licence asks for on every copy.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class TimePoint(models.TextChoices):
    INTAKE = "intake", "When a place is confirmed"
    MIDWAY = "midway", "After a number of sessions"
    EXIT = "exit", "When their place ends"


class Questionnaire(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # None: shipped with the portal for every organisation.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questionnaires",
    )
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=150)
    intro = models.TextField(blank=True)
    # e.g. the copyright and licence line a scale's owners require on every copy.
    licence_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=Q(organisation__isnull=False),
                name="questionnaire_key_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(organisation__isnull=True),
                name="questionnaire_key_shipped",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_shipped(self) -> bool:
        return self.organisation_id is None


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    # The answers offered, in order: [[value, label], ...]
    options = models.JSONField()
    higher_is_better = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_once")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def values(self) -> set[int]:
        return {int(value) for value, _ in self.options}


class OutcomeSchedule(models.Model):
    """When an organisation asks people to answer a questionnaire."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="outcome_schedules"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="schedules"
    )
    at_intake = models.BooleanField(default=True)
    after_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    at_exit = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "questionnaire"], name="outcome_schedule_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} for {self.organisation}"


class Response(models.Model):
    """One person's answers to one questionnaire at one point in their support."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="outcome_responses"
    )
    time_point = models.CharField(max_length=20, choices=TimePoint.choices)
    # Whether the person agreed that their answers, without their name, may be counted
    # in reports. Without it the answers are theirs and their caseworker's only.
    consent_to_reports = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "questionnaire", "time_point"], name="response_once"
            )
        ]
        indexes = [models.Index(fields=["organisation", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.questionnaire} ({self.get_time_point_display()})"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"
