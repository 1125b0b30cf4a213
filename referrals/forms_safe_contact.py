"""The safe-contact questions every route asks: which ways are safe, when, the name to
use, and whether the household is shared with the person under investigation.

The self-referral (``forms_self_referral``), the referrer's page (``forms_referrer``) and
staff (``StaffSafeContactForm``, with the rows of ``forms_safe_times``) all build on
``SafeContactForm``, so each answer is checked the same way wherever it is given.
"""

from __future__ import annotations

from django import forms

from portal.notifications.contact_windows import ContactWindows

from .forms_fields import YES_NO, channels_field, choice_field, long_text_field
from .forms_safe_times import SafeTimesChoiceMixin
from .services import SafeContactDetails

NOTE_LABEL = "Anything else about the days or times that are safe? (optional)"
NOTE_HINT = "For example, 'not in the school holidays'."


class SafeContactForm(forms.Form):
    """Safe-contact answers, with the rule that each safe channel needs its detail."""

    safe_channels = channels_field("Which ways are safe to contact you?")
    # The person's own words about times, kept beside the windows for people to read.
    safe_times = forms.CharField(
        label=NOTE_LABEL,
        help_text=NOTE_HINT,
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

    def chosen_windows(self) -> ContactWindows | None:
        """The safe times chosen on this form; None where it does not ask them."""
        return None

    def details(self, *, windows: ContactWindows | None = None) -> SafeContactDetails:
        """The answers for the services; ``windows`` from the staff editor's rows, or else
        the form's own choice (no windows, any time, if it asks none)."""
        data = self.cleaned_data
        if windows is None:
            windows = self.chosen_windows() or ContactWindows()
        return SafeContactDetails(
            safe_channels=frozenset(data["safe_channels"]),
            safe_times=data["safe_times"],
            windows=windows,
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


class SimpleSafeContactForm(SafeTimesChoiceMixin, SafeContactForm):
    """The safe-contact questions with the simple choices of safe times: for the family
    and for a referrer."""


class StaffSafeContactForm(SafeContactForm):
    """Staff change safe contact with the person; the times are the rows beside it
    (``forms_safe_times.windows_formset``), the person's own words about times above them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["safe_times"].label = "Their own words about safe times (optional)"
        self.fields[
            "safe_times"
        ].help_text = "Keep what they said. The times above are the ones our messages keep to."
