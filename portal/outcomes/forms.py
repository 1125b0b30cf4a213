"""Answering a questionnaire, and a coordinator's settings for one."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify

from portal.core.widgets import QuickRadioSelect

from .models import Questionnaire

ANSWER_ERRORS = {
    "required": "Choose an answer to this question.",
    "invalid_choice": "Choose one of the answers listed.",
}


class AnswersForm(forms.Form):
    consent_to_reports = forms.BooleanField(
        label="You may count my answers, without my name, in reports to the charity's funders",
        required=False,
        help_text=(
            "Your answers help your group leaders see how you are doing either way. "
            "Reports never show names or anything that could identify you."
        ),
    )

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questionnaire.questions.all())
        answers = {
            f"question_{question.pk}": forms.TypedChoiceField(
                label=question.text,
                choices=[(str(value), label) for value, label in question.options],
                coerce=int,
                widget=QuickRadioSelect,
                error_messages=ANSWER_ERRORS,
            )
            for question in self.questions
        }
        # The questions first, then the consent.
        self.fields = {**answers, "consent_to_reports": self.fields["consent_to_reports"]}

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"question_{q.pk}"] for q in self.questions}


class ScheduleForm(forms.Form):
    is_active = forms.BooleanField(label="Ask this questionnaire", required=False)
    at_intake = forms.BooleanField(label="When a place is confirmed", required=False)
    after_sessions = forms.IntegerField(
        label="After this many sessions attended (leave empty for never)",
        required=False,
        min_value=1,
        max_value=100,
        error_messages={
            "invalid": "Enter a whole number, like 6.",
            "min_value": "Enter 1 or more.",
            "max_value": "Enter 100 or fewer.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    at_exit = forms.BooleanField(label="When their place ends", required=False)


class QuestionnaireForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=150, error_messages={"required": "Enter a title."}
    )
    intro = forms.CharField(
        label="What people read first",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    licence_note = forms.CharField(
        label="Copyright or licence line (shown under the questions)",
        required=False,
        max_length=300,
        help_text="Licensed scales, such as SWEMWBS, require their own wording here.",
    )
    questions = forms.CharField(
        label="Questions, one on each line",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter at least one question."},
    )
    options = forms.CharField(
        label="Answers offered for every question, one on each line, each starting with its score",
        help_text="For example: 1 None of the time",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the answers people can choose from."},
    )
    higher_is_better = forms.BooleanField(
        label="A higher score means the person is doing better", required=False, initial=True
    )

    def clean_questions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        questions = [line for line in lines if line]
        if not questions:
            raise forms.ValidationError("Enter at least one question.")
        if any(len(line) > 300 for line in questions):
            raise forms.ValidationError("Keep each question to 300 characters or fewer.")
        return questions

    def clean_options(self) -> list[list]:
        options = []
        for line in filter(None, (x.strip() for x in self.cleaned_data["options"].splitlines())):
            score, _, label = line.partition(" ")
            if not score.lstrip("-").isdigit() or not label.strip():
                raise forms.ValidationError(
                    f"Start each answer with its score and then its words, like "
                    f"'1 None of the time'. This line does not: {line[:60]}"
                )
            options.append([int(score), label.strip()])
        if len(options) < 2:
            raise forms.ValidationError("Offer at least two answers.")
        if len({score for score, _ in options}) != len(options):
            raise forms.ValidationError("Give each answer its own score.")
        return options

    def key(self) -> str:
        return slugify(self.cleaned_data["title"])[:60] or "questionnaire"
