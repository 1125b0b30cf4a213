"""Each organisation's retention periods, what each run removed, and the anonymous counts
left behind by records that were deleted."""

from django.conf import settings
from django.db import models

from .schedule import Period, RecordType, Unit


class RetentionRule(models.Model):
    """An organisation's own period for one record type; without one the default applies."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="retention_rules"
    )
    record_type = models.CharField(max_length=30, choices=RecordType.choices)
    length = models.PositiveIntegerField()
    unit = models.CharField(max_length=10, choices=Unit.choices)
    legal_basis = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "record_type"], name="retention_rule_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: {self.period}"

    @property
    def period(self) -> Period:
        return Period(self.length, self.unit)


class RetentionRun(models.Model):
    """One application of the schedule to one organisation (or to records with none)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="retention_runs",
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # {record_type: number of records anonymised, deleted or unlinked}
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["organisation", "-started_at"])]

    def __str__(self) -> str:
        return f"Retention run at {self.started_at:%Y-%m-%d %H:%M}"


class RetentionTally(models.Model):
    """How many records of a kind existed on a day, for records since deleted.

    Reports add these to the rows still held, so their figures do not fall when the
    retention job deletes old rows. ``category`` is a code such as ``email:sent``.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    record_type = models.CharField(max_length=30, choices=RecordType.choices)
    on = models.DateField()
    category = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "record_type", "on", "category"],
                condition=models.Q(organisation__isnull=False),
                name="retention_tally_once",
            ),
            models.UniqueConstraint(
                fields=["record_type", "on", "category"],
                condition=models.Q(organisation__isnull=True),
                name="retention_tally_once_unscoped",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "record_type", "on"])]

    def __str__(self) -> str:
        return f"{self.record_type} {self.category} on {self.on}: {self.count}"
