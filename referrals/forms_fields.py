"""Form fields shared by every referral form: the self-referral's steps, the referrer's
page, the family's support page and staff pages.

Each field carries its own plain-English error messages, so every route that collects
the same answer validates it the same way.
"""

from __future__ import annotations

from django import forms

from portal.core.widgets import QuickCheckboxSelectMultiple, QuickRadioSelect

from .choices import (
    Channel,
    ChildrenInHousehold,
    FormatPreference,
    Relationship,
    Stage,
    SupportWanted,
)
from .validators import clean_uk_phone


class UKPhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return clean_uk_phone(super().clean(value))


def choice_field(label: str, choices, required_message: str, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=QuickRadioSelect,
        error_messages={
            "required": required_message,
            "invalid_choice": "Choose one of the options listed.",
        },
        **kwargs,
    )


def channels_field(label: str, required: bool = True) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=Channel.choices,
        widget=QuickCheckboxSelectMultiple,
        required=required,
        error_messages={
            "required": "Choose at least one way that is safe to contact you.",
            "invalid_choice": "Choose from the ways listed.",
        },
    )


def full_name_field(label: str = "Full name") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=150,
        error_messages={
            "required": "Enter a name.",
            "max_length": "Keep the name to 150 characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )


def email_field(required: bool = False) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        required=required,
        max_length=254,
        error_messages={
            "required": "Enter an email address.",
            "invalid": "Enter an email address in the right format, like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def long_text_field(label: str, max_length: int, required: bool = False, help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}.",
            "max_length": f"Keep this to {max_length} characters or fewer.",
        },
    )


RELATIONSHIP = dict(
    label="Who are you to the person the police are investigating?",
    choices=Relationship.choices,
    required_message="Choose who you are to the person.",
)
STAGE = dict(
    label="Where have things got to?",
    choices=Stage.choices,
    required_message="Choose where things have got to, or 'I'm not sure'.",
)
CHILDREN = dict(
    label="Are there children under 18 living in the household?",
    choices=ChildrenInHousehold.choices,
    required_message="Choose yes, no, or that you'd rather not say.",
)
SUPPORT = dict(
    label="What support would help?",
    choices=SupportWanted.choices,
    required_message="Choose the support that would help.",
)
FORMAT = dict(
    label="How would you prefer to meet?",
    choices=FormatPreference.choices,
    required_message="Choose how you would prefer to meet.",
)


YES_NO = [("yes", "Yes"), ("no", "No")]


def short_text_field(label: str, max_length: int, help_text: str = "", **attrs):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
        error_messages={"max_length": f"Keep this to {max_length} characters or fewer."},
    )
