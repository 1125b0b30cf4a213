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


# ---------------------------------------------------------------------------------------
# Self-referral steps
#
# One form per question page of the public self-referral (``referrals/selfreferral.py``
# lists them in order). Each step's answers are validated again when the request is
# sent, so these forms are the only gate between a visitor's session and a referral.
# ---------------------------------------------------------------------------------------

# A field no person sees or fills in; automated form-fillers usually do.
HONEYPOT_FIELD = "website"

AT_LEAST_ONE_WAY_MESSAGE = (
    "Enter an email address or a UK phone number, or both, so that we can contact you."
)
AGREE_MESSAGE = (
    "You need to agree before we can contact you. If you'd rather not, you can still use "
    "our get help now page."
)


def short_text_field(label: str, max_length: int, help_text: str = "", **attrs):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
        error_messages={"max_length": f"Keep this to {max_length} characters or fewer."},
    )


class RelationshipStepForm(forms.Form):
    relationship = choice_field(**RELATIONSHIP)


class StageStepForm(forms.Form):
    stage = choice_field(
        **STAGE,
        help_text="Choose the one that fits best. It is fine if you are not sure.",
    )


class ChildrenStepForm(forms.Form):
    children_in_household = choice_field(
        **CHILDREN,
        help_text="We ask so that we can offer support and information that fit your family.",
    )


class SupportStepForm(forms.Form):
    support_wanted = choice_field(
        **SUPPORT, help_text="Choose what feels right for now. You can change your mind later."
    )


class MeetingStepForm(forms.Form):
    format_preference = choice_field(**FORMAT)
    area = short_text_field(
        "Which town or county do you live in? (optional)",
        100,
        help_text="This helps us find a group near you. Please do not give your address.",
        autocomplete="address-level2",
    )


class AccessNeedsStepForm(forms.Form):
    accessibility_needs = long_text_field(
        "Is there anything that would make it easier for you to talk to us or join a group? "
        "(optional)",
        2000,
        help_text=(
            "For example, a hearing loop, step-free access, large print, an interpreter, "
            "or times that fit around caring or work."
        ),
    )


class AboutYouStepForm(forms.Form):
    full_name = full_name_field("Your full name")
    email = email_field()
    phone = UKPhoneField(
        label="UK phone number",
        required=False,
        error_messages={"max_length": "Keep the phone number to 30 characters or fewer."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "If you can, give an email address that only you use."
        self.fields["phone"].help_text = "If you can, give a phone number that only you use."

    def clean(self):
        data = super().clean()
        if "email" in data and "phone" in data and not data["email"] and not data["phone"]:
            self.add_error("email", AT_LEAST_ONE_WAY_MESSAGE)
        return data


class SafeContactStepForm(SafeContactForm):
    """The safe-contact answers, checked against the contact details given a page earlier."""

    field_order = [
        "safe_channels",
        "postal_address",
        "safe_times",
        "name_to_use",
        "may_name_organisation",
        "shares_device_with_person",
        "shares_address_with_person",
    ]

    def __init__(self, *args, email: str = "", phone: str = "", sender_name: str = "", **kwargs):
        from django.utils.html import format_html

        super().__init__(*args, **kwargs)
        self.contact_email = email
        self.contact_phone = phone
        self.fields["safe_channels"].help_text = "Choose all that are safe."
        self.fields["safe_times"].help_text = "For example, 'weekdays between 10am and 2pm'."
        self.fields[
            "name_to_use"
        ].help_text = "If someone else might answer, we can ask for you by a different name."
        if sender_name:
            # Hints are rendered as HTML; the sender name is typed by staff, so escape it.
            self.fields["may_name_organisation"].help_text = format_html(
                "If you choose no, our calls and messages will only say '{}'.", sender_name
            )

    def clean(self):
        from .validators import is_mobile

        data = super().clean()
        channels = set(data.get("safe_channels") or [])
        self.check_channel_details(email=self.contact_email, phone=self.contact_phone)
        if "text" in channels and self.contact_phone and not is_mobile(self.contact_phone):
            self.add_error(
                "safe_channels",
                "You chose text messages, but the phone number you gave is not a mobile "
                "number. Go back to change it, or choose another way.",
            )
        return data


class AgreementStepForm(forms.Form):
    agree = forms.BooleanField(
        label="I agree", required=True, error_messages={"required": AGREE_MESSAGE}
    )


class SubmitForm(forms.Form):
    """The check-your-answers page: only the key that makes a double click harmless."""

    submission_key = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,64}$", max_length=64)


# --- Referrer referral: one page for professionals ----------------------------------------


class ProfessionalReferralForm(forms.Form):
    """A professional's referral: who, where things stand, and the consent they took."""

    organisation = forms.ModelChoiceField(
        label="Which service are you referring to?",
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the service you are referring to.",
            "invalid_choice": "Choose one of the options listed.",
        },
    )
    agency = forms.ModelChoiceField(
        label="Which agency are you referring for?",
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your agency.",
            "invalid_choice": "Choose one of the options listed.",
        },
    )
    full_name = full_name_field("Their full name")
    email = email_field()
    phone = UKPhoneField(label="Their UK phone number", required=False)
    relationship = choice_field(
        "Who are they to the person under investigation?",
        RELATIONSHIP["choices"],
        "Choose who they are to the person.",
    )
    stage = choice_field(
        "Where has the investigation got to?", STAGE["choices"], "Choose where things are."
    )
    children_in_household = choice_field(**CHILDREN)
    support_wanted = choice_field(
        "What support would they like?", SUPPORT["choices"], "Choose the support they want."
    )
    format_preference = choice_field(**FORMAT)
    area = forms.CharField(
        label="Town or county (optional)",
        required=False,
        max_length=100,
        error_messages={"max_length": "Keep this to 100 characters or fewer."},
    )
    accessibility_needs = long_text_field("Access needs (optional)", 2000)
    consent_confirmed = forms.BooleanField(
        label="The person agreed to be referred to the service chosen above, having been "
        "told what is shared and that they can withdraw at any time.",
        error_messages={"required": "Confirm that the person agreed to this referral."},
    )
    consent_method = choice_field(
        "How did they agree?",
        [("verbal", "Verbally"), ("written", "In writing")],
        "Choose how they agreed.",
    )
    consent_given_at = forms.DateTimeField(
        label="When did they agree?",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={
            "required": "Enter the date and time they agreed.",
            "invalid": "Enter a real date and time, like 2026-11-28 14:30.",
        },
    )
    professional_name = full_name_field("Your name")
    professional_identifier = forms.CharField(
        label="Your collar number or job title",
        max_length=100,
        error_messages={
            "required": "Enter your collar number or job title.",
            "max_length": "Keep this to 100 characters or fewer.",
        },
    )
    share_status_with_referrer = choice_field(
        "Did they agree that you can see whether the service has contacted them?",
        YES_NO,
        "Choose yes or no.",
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, organisations, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["agency"].queryset = agencies
        # Most referrers belong to one agency: then there is nothing to choose.
        self.single_agency = agencies.first() if len(agencies) == 1 else None
        if self.single_agency is not None:
            self.fields["agency"].required = False
            self.fields["agency"].widget = forms.HiddenInput()

    def clean_agency(self):
        return self.cleaned_data.get("agency") or self.single_agency

    def clean_consent_given_at(self):
        from datetime import timedelta

        from django.utils import timezone

        given = self.cleaned_data["consent_given_at"]
        now = timezone.now()
        if given > now + timedelta(minutes=5):
            raise forms.ValidationError("The time they agreed cannot be in the future.")
        if given < now - timedelta(days=30):
            raise forms.ValidationError(
                "Consent is more than 30 days old: check it is still current and record the "
                "date you checked."
            )
        return given

    def clean(self):
        cleaned = super().clean()
        no_contact_errors = not self.errors.get("email") and not self.errors.get("phone")
        if no_contact_errors and not cleaned.get("email") and not cleaned.get("phone"):
            self.add_error("email", "Give an email address or a phone number for them.")
        organisation, agency = cleaned.get("organisation"), cleaned.get("agency")
        if (
            organisation
            and agency
            and not organisation.partner_agencies.filter(pk=agency.pk).exists()
        ):
            self.add_error("organisation", "Choose one of the options listed.")
        return cleaned
