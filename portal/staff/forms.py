"""Forms for managing an organisation's team."""

from django import forms

from portal.organisations.models import Organisation, ReferringAgency
from portal.organisations.roles import Role


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
        widget=forms.RadioSelect,
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
