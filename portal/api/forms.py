from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from portal.core.widgets import NativeDateInput, QuickCheckboxSelectMultiple, QuickRadioSelect

from .models import Scope

LONGEST_VALIDITY_DAYS = 2 * 365


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="Something that says where the key is used, like 'Force case system (live)'.",
        max_length=50,
        error_messages={
            "required": "Enter a name for the key.",
            "max_length": "Keep the name to 50 characters or fewer.",
        },
    )
    agency = forms.ModelChoiceField(
        label="Which partner agency will use it?",
        queryset=None,
        widget=QuickRadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the agency that will use the key.",
            "invalid_choice": "Choose one of the agencies listed.",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do?",
        choices=Scope.choices,
        widget=QuickCheckboxSelectMultiple,
        initial=[Scope.SUBMIT_REFERRALS, Scope.READ_STATUS, Scope.READ_SERVICES],
        error_messages={
            "required": "Choose at least one thing the key may do.",
            "invalid_choice": "Choose from the options listed.",
        },
    )
    expires_on = forms.DateField(
        label="Expires on",
        help_text="At most two years from today. Issue a new key before this one expires.",
        widget=NativeDateInput(),
        error_messages={
            "required": "Enter the date the key expires.",
            "invalid": "Enter a real date, like 2027-11-28.",
        },
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = organisation.partner_agencies.order_by("name")
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=365)

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on <= today:
            raise forms.ValidationError("The expiry date must be in the future.")
        if expires_on > today + timedelta(days=LONGEST_VALIDITY_DAYS):
            raise forms.ValidationError("Keys can last at most two years.")
        return expires_on
