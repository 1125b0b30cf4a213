"""The record types the retention schedule covers, and what applies when an organisation
has not set its own period.

Each default says how long a record is kept, what happens at the end (anonymise, delete,
or remove the link), and why: coordinators see the reason beside the period, and may
change either within limits that keep the portal lawful and useful.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import models


class RecordType(models.TextChoices):
    CLOSED_REFERRAL = "closed_referral", "Closed referrals"
    WITHDRAWN_CONSENT = "withdrawn_consent", "Referrals where consent was withdrawn"
    MESSAGE_LOG = "message_log", "Log of messages sent"
    AUDIT_LOG = "audit_log", "Audit log"
    ZOOM_LINK = "zoom_link", "Zoom meeting links"


class Unit(models.TextChoices):
    DAYS = "days", "days"
    MONTHS = "months", "months"


class Action(models.TextChoices):
    ANONYMISE = "anonymise", "Anonymise: personal details removed, anonymous counts kept"
    DELETE = "delete", "Delete, keeping anonymous daily counts"
    REMOVE_LINK = "remove_link", "Remove the links and passcodes"


@dataclass(frozen=True)
class Period:
    length: int
    unit: str

    def before(self, moment: datetime) -> datetime:
        return moment - relativedelta(**{self.unit: self.length})

    def is_within(self, shortest: Period, longest: Period, *, at: datetime) -> bool:
        return longest.before(at) <= self.before(at) <= shortest.before(at)

    def __str__(self) -> str:
        unit = Unit(self.unit).label
        return f"{self.length} {unit[:-1] if self.length == 1 else unit}"


@dataclass(frozen=True)
class Policy:
    record_type: str
    what_is_kept_until_then: str
    starts_from: str
    action: str
    default: Period
    shortest: Period
    longest: Period
    default_legal_basis: str

    @property
    def action_label(self) -> str:
        return Action(self.action).label


POLICIES: dict[str, Policy] = {
    RecordType.CLOSED_REFERRAL: Policy(
        record_type=RecordType.CLOSED_REFERRAL,
        what_is_kept_until_then=(
            "The person's details, safe-contact preferences, notes, contact history, "
            "consent records and reasons for access."
        ),
        starts_from="the day the referral closed",
        action=Action.ANONYMISE,
        default=Period(24, Unit.MONTHS),
        shortest=Period(1, Unit.MONTHS),
        longest=Period(120, Unit.MONTHS),
        default_legal_basis=(
            "Kept so that someone who comes back for support does not have to tell their "
            "story again, and so that a concern or complaint can be answered (UK GDPR "
            "Article 5(1)(e); the appropriate policy document under DPA 2018 Schedule 1 "
            "Part 4)."
        ),
    ),
    RecordType.WITHDRAWN_CONSENT: Policy(
        record_type=RecordType.WITHDRAWN_CONSENT,
        what_is_kept_until_then=(
            "The same as a closed referral: kept only long enough to answer a question "
            "about the withdrawal."
        ),
        starts_from="the day consent was withdrawn",
        action=Action.ANONYMISE,
        default=Period(30, Unit.DAYS),
        shortest=Period(0, Unit.DAYS),
        longest=Period(12, Unit.MONTHS),
        default_legal_basis=(
            "Consent was the condition for holding these details; once withdrawn they are "
            "kept only briefly to show the withdrawal was respected (UK GDPR Articles 7(3) "
            "and 17(1)(b))."
        ),
    ),
    RecordType.MESSAGE_LOG: Policy(
        record_type=RecordType.MESSAGE_LOG,
        what_is_kept_until_then=(
            "Which message went to which record, by which channel, and whether it arrived."
        ),
        starts_from="the day the message was queued",
        action=Action.DELETE,
        default=Period(12, Unit.MONTHS),
        shortest=Period(1, Unit.MONTHS),
        longest=Period(72, Unit.MONTHS),
        default_legal_basis=(
            "Kept to answer whether a reminder or pack was sent, and to investigate a "
            "message sent unsafely (UK GDPR Article 5(2) accountability)."
        ),
    ),
    RecordType.AUDIT_LOG: Policy(
        record_type=RecordType.AUDIT_LOG,
        what_is_kept_until_then="Who opened or changed which record, when and from where.",
        starts_from="the day of the event",
        action=Action.DELETE,
        default=Period(36, Unit.MONTHS),
        shortest=Period(12, Unit.MONTHS),
        longest=Period(120, Unit.MONTHS),
        default_legal_basis=(
            "Kept to investigate misuse of people's records and answer subject access "
            "requests about who saw them (UK GDPR Articles 5(1)(f) and 32)."
        ),
    ),
    RecordType.ZOOM_LINK: Policy(
        record_type=RecordType.ZOOM_LINK,
        what_is_kept_until_then="Meeting links, passcodes and each participant's own link.",
        starts_from="the day the session ended",
        action=Action.REMOVE_LINK,
        default=Period(7, Unit.DAYS),
        shortest=Period(1, Unit.DAYS),
        longest=Period(90, Unit.DAYS),
        default_legal_basis=(
            "A link is needed only to join the session; removing it soon after means a "
            "leaked link leads nowhere (UK GDPR Article 5(1)(c) data minimisation)."
        ),
    ),
}
