from django import forms

from .senders import SENDER_NAME_MAX_LENGTH, validate_reply_to, validate_sender_name


class NotificationSettingsForm(forms.Form):
    discreet_sender_name = forms.CharField(
        label="Name messages come from",
        help_text="Something neutral that does not say what the service is about, "
        "for example 'Support team'.",
        max_length=SENDER_NAME_MAX_LENGTH,
        validators=[validate_sender_name],
        error_messages={
            "required": "Enter the name messages come from.",
            "max_length": f"Keep the name to {SENDER_NAME_MAX_LENGTH} characters or fewer.",
        },
    )
    reply_to = forms.EmailField(
        label="Reply-to address for emails (optional)",
        required=False,
        validators=[validate_reply_to],
        error_messages={"invalid": "Enter an email address in the right format."},
    )
    send_session_reminders = forms.BooleanField(label="Send meeting reminders", required=False)
    session_reminder_offsets = forms.CharField(
        label="When to remind, in hours before a meeting, separated by commas",
        initial="48, 2",
        max_length=50,
        error_messages={"required": "Enter at least one time, like 48, 2."},
    )
    send_call_reminders = forms.BooleanField(
        label="Send a reminder the day before an initial call", required=False
    )

    def clean_session_reminder_offsets(self) -> list[int]:
        minutes = []
        for part in self.cleaned_data["session_reminder_offsets"].split(","):
            try:
                hours = float(part.strip())
            except ValueError as error:
                raise forms.ValidationError(
                    "Use numbers of hours separated by commas, like 48, 2."
                ) from error
            if not 0.25 <= hours <= 14 * 24:
                raise forms.ValidationError("Each time must be between 15 minutes and 14 days.")
            minutes.append(round(hours * 60))
        return sorted(set(minutes), reverse=True)[:4]
