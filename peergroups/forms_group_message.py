"""A message to everyone with a confirmed place in a group (``group_messages``)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from portal.notifications.sms import SMS_MAX_PARTS, sms_parts
from referrals.forms_staff_message import STOP_LINK_ROOM, new_submission_key
from referrals.messages_from_staff import BODY_MAX_LENGTH, SUBMISSION_KEY_MAX_LENGTH, plain_for_text


class GroupMessageForm(forms.Form):
    body = forms.CharField(
        label="Your message to the group",
        help_text="Plain words, as you would say them to the group. Do not mention the "
        "police, an investigation or what the group is about: someone else may see their "
        "phone or email. We add a greeting, our sender name and the way to stop all contact.",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write the message before sending it.",
            "max_length": f"Keep the message to {BODY_MAX_LENGTH} characters or fewer.",
        },
    )
    submission_key = forms.CharField(
        max_length=SUBMISSION_KEY_MAX_LENGTH, widget=forms.HiddenInput, required=False
    )
    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sender_name: str, by_text: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.sender_name = sender_name
        self.by_text = by_text
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())

    def clean_submission_key(self) -> str:
        return self.cleaned_data["submission_key"] or new_submission_key()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if self.by_text and not self._fits_a_text(body):
            raise forms.ValidationError(
                "This is too long for a text message, and some people will get it by "
                "text. Shorten it (about 300 letters fit, fewer with emoji or symbols)."
            )
        return body

    def _fits_a_text(self, body: str) -> bool:
        room = len(settings.PORTAL_BASE_URL.rstrip("/")) + STOP_LINK_ROOM
        whole = f"{self.sender_name}: {plain_for_text(body)} {'x' * room}"
        return sms_parts(whole) <= SMS_MAX_PARTS
