"""A caseworker's one-off message to the person (``messages_from_staff``): the words, a
safe way to send them, and, to send outside their safe times, a reason."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings

from portal.core.widgets import QuickRadioSelect
from portal.notifications.sms import SMS_MAX_PARTS, sms_parts

from .choices import Channel
from .forms_safe_contact_override import SafeContactOverrideMixin
from .messages_from_staff import BODY_MAX_LENGTH, SUBMISSION_KEY_MAX_LENGTH, plain_for_text

# Room a text keeps for the link to stop all contact at its end (the portal's address
# and a 43-character secret) and the words around it.
STOP_LINK_ROOM = len("To stop all contact: /refer/withdraw//") + 43


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class StaffMessageForm(SafeContactOverrideMixin, forms.Form):
    body = forms.CharField(
        label="Your message",
        help_text="Plain words, as you would say them. Do not mention the police or the "
        "investigation: someone else may see it. We add a greeting, our sender name and "
        "the way to stop all contact.",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write the message before sending it.",
            "max_length": f"Keep the message to {BODY_MAX_LENGTH} characters or fewer.",
        },
    )
    channel = forms.ChoiceField(
        label="Send it by",
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose how to send it.",
            "invalid_choice": "That way is not marked safe for them. If they have told you "
            "it is, update their safe contact first.",
        },
    )
    send_now_anyway = forms.BooleanField(
        label="Send it now, outside the times they said are safe",
        required=False,
    )
    submission_key = forms.CharField(
        max_length=SUBMISSION_KEY_MAX_LENGTH, widget=forms.HiddenInput, required=False
    )

    field_order = ["body", "channel", "send_now_anyway", "override_reason", "submission_key"]

    def __init__(self, *args, channels: list[str], sender_name: str, **kwargs):
        kwargs.setdefault("prefix", "message")
        super().__init__(*args, **kwargs)
        self.sender_name = sender_name
        self.fields["channel"].choices = [(c, Channel(c).label) for c in channels]
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0]
        reason = self.fields["override_reason"]
        reason.label = "Reason for sending it now (only if you ticked the box above)"
        reason.help_text = "For example: 'They asked us to text this morning, while at work.'"
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())

    def clean_submission_key(self) -> str:
        # A form without one (an old page) still sends once per press.
        return self.cleaned_data["submission_key"] or new_submission_key()

    def clean(self):
        cleaned = super().clean()
        body, channel = cleaned.get("body", ""), cleaned.get("channel")
        if body and channel == Channel.TEXT and not self._fits_a_text(body):
            self.add_error(
                "body",
                "This is too long for a text message. Shorten it (about 300 letters fit, "
                "fewer with emoji or symbols), or send it by email.",
            )
        return cleaned

    def _fits_a_text(self, body: str) -> bool:
        room = len(settings.PORTAL_BASE_URL.rstrip("/")) + STOP_LINK_ROOM
        whole = f"{self.sender_name}: {plain_for_text(body)} {'x' * room}"
        return sms_parts(whole) <= SMS_MAX_PARTS
