"""Sending a pack, with the reason a caseworker gives for posting it to someone who has
not said post is safe (``SafeContactOverrideMixin``)."""

from __future__ import annotations

from referrals.forms_safe_contact_override import SafeContactOverrideMixin

from .forms import PackSendForm as PackChoiceForm


class PackSendForm(SafeContactOverrideMixin, PackChoiceForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields["override_reason"]
        reason.label = "Reason for posting it (only if post is not marked safe for them)"
        reason.help_text = "For example: 'They asked for a paper copy to their work address.'"
