"""Forms on the family's support page (``referrals.support_page``) and the page where a
code read out by phone is typed.

Nothing here is offered back by a shared browser: every field has autocomplete off.
"""

from __future__ import annotations

from django import forms

from portal.core.widgets import QuickCheckboxSelectMultiple

from . import links
from .forms_safe_contact import NOTE_HINT, NOTE_LABEL
from .forms_safe_times import KEEP, SIMPLE_FIELDS, SafeTimesChoiceMixin
from .support_page import AT_LEAST_ONE_WAY, channels_they_may_choose

PRIVATE = {"autocomplete": "off", "spellcheck": "false"}


class SupportContactForm(SafeTimesChoiceMixin, forms.Form):
    """How and when we may reach them, and the name to ask for: the ways offered are
    those we hold details for (``channels_they_may_choose``).

    Safe times are the self-referral's simple choices, showing the times held. Choosing
    none keeps them: a person who only wrote a note is not made to choose to change
    their name. Times set by staff that the choices cannot show are offered as "keep".
    """

    safe_times_required = False
    field_order = ["safe_channels", *SIMPLE_FIELDS, "safe_times", "name_to_use"]

    safe_channels = forms.MultipleChoiceField(
        label="Which ways are safe to contact you?",
        help_text="Choose all that are safe now. Untick any that are not safe any more.",
        widget=QuickCheckboxSelectMultiple,
        error_messages={
            "required": AT_LEAST_ONE_WAY,
            "invalid_choice": "Choose from the ways listed.",
        },
    )
    safe_times = forms.CharField(
        label=NOTE_LABEL,
        help_text=NOTE_HINT,
        required=False,
        max_length=500,
        error_messages={"max_length": "Keep this to 500 characters or fewer."},
        widget=forms.TextInput(attrs=PRIVATE),
    )
    name_to_use = forms.CharField(
        label="What name should we ask for? (optional)",
        help_text="If someone else might answer, we can ask for you by a different name.",
        required=False,
        max_length=100,
        error_messages={"max_length": "Keep this to 100 characters or fewer."},
        widget=forms.TextInput(attrs=PRIVATE),
    )

    def __init__(self, *args, referral, **kwargs):
        safe = referral.safe_contact
        windows = safe.windows
        times = self.initial_for(windows, note=safe.safe_times)
        kwargs.setdefault(
            "initial",
            {
                "safe_channels": safe.safe_channels,
                **times,
                "safe_times": safe.safe_times,
                "name_to_use": safe.name_to_use,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["safe_channels"].choices = channels_they_may_choose(referral)
        if times.get("safe_times_choice") == KEEP:
            self.offer_to_keep(windows)


class SupportCodeForm(forms.Form):
    code = forms.CharField(
        label="Your code",
        help_text="12 letters and numbers. Capitals, spaces and dashes do not matter.",
        max_length=40,
        error_messages={
            "required": "Enter the code we gave you.",
            "max_length": "That is longer than our codes. Check it and try again.",
        },
        widget=forms.TextInput(attrs={**PRIVATE, "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = links.normalise_code(self.cleaned_data["code"])
        if not links.is_code_shaped(code):
            raise forms.ValidationError(
                "That is not quite right: our codes have 12 letters and numbers, like "
                "ABCD-2345-EFGH. Check it and try again."
            )
        return code
