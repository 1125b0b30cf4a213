"""Forms for managing an organisation's team."""

from django import forms

from portal.core.widgets import QuickRadioSelect
from portal.organisations.models import Organisation, ReferringAgency
from portal.organisations.roles import Role
from portal.retention.schedule import Unit


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address to send the invitation to.",
            "invalid": "Enter an email address in the right format, like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose a role.",
            "invalid_choice": "Choose one of the roles listed.",
        },
    )
    agency = forms.ModelChoiceField(
        label="Referring agency (for referrers only)",
        queryset=ReferringAgency.objects.none(),
        required=False,
        empty_label="Not a referrer",
        error_messages={"invalid_choice": "Choose one of the agencies listed."},
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = organisation.partner_agencies.all()

    def clean(self):
        cleaned = super().clean()
        role, agency = cleaned.get("role"), cleaned.get("agency")
        if role == Role.REFERRER and agency is None:
            self.add_error("agency", "Choose the agency the referrer works for.")
        if role and role != Role.REFERRER and agency is not None:
            self.add_error("agency", "Only referrers belong to an agency. Choose 'Not a referrer'.")
        return cleaned


class PrivacyNoticeForm(forms.Form):
    version = forms.RegexField(
        label="Version",
        regex=r"^[A-Za-z0-9._-]{1,30}$",
        help_text="For example 2026-12 or 3.1. Each published version keeps its own number.",
        error_messages={
            "required": "Enter a version.",
            "invalid": "Use letters, numbers, dots, dashes or underscores (up to 30).",
        },
    )
    body = forms.CharField(
        label="The notice",
        help_text="In plain English. Headings start with ##. Shown to the public as written.",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=30000,
        error_messages={
            "required": "Write the notice.",
            "max_length": "Keep the notice to 30,000 characters or fewer.",
        },
    )


def _listed_choice(label: str, what: str) -> forms.ChoiceField:
    """A choice whose options are set in the form's __init__."""
    return forms.ChoiceField(
        label=label,
        error_messages={
            "required": f"Choose the {what}.",
            "invalid_choice": f"Choose a {what} listed.",
        },
    )


class LawfulBasisForm(forms.Form):
    purpose = _listed_choice("Purpose", "purpose")
    lawful_basis = _listed_choice("Lawful basis (UK GDPR Article 6)", "lawful basis")
    condition = _listed_choice(
        "Condition for special-category or criminal-offence data", "condition"
    )
    explanation = forms.CharField(
        label="Why this basis applies (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep this to 2,000 characters or fewer."},
    )
    privacy_notice_version = _listed_choice(
        "Privacy notice version that tells people about it", "privacy notice version"
    )
    sharing_agreement_version = forms.CharField(
        label="Information-sharing agreement version (optional)",
        required=False,
        max_length=30,
        help_text="For example, the version of the agreement with the referring police force.",
        error_messages={"max_length": "Keep this to 30 characters or fewer."},
    )

    def __init__(self, *args, notice_versions: list[str], **kwargs):
        from portal.organisations.models import Condition, LawfulBasis, Purpose

        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = Purpose.choices
        self.fields["lawful_basis"].choices = LawfulBasis.choices
        self.fields["condition"].choices = Condition.choices
        self.fields["privacy_notice_version"].choices = [(v, v) for v in notice_versions]


class RetentionRuleForm(forms.Form):
    length = forms.IntegerField(
        label="Keep for",
        min_value=0,
        max_value=3650,
        error_messages={
            "required": "Enter how long to keep these records, as a number.",
            "invalid": "Enter a whole number, like 24.",
            "min_value": "Enter 0 or more.",
            "max_value": "Enter a number of 3650 or fewer.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    unit = forms.ChoiceField(
        label="Days or months",
        choices=Unit.choices,
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose days or months.",
            "invalid_choice": "Choose days or months.",
        },
    )
    legal_basis = forms.CharField(
        label="Why this period (shown to coordinators and auditors)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why records are kept for this long."},
    )


class PasskeyPolicyForm(forms.Form):
    require_passkeys = forms.BooleanField(
        label="Require a passkey from everyone in the organisation",
        required=False,
        help_text=(
            "Codes from an authenticator app can be typed into a fake sign-in page; a "
            "passkey cannot. People without a passkey are asked to add one (they need "
            "their password and a code to do so)."
        ),
    )
