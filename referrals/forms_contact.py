"""Logging a contact attempt: how, what happened, and, when that was not what the person
said is safe, why (``SafeContactOverrideMixin``)."""

from __future__ import annotations

from django import forms

from .choices import AttemptOutcome, Channel
from .forms_fields import choice_field, long_text_field
from .forms_safe_contact_override import SafeContactOverrideMixin


class ContactAttemptForm(SafeContactOverrideMixin, forms.Form):
    channel = choice_field("How did you try?", Channel.choices, "Choose how you tried.")
    outcome = choice_field("What happened?", AttemptOutcome.choices, "Choose what happened.")
    note = long_text_field("Note (optional)", 2000)

    field_order = ["channel", "outcome", "note", "override_reason"]
