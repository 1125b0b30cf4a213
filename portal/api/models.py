"""API keys for referring agencies, the log of every call, and idempotent replays."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class Scope(models.TextChoices):
    SUBMIT_REFERRALS = "referrals:submit", "Send referrals"
    READ_STATUS = "referrals:status", "Check the status of referrals sent with this key"
    READ_SERVICES = "services:read", "Read the list of services"


class AgencyApiKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        return super().get_usable_keys().select_related("organisation", "agency")


class AgencyApiKey(AbstractAPIKey):
    """A key one partner agency's case system uses to refer to one organisation.

    Issued by the organisation's coordinator, shown once, stored as a hash (the
    library's). Referrals sent with it go only to ``organisation``, and only referrals
    sent by ``agency`` to ``organisation`` can be read back with it.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="api_keys"
    )
    agency = models.ForeignKey(
        "organisations.ReferringAgency", on_delete=models.CASCADE, related_name="api_keys"
    )
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = AgencyApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "agency API key"
        indexes = [models.Index(fields=["organisation", "-created"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked=False) | models.Q(revoked_at__isnull=False),
                name="api_key_revocation_recorded",
            )
        ]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [Scope(scope).label for scope in self.scopes if scope in Scope.values]


class ApiCall(models.Model):
    """One request to the API: by which key or person, what, and the answer's status.

    Paths hold only references and ids, never a person's details.
    """

    key = models.ForeignKey(
        AgencyApiKey, null=True, blank=True, on_delete=models.CASCADE, related_name="calls"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["key", "-at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status_code}"


class IdempotentRequest(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key``, to replay on retry."""

    # "key:<api key id>" or "user:<user id>": a key is only ever matched for its caller.
    caller = models.CharField(max_length=200)
    idempotency_key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["caller", "idempotency_key"], name="idempotency_key_once_per_caller"
            )
        ]

    def __str__(self) -> str:
        return f"{self.caller}: {self.idempotency_key}"
