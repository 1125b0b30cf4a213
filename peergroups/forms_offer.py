"""Offering a place: the group, and, when it does not fit the times the person said are
safe or the way they asked to meet, the reason for offering it anyway."""

from __future__ import annotations

from referrals.forms_safe_contact_override import SafeContactOverrideMixin

from .forms import OfferForm as GroupChoiceForm


class OfferForm(SafeContactOverrideMixin, GroupChoiceForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields["override_reason"]
        reason.label = "Reason for offering it anyway (only if it does not fit what they said)"
        reason.help_text = "For example: 'They told me they are on their own on Tuesday evenings.'"
