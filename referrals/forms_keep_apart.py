"""The form on a referral's page that keeps two people apart in groups."""

from __future__ import annotations

from django import forms

from .forms_fields import long_text_field


class KeepApartForm(forms.Form):
    other_reference = forms.CharField(
        label="The other person's reference",
        help_text="Like KM7T-P2XQ, with or without the dash. Find it with the search on "
        "the referrals list.",
        max_length=40,
        error_messages={"required": "Enter the other person's reference."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    reason = long_text_field(
        "Why they must be kept apart",
        500,
        required=True,
        help_text="For example, 'partners of the same person'. Only staff of your "
        "organisation see this.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "keep-apart")
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = (
            "Say why they must be kept apart, for example 'partners of the same person'."
        )
