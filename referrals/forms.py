"""Form fields and forms shared by the self-referral steps, the referrer's form and staff pages.

Each field carries its own plain-English error messages, so every route that collects
the same answer validates it the same way.
"""

from __future__ import annotations

from django import forms

from portal.core.widgets import QuickCheckboxSelectMultiple, QuickRadioSelect

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


class ContactAttemptForm(forms.Form):
    channel = choice_field("How did you try?", Channel.choices, "Choose how you tried.")
    outcome = choice_field("What happened?", AttemptOutcome.choices, "Choose what happened.")
    note = long_text_field("Note (optional)", 2000)


class CaseNoteForm(forms.Form):
    body = long_text_field("Note", 5000, required=True)


class AccessReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this referral?",
        help_text="For example, 'The person called and asked for me' or 'Covering for "
        "Sam while they are away'. Do not write the person's details here.",
        min_length=10,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why you need to open this referral.",
            "min_length": "Say a little more: at least 10 characters.",
            "max_length": "Keep this to 300 characters or fewer.",
        },
    )


class EraseForm(forms.Form):
    reference = forms.CharField(
        label="Type the referral's reference to confirm",
        max_length=20,
        error_messages={"required": "Type the reference to confirm."},
    )

    def __init__(self, *args, reference: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = reference

    def clean_reference(self):
        from .references import normalise_reference

        typed = self.cleaned_data["reference"]
        if normalise_reference(typed) != normalise_reference(self.expected):
            raise forms.ValidationError("That is not this referral's reference.")
        return typed


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
        help_text=(
            "We ask so that we can offer support and information that fit your family, "
            "and so that we can think about children's safety. Answering yes does not by "
            "itself mean we will tell anyone. If we thought a child might be at risk of "
            "harm, we might need to share information with children's social services."
        ),
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


# ---------------------------------------------------------------------------------------
# Referrer referral
#
# One page for a police officer or other professional, who refers quickly and often:
# where to, who, how to contact them safely, and the consent the professional took.
# ---------------------------------------------------------------------------------------

SUBMISSION_KEY_PATTERN = r"^[A-Za-z0-9_-]{20,64}$"
# Consent taken longer ago than this must be checked again before referring.
CONSENT_MAX_AGE_DAYS = 30
NOT_LISTED_MESSAGE = "Choose one of the options listed."


def _reworded(choices, **labels) -> list[tuple[str, str]]:
    """The same answers, with some labels put in the professional's words."""
    return [(value, labels.get(value, label)) for value, label in choices]


def new_submission_key() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class ProfessionalReferralForm(SafeContactForm):
    """A professional's referral: who, where things stand, safe contact and consent.

    The safe-contact questions are the shared ones, asked about "them" instead of "you".
    """

    agency = forms.ChoiceField(
        label="Which force or agency are you referring for?",
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose the force or agency you are referring for.",
            "invalid_choice": NOT_LISTED_MESSAGE,
        },
    )
    organisation = forms.ModelChoiceField(
        label="Which organisation are you referring them to?",
        queryset=None,
        widget=QuickRadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the organisation you are referring them to.",
            "invalid_choice": NOT_LISTED_MESSAGE,
        },
    )
    full_name = full_name_field("Their full name")
    email = email_field()
    phone = UKPhoneField(
        label="Their UK phone number",
        required=False,
        error_messages={"max_length": "Keep the phone number to 30 characters or fewer."},
    )
    relationship = choice_field(
        "Who are they to the person under investigation?",
        RELATIONSHIP["choices"],
        "Choose who they are to the person under investigation.",
    )
    stage = choice_field(
        "Where has the investigation got to?",
        STAGE["choices"],
        "Choose where the investigation has got to, or 'I'm not sure'.",
    )
    children_in_household = choice_field(
        CHILDREN["label"],
        _reworded(CHILDREN["choices"], prefer_not_to_say="They would rather not say"),
        "Choose yes, no, or that they would rather not say.",
    )
    support_wanted = choice_field(
        "What support would they like?",
        _reworded(
            SUPPORT["choices"], initial_call="A phone call with someone from the organisation"
        ),
        "Choose the support they would like.",
    )
    format_preference = choice_field(
        "How would they prefer to meet?",
        FORMAT["choices"],
        "Choose how they would prefer to meet.",
    )
    area = short_text_field(
        "Which town or county do they live in? (optional)",
        100,
        help_text="This helps find a group near them. Do not give their address.",
    )
    accessibility_needs = long_text_field(
        "Is there anything that would make it easier for them to talk to the organisation or "
        "join a group? (optional)",
        2000,
        help_text="For example, a hearing loop, step-free access, large print or an interpreter.",
    )
    consent_confirmed = forms.BooleanField(
        label="I confirm that the person agreed to this",
        error_messages={
            "required": "Confirm that the person agreed to be referred. Only refer someone "
            "who has agreed."
        },
    )
    consent_method = choice_field(
        "How did they agree?", [], "Choose how they agreed: verbally or in writing."
    )
    consent_given_at = forms.DateTimeField(
        label="When did they agree?",
        help_text=f"The date and time, within the last {CONSENT_MAX_AGE_DAYS} days.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Enter the date and time they agreed.",
            "invalid": "Enter the date and time they agreed, like 2026-11-28 14:30.",
        },
    )
    professional_name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={
            "required": "Enter your name.",
            "max_length": "Keep your name to 150 characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    professional_identifier = forms.CharField(
        label="Your collar number or job title",
        max_length=100,
        error_messages={
            "required": "Enter your collar number or job title.",
            "max_length": "Keep this to 100 characters or fewer.",
        },
    )
    share_status_with_referrer = choice_field(
        "Did they agree that you can see how the referral is progressing?",
        YES_NO,
        "Choose yes or no.",
        help_text=(
            "If yes, you will see whether it has been received, whether they have been "
            "contacted, and whether support has started or ended. You will never see notes "
            "or anything they say."
        ),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    # The page's sections, in order; the template shows each under its own heading.
    SECTIONS = {
        "where": ["agency", "organisation"],
        "person": [
            "full_name",
            "email",
            "phone",
            "relationship",
            "stage",
            "children_in_household",
            "support_wanted",
            "format_preference",
            "area",
            "accessibility_needs",
        ],
        "safe_contact": [
            "safe_channels",
            "postal_address",
            "safe_times",
            "name_to_use",
            "may_name_organisation",
            "shares_device_with_person",
            "shares_address_with_person",
        ],
        "consent": ["consent_confirmed", "consent_method", "consent_given_at"],
        "professional": ["professional_name", "professional_identifier"],
        "sharing": ["share_status_with_referrer"],
    }
    field_order = [name for names in SECTIONS.values() for name in names]

    # The shared fields ask "you"; here the professional answers about "them".
    THIRD_PERSON_LABELS = {
        "email": "Their email address",
        "safe_channels": "Which ways are safe to contact them?",
        "postal_address": "Their postal address (only if post is safe)",
        "safe_times": "Are there days or times that are safe, or not safe? (optional)",
        "name_to_use": "What name should the organisation use when contacting them? (optional)",
        "may_name_organisation": "May the organisation say who it is when it contacts them?",
        "shares_device_with_person": (
            "Do they share a phone, tablet or computer with the person under investigation?"
        ),
        "shares_address_with_person": (
            "Do they live at the same address as the person under investigation?"
        ),
    }
    HINTS = {
        "email": "Give an email address, a UK phone number, or both.",
        "safe_channels": "Choose all that are safe.",
        "safe_times": "For example, 'weekdays between 10am and 2pm'.",
        "name_to_use": "If someone else might answer, the organisation can ask for them "
        "by another name.",
    }

    def __init__(self, *args, agencies, organisations, referrer_name: str = "", **kwargs):
        from django.utils.html import escape

        from .choices import ConsentMethod
        from .consent import PROFESSIONAL_VERSION, statement

        initial = {"submission_key": new_submission_key(), "professional_name": referrer_name}
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        for name, label in self.THIRD_PERSON_LABELS.items():
            self.fields[name].label = label
        for name, hint in self.HINTS.items():
            self.fields[name].help_text = hint
        self.fields["safe_channels"].error_messages = {
            **self.fields["safe_channels"].error_messages,
            "required": "Choose at least one way that is safe to contact them.",
        }
        self.fields["consent_method"].choices = [
            (ConsentMethod.VERBAL, "Verbally"),
            (ConsentMethod.WRITTEN, "In writing"),
        ]
        self.fields["organisation"].queryset = organisations
        self.agencies = {str(agency.pk): agency for agency in agencies}
        # Most referrers belong to one agency: then there is nothing to choose.
        self.single_agency = agencies[0] if len(agencies) == 1 else None
        if self.single_agency is not None:
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = [(pk, a.name) for pk, a in self.agencies.items()]
            hint = "Only organisations that take referrals from your agencies are listed."
            self.fields["organisation"].help_text = hint
        # The organisation is chosen on this same page, so the statement names it
        # generically here; the consent record keeps the wording with the real name.
        self.fields["consent_confirmed"].help_text = escape(
            statement(PROFESSIONAL_VERSION, organisation_name="the organisation chosen above").text
        )

    @property
    def sections(self) -> dict[str, list]:
        return {
            section: [self[name] for name in names if name in self.fields]
            for section, names in self.SECTIONS.items()
        }

    def clean_agency(self):
        return self.agencies[self.cleaned_data["agency"]]

    def clean_consent_given_at(self):
        from datetime import timedelta

        from django.utils import timezone

        given = self.cleaned_data["consent_given_at"]
        now = timezone.now()
        if given > now:
            raise forms.ValidationError("The time they agreed cannot be in the future.")
        if given < now - timedelta(days=CONSENT_MAX_AGE_DAYS):
            raise forms.ValidationError(
                f"They agreed more than {CONSENT_MAX_AGE_DAYS} days ago. Check that they "
                "still agree, then enter the date and time they confirmed it."
            )
        return given

    def clean_submission_key(self):
        import re

        key = self.cleaned_data["submission_key"]
        if not re.fullmatch(SUBMISSION_KEY_PATTERN, key):
            # Only a tampered or broken page gets here. Give the page a fresh key so the
            # next attempt can succeed; a hidden field's error would show beside nothing,
            # so say it at the top.
            self.data = self.data.copy()
            self.data[self.add_prefix("submission_key")] = new_submission_key()
            self.add_error(None, "Something went wrong. Check your answers and send again.")
        return key

    def clean(self):
        from .validators import is_mobile

        data = super().clean()
        agency = data.get("agency") or self.single_agency
        data["agency"] = agency
        organisation = data.get("organisation")
        partners = organisation.partner_agencies if organisation else None
        if partners is not None and agency and not partners.filter(pk=agency.pk).exists():
            self.add_error(
                "organisation",
                f"{organisation.name} does not take referrals from {agency.name}. "
                "Choose another organisation, or the agency you are referring for.",
            )
        # A detail that was typed but is wrong already has its own error beside it.
        email_given = bool(data.get("email")) or "email" in self.errors
        phone_given = bool(data.get("phone")) or "phone" in self.errors
        if not email_given and not phone_given:
            self.add_error(
                "email", "Enter an email address or a UK phone number for them, or both."
            )
        self.check_channel_details(
            email="given" if email_given else "", phone="given" if phone_given else ""
        )
        channels = set(data.get("safe_channels") or [])
        if "text" in channels and data.get("phone") and not is_mobile(data["phone"]):
            self.add_error(
                "safe_channels",
                "You chose text messages, but their phone number is not a mobile number. "
                "Give a mobile number, or choose another way.",
            )
        return data

    def person(self):
        from .services import PersonDetails

        data = self.cleaned_data
        return PersonDetails(
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            relationship=data["relationship"],
            stage=data["stage"],
            children_in_household=data["children_in_household"],
            support_wanted=data["support_wanted"],
            format_preference=data["format_preference"],
            area=data["area"],
            accessibility_needs=data["accessibility_needs"],
        )

    def consent(self):
        from .consent import PROFESSIONAL_VERSION
        from .services import ConsentDetails

        data = self.cleaned_data
        return ConsentDetails(
            method=data["consent_method"],
            given_at=data["consent_given_at"],
            statement_version=PROFESSIONAL_VERSION,
            share_status_with_referrer=data["share_status_with_referrer"] == "yes",
            professional_name=data["professional_name"],
            professional_identifier=data["professional_identifier"],
        )

    def submit(self, *, referrer=None, api_key=None, submission_key=None, request=None):
        """Send the referral this valid form describes, from a signed-in referrer or from
        a partner's case system (``api_key``). Raises ``services.ReferralError``."""
        from .choices import Source
        from .services import referral_submit

        return referral_submit(
            organisation=self.cleaned_data["organisation"],
            person=self.person(),
            safe_contact=self.details(),
            consent=self.consent(),
            source=Source.PROFESSIONAL,
            referrer=referrer,
            api_key=api_key,
            agency=self.cleaned_data["agency"],
            submission_key=submission_key,
            request=request,
        )

    def submission_key_for(self, user) -> str:
        """The key as stored: per referrer, so nobody can replay a colleague's key and be
        shown their referral, and always 64 characters whatever the user id looks like."""
        import hashlib

        raw = f"referrer:{user.pk}:{self.cleaned_data['submission_key']}"
        return hashlib.sha256(raw.encode()).hexdigest()


class SubjectAccessOpenForm(forms.Form):
    received_on = forms.DateField(
        label="When did the request arrive?",
        help_text="The one-month deadline counts from this date.",
        error_messages={
            "required": "Enter the date the request arrived.",
            "invalid": "Enter a real date, like 2026-11-28.",
        },
    )
    notes = long_text_field(
        "How did it arrive, and how did you check who they are? (optional)", 2000
    )

    def __init__(self, *args, **kwargs):
        from django.utils import timezone

        from portal.core.widgets import NativeDateInput

        super().__init__(*args, **kwargs)
        self.fields["received_on"].widget = NativeDateInput()
        self.fields["received_on"].initial = timezone.localdate()


class SubjectAccessUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Where it has got to",
        widget=QuickRadioSelect,
        error_messages={"required": "Choose where it has got to."},
    )
    extended_to = forms.DateField(
        label="Extended deadline (optional)",
        required=False,
        help_text="Only for complex requests: up to two further months. Tell the person "
        "why within the first month.",
        error_messages={"invalid": "Enter a real date, like 2027-01-28."},
    )
    withheld = forms.MultipleChoiceField(
        label="Withhold these because they contain someone else's information",
        required=False,
        widget=QuickCheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from the items listed."},
    )
    notes = long_text_field("Notes (optional)", 2000)

    def __init__(self, *args, items, **kwargs):
        from portal.core.widgets import NativeDateInput

        from .models import SubjectAccessRequest

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = SubjectAccessRequest.Status.choices
        self.fields["extended_to"].widget = NativeDateInput()
        self.fields["withheld"].choices = [(i.key, f"{i.label}: {i.text[:200]}") for i in items]
