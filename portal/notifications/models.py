from django.db import models

from portal.crypto.fields import EncryptedTextField

from .senders import validate_reply_to


class MessageLog(models.Model):
    """A message queued, sent, refused or failed. The body is never kept here."""

    class Status(models.TextChoices):
        # Decided, waiting for the person's next safe time (``send_after``).
        WAITING = "waiting", "Waiting for a safe time"
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        REFUSED = "refused", "Not sent: not safe or not allowed"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="messages"
    )
    # Which record the message was about, e.g. ("referrals.referral", "<uuid>").
    recipient_type = models.CharField(max_length=60)
    recipient_id = models.CharField(max_length=64)
    channel = models.CharField(max_length=20, blank=True)
    template = models.CharField(max_length=80)
    # Ids the template needs when the message is sent later; never personal data.
    context = models.JSONField(default=dict, blank=True)
    # The rest of what a message sent later needs (times in words, a pack's link), kept
    # encrypted while it waits and cleared once it has gone or never will.
    sealed_context = EncryptedTextField(blank=True)
    # Not before: the moment it was meant for, moved to the person's next safe time.
    send_after = models.DateTimeField(null=True, blank=True)
    # Not after: a reminder is no use once its meeting has begun, nor an offer once it
    # has run out. A message with no safe time before then is not sent; staff are told.
    needed_by = models.DateTimeField(null=True, blank=True)
    # Sent now, outside the person's safe times, because a caseworker gave a reason
    # (a SafeContactOverride, audited and on the timeline): delivery does not hold it
    # for a safe time. The channel is still checked.
    time_override = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker claimed it to send: a message left "sending" by a worker that stopped
    # is checked with the provider before it is ever sent again.
    sending_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient_type", "recipient_id", "-created_at"]),
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["status", "send_after"]),
        ]

    def __str__(self) -> str:
        return f"{self.template} by {self.channel or '-'}: {self.status}"

    @property
    def provider_reference(self) -> str:
        """Sent with the message, so the provider can say later whether it has it."""
        return f"portal-message-{self.pk}"


class SentMarker(models.Model):
    """Written in the same transaction that decides to send: the unique key makes a retry,
    a second worker or a second scheduler unable to queue the same message twice."""

    key = models.CharField(max_length=200, unique=True)
    message = models.OneToOneField(MessageLog, on_delete=models.CASCADE, related_name="marker")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class NotificationSettings(models.Model):
    """What an organisation's messages say they are from, and which reminders it sends."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="notification_settings"
    )
    reply_to = models.EmailField(blank=True, validators=[validate_reply_to])
    send_session_reminders = models.BooleanField(default=True)
    # Minutes before a meeting; the default is 2 days and 2 hours.
    session_reminder_offsets = models.JSONField(default=list, blank=True)
    send_call_reminders = models.BooleanField(default=True)

    DEFAULT_SESSION_OFFSETS = (2 * 24 * 60, 2 * 60)

    def __str__(self) -> str:
        return f"Notification settings of {self.organisation}"

    @property
    def offsets(self) -> list[int]:
        return sorted(self.session_reminder_offsets or self.DEFAULT_SESSION_OFFSETS, reverse=True)


class StaffTask(models.Model):
    """Something a person must do: a message cannot or did not go out, or a facilitator
    raised a concern."""

    class Kind(models.TextChoices):
        CALL_NEEDED = "call_needed", "Phone call needed (no written channel is safe)"
        MESSAGE_FAILED = "message_failed", "A message could not be sent"
        NO_SAFE_TIME = (
            "no_safe_time",
            "A message was not sent: no safe time for the person before it was needed",
        )
        # Until safeguarding has its own place: a facilitator's worry about a meeting,
        # for the organisation's coordinators.
        CONCERN_RAISED = "concern_raised", "A facilitator raised a concern about a meeting"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="staff_tasks"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=64)
    message = models.ForeignKey(MessageLog, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()
