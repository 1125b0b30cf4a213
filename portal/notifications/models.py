from django.db import models


class MessageLog(models.Model):
    """A message sent, refused or failed. The body is never kept here."""

    class Status(models.TextChoices):
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
    status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient_type", "recipient_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.template} by {self.channel or '-'}: {self.status}"
