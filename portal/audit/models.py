"""Audit events. Rows are written once and never changed or deleted by the application."""

from django.conf import settings
from django.db import models

from portal.core.append_only import AppendOnlyError, AppendOnlyModel

__all__ = ["AppendOnlyError", "AuditEvent"]


class AuditEvent(AppendOnlyModel):
    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        SESSION_EXPIRED = "session_expired", "Session expired"
        TWO_FACTOR_SET_UP = "2fa_set_up", "Two-factor set up"
        TWO_FACTOR_VERIFIED = "2fa_verified", "Two-factor verified"
        TWO_FACTOR_FAILED = "2fa_failed", "Two-factor code refused"
        BACKUP_CODES_CREATED = "backup_codes_created", "Backup codes created"
        INVITATION_SENT = "invitation_sent", "Invitation sent"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
        MEMBERSHIP_ENDED = "membership_ended", "Membership ended"
        USER_DEACTIVATED = "user_deactivated", "User deactivated"
        PERMISSION_DENIED = "permission_denied", "Permission denied"
        VIEWED = "viewed", "Viewed"
        CHANGED = "changed", "Changed"
        EXPORTED = "exported", "Exported"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Never personal data or secrets: ids, names of fields, outcomes.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["organisation", "-at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} by {self.actor_id}"
