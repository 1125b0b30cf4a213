"""The referrer's page: a professional refers someone who agreed to it.

The same form checks a referral sent through the API (``referrals.api``), so both
routes accept and refuse exactly the same answers with the same messages.
"""

from __future__ import annotations

from django import forms

from portal.core.widgets import QuickRadioSelect

from .forms_fields import (
    CHILDREN,
    FORMAT,
    RELATIONSHIP,
    STAGE,
    SUPPORT,
    YES_NO,
    UKPhoneField,
    choice_field,
    email_field,
    full_name_field,
    long_text_field,
    short_text_field,
)
from .forms_safe_contact import SimpleSafeContactForm
from .forms_safe_times import SIMPLE_FIELDS, BaseSafeWindowsFormSet, windows_formset_from_list

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


class ProfessionalReferralForm(SimpleSafeContactForm):
    """A professional's referral: who, where things stand, safe contact and consent.

    The safe-contact questions are the shared ones, asked about "them" instead of "you".
    Safe times are the simple choices on the web page; through the API they are a list
    of windows (``safe_windows``), checked as the staff editor's rows are.
    """

    safe_times_required_message = "Choose when it is safe to contact them, or 'Any time'."

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
            *SIMPLE_FIELDS,
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
        "safe_times_choice": "When is it safe to contact them?",
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
        "safe_times_choice": "On bank holidays, the organisation uses their Sunday times.",
        "name_to_use": "If someone else might answer, the organisation can ask for them "
        "by another name.",
    }

    def __init__(
        self,
        *args,
        agencies,
        organisations,
        referrer_name: str = "",
        safe_windows: list[dict] | None = None,
        **kwargs,
    ):
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
        # Through the API: the windows as rows, instead of the simple choices.
        self.windows_formset: BaseSafeWindowsFormSet | None = None
        if safe_windows is not None:
            for name in SIMPLE_FIELDS:
                del self.fields[name]
            self.windows_formset = windows_formset_from_list(safe_windows)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.windows_formset is not None:
            valid = self.windows_formset.is_valid() and valid
        return valid

    def check_safe_times(self, data: dict) -> None:
        if self.windows_formset is None:
            super().check_safe_times(data)

    def chosen_windows(self):
        if self.windows_formset is not None:
            return self.windows_formset.windows()
        return super().chosen_windows()

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
