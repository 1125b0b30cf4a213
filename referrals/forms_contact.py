"""Logging a contact attempt: how, when, what happened, and, when that was not what the
person said is safe, why (``SafeContactOverrideMixin``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from portal.core.widgets import NativeDateInput, NativeTimeInput

from .choices import AttemptOutcome, Channel
from .forms_fields import choice_field, long_text_field
from .forms_safe_contact_override import SafeContactOverrideMixin

# An attempt is logged within this long of it: older contact is history for a case note,
# and a mistyped year would otherwise be checked against the wrong safe times.
CONTACT_ATTEMPT_MAX_AGE = timedelta(days=90)
NOT_YET = "That time has not happened yet: give the time you tried."


class ContactAttemptForm(SafeContactOverrideMixin, forms.Form):
    """``cleaned_data`` holds ``made_at`` (None for now) in place of the date and time,
    so that the safe times are checked against when they tried, not when it was logged.

    The date and time start empty, meaning now: filled in when the page opened, a page
    left open would log a later attempt at the earlier time."""

    channel = choice_field("How did you try?", Channel.choices, "Choose how you tried.")
    tried_on = forms.DateField(
        label="Date",
        required=False,
        widget=NativeDateInput(),
        error_messages={"invalid": "Enter a real date, like 2027-01-14."},
    )
    tried_at = forms.TimeField(
        label="Time (UK time)",
        required=False,
        widget=NativeTimeInput(),
        error_messages={"invalid": "Enter a time, like 19:00."},
    )
    outcome = choice_field("What happened?", AttemptOutcome.choices, "Choose what happened.")
    note = long_text_field("Note (optional)", 2000)

    field_order = ["channel", "tried_on", "tried_at", "outcome", "note", "override_reason"]

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.pop("tried_on", None), cleaned.pop("tried_at", None)
        cleaned["made_at"] = None
        if "tried_on" in self.errors or "tried_at" in self.errors:
            return cleaned
        if day is None and at is None:
            return cleaned  # now
        if day is None:
            self.add_error("tried_on", "Enter the date you tried, or leave both empty for now.")
            return cleaned
        if at is None:
            self.add_error("tried_at", "Enter the time you tried, or leave both empty for now.")
            return cleaned
        # Europe/London, the portal's time zone: the wall clock the caseworker read.
        made_at = timezone.make_aware(datetime.combine(day, at))
        now = timezone.now()
        if made_at > now:
            later_day = day > timezone.localdate(now)
            self.add_error("tried_on" if later_day else "tried_at", NOT_YET)
        elif made_at < now - CONTACT_ATTEMPT_MAX_AGE:
            self.add_error(
                "tried_on",
                f"That is more than {CONTACT_ATTEMPT_MAX_AGE.days} days ago. Log an attempt "
                "within that time, or write about it in a case note.",
            )
        else:
            cleaned["made_at"] = made_at
        return cleaned
