"""Referrals: the referred person's details, consent, safe contact, and the work on a case.

Personal data is encrypted at rest (``EncryptedTextField``); email and phone keep a
keyed hash beside them so duplicates can be found without decrypting anything.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal.core.append_only import AppendOnlyModel
from portal.crypto.fields import EncryptedTextField
from portal.notifications.contact_windows import ContactWindows
from portal.organisations.scoping import OrganisationScopedQuerySet

from .choices import (
    AttemptOutcome,
    Channel,
    ChildrenInHousehold,
    CloseReason,
    ConsentMethod,
    FormatPreference,
    Relationship,
    ShareBackStatus,
    Source,
    Stage,
    State,
    SupportWanted,
)
from .references import ReferenceField

OPEN_STATES = [s for s in State.values if s != State.CLOSED]


class ReferralQuerySet(OrganisationScopedQuerySet):
    def open(self):
        return self.exclude(state=State.CLOSED)

    def bulk_create(self, objs, *args, **kwargs):
        """Referrals made in bulk (benchmarks, load tests) are found by name too."""
        from .name_index import name_index_tokens_for

        made = super().bulk_create(objs, *args, **kwargs)
        ReferralNameToken.objects.bulk_create(name_index_tokens_for(made), batch_size=1000)
        return made


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="referrals"
    )
    # Short, unguessable and not sequential: what a family member quotes on the phone.
    # Stored as it is shown (NW8X-BDR5); every lookup accepts it however it is typed.
    reference = ReferenceField(unique=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    referring_agency = models.ForeignKey(
        "organisations.ReferringAgency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    # Set when a partner's case system sent the referral with an agency API key.
    api_key = models.ForeignKey(
        "api.AgencyApiKey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)

    # About the person
    full_name = EncryptedTextField(plain_max_length=150)
    email = EncryptedTextField(blank=True, plain_max_length=254)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone = EncryptedTextField(blank=True, plain_max_length=20)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    stage = models.CharField(max_length=40, choices=Stage.choices)
    children_in_household = models.CharField(max_length=20, choices=ChildrenInHousehold.choices)
    support_wanted = models.CharField(max_length=20, choices=SupportWanted.choices)
    format_preference = models.CharField(max_length=20, choices=FormatPreference.choices)
    # A town or county, never an address: coarse enough to keep plain for matching groups.
    # A town or county: with the other answers it could point to one family.
    area = EncryptedTextField(blank=True, plain_max_length=100)
    accessibility_needs = EncryptedTextField(blank=True, plain_max_length=2000)
    # Whether the person agreed that the referrer may see the referral's progress.
    share_status_with_referrer = models.BooleanField(default=False)

    # The work on the case
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_referrals",
    )
    first_contact_due = models.DateField()
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="possible_duplicates"
    )
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Set by the retention job: the person's details are gone, the anonymous facts stay.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # One per form submission, so a double click cannot create a second referral.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Set when staff stop all of the person's private links (``links.links_stop_all``):
    # no link issued or signed up to this moment works, including older signed links
    # never used and so never recorded.
    private_links_valid_after = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "state", "-created_at"]),
            # The queue and the dashboards: open referrals, earliest first contact due first.
            models.Index(
                fields=["organisation", "first_contact_due", "created_at"],
                name="referral_open_queue",
                condition=~Q(state="closed"),
            ),
            # The funders' report: referrals received in a period.
            models.Index(fields=["organisation", "created_at"], name="referral_received"),
            models.Index(fields=["organisation", "assigned_to", "state"]),
            models.Index(fields=["referred_by", "-created_at"]),
            # The retention job's two questions: closed when, and withdrawn when.
            models.Index(
                fields=["organisation", "closed_at"],
                name="referral_due_closed",
                condition=Q(anonymised_at__isnull=True, closed_at__isnull=False),
            ),
            models.Index(
                fields=["organisation", "consent_withdrawn_at"],
                name="referral_due_withdrawn",
                condition=Q(anonymised_at__isnull=True, consent_withdrawn_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source=Source.SELF, referred_by__isnull=True, api_key__isnull=True)
                | (
                    Q(source=Source.PROFESSIONAL)
                    & (Q(referred_by__isnull=False) | Q(api_key__isnull=False))
                ),
                name="referral_professional_has_referrer",
            ),
            models.CheckConstraint(
                condition=Q(state=State.CLOSED, closed_at__isnull=False) | ~Q(state=State.CLOSED),
                name="referral_closed_has_closed_at",
            ),
        ]

    # Keyed hashes for matching without decrypting; key rotation recomputes them.
    lookup_hashes = {"email_hash": "email", "phone_hash": "phone"}

    def __str__(self) -> str:
        return f"Referral {self.reference}"

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED

    @property
    def is_contactable(self) -> bool:
        return self.consent_withdrawn_at is None and self.anonymised_at is None

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def share_back_status(self) -> str:
        """The plain status a referrer may see: never notes, contact history or outcome."""
        if self.state == State.CLOSED:
            return ShareBackStatus.CLOSED
        if self.state in (State.PLACED, State.WAITLISTED, State.SIGNPOSTED, State.ASSESSED):
            return ShareBackStatus.SUPPORT_STARTED
        if self.first_contacted_at is not None or self.state == State.IN_CONTACT:
            return ShareBackStatus.CONTACTED
        return ShareBackStatus.RECEIVED

    @property
    def share_back_label(self) -> str:
        return ShareBackStatus(self.share_back_status).label


class ReferralNameToken(models.Model):
    """One word of a person's name as a keyed hash: the blind index staff search by name
    through (``name_index``). Nothing here can be read back into a name."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    # The referral's, kept here so a search reads one index for one organisation.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organisation", "hash"], name="referral_name_word")]
        constraints = [
            models.UniqueConstraint(fields=["referral", "hash"], name="referral_name_word_once")
        ]

    def __str__(self) -> str:
        return f"Name word of {self.referral_id}"


class SafeContact(models.Model):
    """How, when and under what name it is safe to contact the person."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="safe_contact")
    safe_to_call = models.BooleanField(default=False)
    safe_to_text = models.BooleanField(default=False)
    safe_to_email = models.BooleanField(default=False)
    safe_to_voicemail = models.BooleanField(default=False)
    safe_to_post = models.BooleanField(default=False)
    # The person's own words about safe days and times, kept for people to read.
    safe_times = EncryptedTextField(blank=True, plain_max_length=500)
    # The same as rules the portal keeps: JSON weekly windows (ContactWindows), empty
    # for any time. Encrypted: when it is safe is when the household is out.
    contact_windows = EncryptedTextField(blank=True, plain_max_length=4000)
    name_to_use = EncryptedTextField(blank=True, plain_max_length=100)
    may_name_organisation = models.BooleanField(default=False)
    shares_device_with_person = models.BooleanField(default=False)
    shares_address_with_person = models.BooleanField(default=False)
    postal_address = EncryptedTextField(blank=True, plain_max_length=500)
    other_notes = EncryptedTextField(blank=True, plain_max_length=1000)
    confirmed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Safe contact for {self.referral_id}"

    def is_safe(self, channel: str) -> bool:
        return bool(getattr(self, f"safe_to_{channel}", False))

    @property
    def safe_channels(self) -> list[str]:
        return [channel for channel in Channel.values if self.is_safe(channel)]

    @property
    def safe_channel_labels(self) -> list[str]:
        return [Channel(channel).label for channel in self.safe_channels]

    @property
    def windows(self) -> ContactWindows:
        if not self.contact_windows:
            return ContactWindows()
        return ContactWindows.from_json(json.loads(self.contact_windows))

    def set_windows(self, windows: ContactWindows) -> None:
        self.contact_windows = json.dumps(windows.to_json()) if windows.windows else ""

    @property
    def only_a_note_about_times(self) -> bool:
        """Staff should turn the person's words into windows the portal can keep."""
        return bool(self.safe_times.strip()) and not self.contact_windows


class ConsentRecord(AppendOnlyModel):
    """What the person agreed to, how and when, with the exact words they were shown.

    Append-only: a withdrawal is a new record, never an edit.
    """

    class Action(models.TextChoices):
        GIVEN = "given", "Consent given"
        WITHDRAWN = "withdrawn", "Consent withdrawn"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="consents")
    action = models.CharField(max_length=20, choices=Action.choices)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    given_at = models.DateTimeField()
    statement_version = models.CharField(max_length=40, blank=True)
    statement_text = models.TextField(blank=True)
    # e.g. {"share_with": "<organisation>", "channels": ["email"], "purposes": [...],
    #       "share_status_with_referrer": true}
    scope = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For consent taken by a professional: who took it.
    professional_name = EncryptedTextField(blank=True, plain_max_length=150)
    professional_agency = models.CharField(max_length=200, blank=True)
    professional_identifier = EncryptedTextField(blank=True, plain_max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.get_method_display()})"


class ContactAttempt(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="contact_attempts"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    note = EncryptedTextField(blank=True, plain_max_length=2000)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_outcome_display()}"


class CaseNote(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField(plain_max_length=5000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note on {self.referral_id} by {self.author_id}"


class ReferralEvent(AppendOnlyModel):
    """One line of a referral's timeline. ``detail`` holds codes and ids, never personal data."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Referral received"
        DUPLICATE_FLAGGED = "duplicate_flagged", "Possible duplicate flagged"
        ASSIGNED = "assigned", "Assigned"
        STATE_CHANGED = "state_changed", "Status changed"
        CONTACT_ATTEMPT = "contact_attempt", "Contact attempt"
        NOTE_ADDED = "note_added", "Note added"
        SAFE_CONTACT_UPDATED = "safe_contact_updated", "Safe contact updated"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        MESSAGE = "message", "Message"
        PACK_SENT = "pack_sent", "Resource pack sent"
        CALL_BOOKED = "call_booked", "Initial call booked"
        CALL_MOVED = "call_moved", "Initial call moved"
        SUPPORT_CODE_GIVEN = "support_code_given", "Support page code given by phone"
        SAFE_CONTACT_OVERRIDDEN = (
            "safe_contact_overridden",
            "Contacted outside what they said is safe",
        )
        KEPT_APART = "kept_apart", "To be kept apart from someone in groups"
        KEPT_APART_ENDED = "kept_apart_ended", "No longer kept apart from someone"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    # The referral's organisation, kept on each event so that an organisation's latest
    # events are read from one index (there are millions of events across organisations).
    # Set from the referral when the event is written.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", editable=False
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["referral", "-at"]),
            models.Index(
                fields=["organisation", "-at", "-id"], name="event_recent_by_organisation"
            ),
            # The funders' report counts referrals moved to "signposted" in a period: a
            # handful among millions of events, found without reading the rest.
            models.Index(
                fields=["at"],
                name="event_signposted_at",
                condition=models.Q(kind="state_changed", detail__to="signposted"),
            ),
        ]

    def save(self, *args, **kwargs):
        if self.organisation_id is None and self.referral_id is not None:
            self.organisation_id = self.referral.organisation_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class SafeContactOverride(AppendOnlyModel):
    """A member of staff acting on a channel, or at a time, the person did not say is
    safe, and why. Append-only: shown on the timeline and audited, never edited."""

    class Action(models.TextChoices):
        CONTACT_ATTEMPT = "contact_attempt", "Logged a contact attempt"
        CALL_BOOKING = "call_booking", "Booked or moved an initial call"
        PACK_BY_POST = "pack_by_post", "Sent a resource pack by post"
        MESSAGE = "message", "Sent a message"
        GROUP_OFFER = "group_offer", "Offered a place in a group"

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="safe_contact_overrides"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    # When the contact happens or happened.
    contact_at = models.DateTimeField()
    unsafe_channel = models.BooleanField(default=False)
    unsafe_time = models.BooleanField(default=False)
    reason = EncryptedTextField(plain_max_length=1000)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unsafe_channel=True) | Q(unsafe_time=True),
                name="safe_contact_override_overrides_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.referral_id}"


class AccessReason(AppendOnlyModel):
    """Why someone opened a closed referral, or one assigned to a colleague.

    Coordinators review these; the reason is the staff member's own words, so it is
    encrypted like the rest of the case record.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # "closed" or "assigned to someone else": why a reason was asked for.
    because = models.CharField(max_length=30)
    reason = EncryptedTextField(plain_max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"Access to {self.referral_id} by {self.user_id}"


class ErasureTombstone(AppendOnlyModel):
    """That a person's records were erased on request: when, by whom, and nothing else."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Erasure at {self.erased_at:%Y-%m-%d}"


class SubjectAccessRequest(models.Model):
    """A person's request for a copy of what is held about them (UK GDPR Article 15).

    Due one calendar month after receipt; extendable by up to two further months when
    the request is complex. Erasing the person removes the link to their referral but
    keeps this register entry.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_PROGRESS = "in_progress", "Being prepared"
        COMPLETED = "completed", "Sent to the person"
        REFUSED = "refused", "Refused (reason recorded)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_on = models.DateField()
    due_on = models.DateField()
    extended_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    # How the request came in and anything about the decision: may name people.
    notes = EncryptedTextField(blank=True, plain_max_length=2000)
    # Keys of the items withheld as third parties' information (see subject_access.py).
    withheld = models.JSONField(default=list, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]

    def __str__(self) -> str:
        return f"Subject access request due {self.due_on}"

    @property
    def deadline(self):
        return self.extended_to or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS)


class SelfReferralDraft(models.Model):
    """A visitor's unsent self-referral answers, encrypted, kept an hour after the last change.

    The visitor's session holds only a random id; this row is found by its SHA-256, as
    every private token in the portal is. The answers are an encrypted JSON document, so
    key rotation covers them like any other personal field, and a copy of the database
    (sessions included) shows nothing a visitor typed.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    answers = EncryptedTextField()
    updated_at = models.DateTimeField()
    # Read and cleared by this time (an hour after the last change), never later.
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("updated_at")),
                name="self_referral_draft_expires_after_change",
            )
        ]

    def __str__(self) -> str:
        return f"Self-referral draft {self.pk}"


class PrivateLink(models.Model):
    """A private link sent to the person in one message, or read to them by phone as a
    short code: to their support page, or to stop all contact.

    The link's secret is random and exists only in the message; the database keeps its
    SHA-256, so a copy of the database opens nothing and nothing in a link says whose it
    is. Each link can be revoked on its own, and stops working when its purpose ends
    (``referrals.links``), whatever its ``expires_at`` says.
    """

    class Purpose(models.TextChoices):
        # Named "place" when the page only showed group places; it is now their whole
        # support page. The stored value stays, so links already sent keep working.
        PLACE = "place", "Their support page"
        WITHDRAW = "withdraw", "Stopping all contact"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # Erasing the person erases their links with them.
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="private_links")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    # A link first sent before links were stored, signed with the site's key; recorded
    # the first time it is used, so that it can be revoked like any other.
    legacy = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Who read it to the person by phone as a short code (``links.code_issue``);
    # empty for a link sent in a message.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["referral", "-created_at"], name="private_link_by_referral")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=["place", "withdraw"]), name="private_link_purpose_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="private_link_expires_after_issue",
            ),
            # Only a revoked link names who revoked it.
            models.CheckConstraint(
                condition=Q(revoked_by__isnull=True) | Q(revoked_at__isnull=False),
                name="private_link_revoker_only_when_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link {self.pk}"
