"""Staff forms on a referral: notes, the reason for access, closing, erasing, and subject
access requests (a contact attempt's form is in ``forms_contact``)."""

from __future__ import annotations

from django import forms

from portal.core.widgets import QuickCheckboxSelectMultiple, QuickRadioSelect

from .choices import CloseReason
from .forms_fields import choice_field, long_text_field


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

    def __init__(self, *args, reasons=None, **kwargs):
        """``reasons``: those the referral can be closed with now (all if not given);
        the service checks again whatever is sent."""
        super().__init__(*args, **kwargs)
        if reasons is not None:
            self.fields["close_reason"].choices = reasons
        self.fields["close_reason"].error_messages["invalid_choice"] = (
            "Choose a reason from the list."
        )


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
