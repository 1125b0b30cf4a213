"""The form a new member fills in to accept an invitation, and the one a coordinator uses
to say how families can reach the organisation."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from .contact import (
    OPENING_HOURS_MAX_LENGTH,
    opening_hours_clean,
    uk_phone_normalise,
)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        error_messages={"required": "Enter your full name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text=password_validators_help_text_html(),
        error_messages={"required": "Create a password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        error_messages={"required": "Type the password again."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match.")
        return cleaned


class OrganisationContactForm(forms.Form):
    """Shown to families where they choose the organisation, and once they have chosen it."""

    contact_phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=30,
        help_text="A UK number families can ring, for example 0113 496 0000.",
        error_messages={"max_length": "Keep the phone number to 30 characters or fewer."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    contact_opening_hours = forms.CharField(
        label="When the phone is answered",
        required=False,
        max_length=OPENING_HOURS_MAX_LENGTH,
        help_text="For example: Monday to Friday, 9am to 5pm. Closed on bank holidays.",
        error_messages={
            "max_length": f"Keep the opening hours to {OPENING_HOURS_MAX_LENGTH} characters "
            "or fewer."
        },
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    contact_email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="An address your team reads, for example support@example.org.",
        error_messages={
            "invalid": "Enter an email address in the right format, like support@example.org.",
            "max_length": "Keep the email address to 254 characters or fewer.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_contact_phone(self) -> str:
        return uk_phone_normalise(self.cleaned_data["contact_phone"])

    def clean_contact_opening_hours(self) -> str:
        return opening_hours_clean(self.cleaned_data["contact_opening_hours"])

    def clean_contact_email(self) -> str:
        return self.cleaned_data["contact_email"].strip()

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("contact_phone")
        hours = cleaned.get("contact_opening_hours")
        if phone and "contact_opening_hours" in cleaned and not hours:
            self.add_error("contact_opening_hours", "Say when the phone is answered.")
        if (
            not phone
            and not cleaned.get("contact_email")
            and not self.has_error("contact_phone")
            and not self.has_error("contact_email")
        ):
            self.add_error(
                "contact_phone",
                "Enter a phone number or an email address, so families can reach you.",
            )
        return cleaned
