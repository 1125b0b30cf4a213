"""Form fields and forms shared by the self-referral steps, the referrer's form and staff pages.

Each field carries its own plain-English error messages, so every route that collects
the same answer validates it the same way.
"""

from __future__ import annotations

from django import forms

from .choices import (
    AttemptOutcome,
    Channel,
    ChildrenInHousehold,
    CloseReason,
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
        widget=forms.RadioSelect,
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
        widget=forms.CheckboxSelectMultiple,
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


class ContactAttemptForm(forms.Form):
    channel = choice_field("How did you try?", Channel.choices, "Choose how you tried.")
    outcome = choice_field("What happened?", AttemptOutcome.choices, "Choose what happened.")
    note = long_text_field("Note (optional)", 2000)


class CaseNoteForm(forms.Form):
    body = long_text_field("Note", 5000, required=True)


class CloseForm(forms.Form):
    close_reason = choice_field(
        "Why are you closing this referral?", CloseReason.choices, "Choose a reason."
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class SafeContactForm(forms.Form):
    """Safe-contact answers, with the rule that each safe channel needs its detail."""

    safe_channels = channels_field("Which ways are safe to contact you?")
    safe_times = forms.CharField(
        label="Are there days or times that are safe, or not safe? (optional)",
        required=False,
        max_length=500,
        error_messages={"max_length": "Keep this to 500 characters or fewer."},
    )
    name_to_use = forms.CharField(
        label="What name should we use when we contact you? (optional)",
        required=False,
        max_length=100,
        error_messages={"max_length": "Keep this to 100 characters or fewer."},
    )
    may_name_organisation = choice_field(
        "May we say who we are when we contact you?", YES_NO, "Choose yes or no."
    )
    shares_device_with_person = choice_field(
        "Do you share a phone, tablet or computer with the person under investigation?",
        YES_NO,
        "Choose yes or no.",
    )
    shares_address_with_person = choice_field(
        "Do you live at the same address as them?", YES_NO, "Choose yes or no."
    )
    postal_address = long_text_field(
        "Postal address (only if post is safe)", 500, help_text="Include the postcode."
    )

    def check_channel_details(self, *, email: str, phone: str) -> None:
        """Each channel marked safe needs the detail it uses; add errors beside the field."""
        channels = set(self.cleaned_data.get("safe_channels") or [])
        if "email" in channels and not email:
            self.add_error("safe_channels", "You chose email: we need an email address.")
        if channels & {"call", "text", "voicemail"} and not phone:
            self.add_error("safe_channels", "You chose a phone option: we need a phone number.")
        if "post" in channels and not self.cleaned_data.get("postal_address"):
            self.add_error("postal_address", "You chose post: enter the postal address.")

    def details(self):
        from .services import SafeContactDetails

        data = self.cleaned_data
        return SafeContactDetails(
            safe_channels=frozenset(data["safe_channels"]),
            safe_times=data["safe_times"],
            name_to_use=data["name_to_use"],
            may_name_organisation=data["may_name_organisation"] == "yes",
            shares_device_with_person=data["shares_device_with_person"] == "yes",
            shares_address_with_person=data["shares_address_with_person"] == "yes",
            postal_address=data["postal_address"],
        )

    @classmethod
    def initial_from(cls, safe) -> dict:
        return {
            "safe_channels": safe.safe_channels,
            "safe_times": safe.safe_times,
            "name_to_use": safe.name_to_use,
            "may_name_organisation": "yes" if safe.may_name_organisation else "no",
            "shares_device_with_person": "yes" if safe.shares_device_with_person else "no",
            "shares_address_with_person": "yes" if safe.shares_address_with_person else "no",
            "postal_address": safe.postal_address,
        }
