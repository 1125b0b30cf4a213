"""Peer groups: groups and their schedules, sessions, venues, places (bookings), attendance,
and one-to-one initial calls.

Times are stored in UTC and worked out from Europe/London wall-clock times, so a group
that meets at 7pm keeps meeting at 7pm either side of the clock changes.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.crypto import constant_time_compare

from portal.crypto.fields import EncryptedTextField
from portal.organisations.scoping import OrganisationScopedQuerySet

if TYPE_CHECKING:
    from .zoom import ZoomCredentials


class Venue(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="venues"
    )
    name = models.CharField(max_length=200)
    # Shown only to confirmed participants.
    address = models.TextField()
    accessibility = models.TextField(blank=True)
    arrival_notes = models.TextField(blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    class Audience(models.TextChoices):
        PARTNERS = "partners", "Partners"
        PARENTS = "parents", "Parents"
        ANY_FAMILY = "any_family", "Any family member or friend"
        THIRD_PARTY_VICTIMS = "third_party_victims", "Third-party victims"

    class Format(models.TextChoices):
        ZOOM = "zoom", "Zoom"
        IN_PERSON = "in_person", "In person"

    class Cohort(models.TextChoices):
        CLOSED = "closed", "Closed cohort (everyone starts together)"
        ROLLING = "rolling", "Rolling (people join when a place is free)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="groups"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=30, choices=Audience.choices)
    format = models.CharField(max_length=20, choices=Format.choices)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="groups"
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_groups"
    )
    capacity = models.PositiveSmallIntegerField(default=8)
    cohort = models.CharField(max_length=20, choices=Cohort.choices, default=Cohort.ROLLING)
    ground_rules = models.TextField(blank=True)
    # A facilitator approves each waiting-list offer before it goes out (suitability).
    offers_need_approval = models.BooleanField(default=False)
    offer_hours = models.PositiveSmallIntegerField(default=48)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=50), name="group_capacity_in_range"
            ),
            models.CheckConstraint(
                condition=Q(offer_hours__gte=1), name="group_offer_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Schedule(models.Model):
    """How a group's sessions recur, in London wall-clock time."""

    class Rule(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY_NTH_WEEKDAY = "monthly_nth_weekday", "Monthly, on the same weekday"
        FIXED_DATES = "fixed_dates", "On these dates"

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="schedule")
    rule = models.CharField(max_length=30, choices=Rule.choices)
    start_date = models.DateField()
    # Either an end date or a number of sessions (or fixed dates) bounds the schedule.
    end_date = models.DateField(null=True, blank=True)
    occurrences = models.PositiveSmallIntegerField(null=True, blank=True)
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    # For the monthly rule: 1 to 4 for the first to fourth, -1 for the last.
    nth = models.SmallIntegerField(null=True, blank=True)
    fixed_dates = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="schedule_duration_reasonable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} for {self.group}"


class SessionQuerySet(OrganisationScopedQuerySet):
    pass


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    class Sync(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"
        PENDING = "pending", "Waiting to update Zoom"
        SYNCED = "synced", "Zoom meeting up to date"
        FAILED = "failed", "Zoom update failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    # A session moved by hand no longer follows the schedule.
    detached = models.BooleanField(default=False)
    join_url = EncryptedTextField(blank=True, plain_max_length=500)
    passcode = EncryptedTextField(blank=True, plain_max_length=50)
    zoom_meeting_id = models.CharField(max_length=30, blank=True)
    sync_state = models.CharField(max_length=20, choices=Sync.choices, default=Sync.NOT_NEEDED)
    sync_error = models.CharField(max_length=200, blank=True)
    # A failed Zoom update is tried again with growing waits: how many tries so far, and
    # when the next one is due (none once it has worked or been given up).
    sync_attempts = models.PositiveSmallIntegerField(default=0)
    sync_retry_at = models.DateTimeField(null=True, blank=True)
    notes = EncryptedTextField(blank=True, plain_max_length=5000)
    # Set by the retention job once the session is long over: no link or passcode remains.
    links_removed_at = models.DateTimeField(null=True, blank=True)

    objects = SessionQuerySet.as_manager()
    organisation_lookup = "group__organisation"

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["group", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_it_starts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} at {self.starts_at:%Y-%m-%d %H:%M}"


class BookingQuerySet(OrganisationScopedQuerySet):
    def holding_a_place(self):
        return self.filter(state__in=Booking.PLACE_HOLDING)


class Booking(models.Model):
    """A person's place in a group, or their place in its queue."""

    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for a facilitator to approve the offer"
        OFFERED = "offered", "Offered"
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Offer expired"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        LEFT = "left", "Left the group"

    ACTIVE = ("awaiting_approval", "offered", "confirmed", "waitlisted")
    # A place that was taken up and has now ended, by finishing the course or leaving.
    ENDED = ("completed", "left")
    PLACE_HOLDING = ("offered", "confirmed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="bookings")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="bookings"
    )
    state = models.CharField(max_length=20, choices=State.choices)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    # Order on the waiting list: earlier first.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When a confirmed place ended (completed or left).
    ended_at = models.DateTimeField(null=True, blank=True)
    ground_rules_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()
    organisation_lookup = "group__organisation"

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["group", "state", "waitlisted_at"]),
            models.Index(fields=["state", "offer_expires_at"]),
            # The report asks of each referral in a period whether, and when first, it got
            # a confirmed place: answered from this index alone, without the table.
            models.Index(
                fields=["referral", "confirmed_at"],
                condition=Q(confirmed_at__isnull=False),
                name="booking_confirmed_by_referral",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "referral"],
                condition=Q(state__in=["awaiting_approval", "offered", "confirmed", "waitlisted"]),
                name="booking_one_active_per_group",
            ),
            models.CheckConstraint(
                condition=~Q(state="offered") | Q(offer_expires_at__isnull=False),
                name="booking_offer_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} place in {self.group}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Sent apologies"
        NO_SHOW = "no_show", "Did not attend"

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=20, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "booking"], name="attendance_once"),
        ]
        indexes = [
            # Attendance figures count a period's registers by session, status and place:
            # with all three in the index they are read from it alone, not row by row.
            models.Index(fields=["session", "status", "booking"], name="attendance_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.session_id}"


class KeepApart(models.Model):
    """Two referrals who must never be offered places in the same group."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    first = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="+")
    # Why, in staff's words (for example "partners of the same person"): encrypted.
    reason = EncryptedTextField(blank=True, plain_max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="keep_apart_once"),
            models.CheckConstraint(
                condition=~Q(first=models.F("second")), name="keep_apart_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"Keep {self.first_id} and {self.second_id} apart"


class SessionNote(models.Model):
    """A facilitator's note about one meeting: encrypted, seen only by the group's
    facilitators and the organisation's coordinators, every read and write audited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="session_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(plain_max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationScopedQuerySet.as_manager()
    organisation_lookup = "session__group__organisation"

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on {self.session_id}"


class CalendarFeed(models.Model):
    """A facilitator's private calendar subscription: only a SHA-256 of its secret is
    stored, it can be revoked, and a new one replaces the old."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"


class InitialCallSlot(models.Model):
    """A time a facilitator offers for a one-to-one call before someone joins a group."""

    class Outcome(models.TextChoices):
        SUITABLE_FOR_GROUP = "suitable_for_group", "Suitable for a group"
        ONE_TO_ONE = "one_to_one", "One-to-one support"
        SIGNPOST_ONLY = "signpost_only", "Signpost only"

    class Method(models.TextChoices):
        """How the call happens, chosen when it is booked. Each needs a different way of
        reaching the person to be safe (``call_methods``)."""

        # We ring them, on the number they gave us: needs calls to be safe.
        PHONE = "phone", "Phone call"
        # They join from their support page; the page's link reaches them by email or
        # text: needs one of those to be safe, and an address or number for it.
        VIDEO = "video", "Video call"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="call_slots"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_slots"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # A slot holds one person at most, so it can never be double-booked.
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initial_calls",
    )
    # Blank until the time is booked; the booking always says how.
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    # Where a video call at this time is joined (the facilitator's meeting room), shown to
    # the person on their support page only. Encrypted: anyone holding it can join.
    video_link = EncryptedTextField(blank=True, plain_max_length=500)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["facilitator", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="call_slot_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(method__in=["", "phone", "video"]),
                name="call_slot_method_is_known",
            ),
            # What the family's page and messages say depends on it.
            models.CheckConstraint(
                condition=Q(referral__isnull=True) | ~Q(method=""),
                name="booked_call_says_how_it_happens",
            ),
        ]

    def __str__(self) -> str:
        return f"Call slot {self.starts_at:%Y-%m-%d %H:%M}"


class ZoomAccount(models.Model):
    """An organisation's Zoom Server-to-Server OAuth app. The secret is encrypted at rest.

    Credentials are used for meetings only once Zoom has accepted them: saving them queues
    a check in the background (never inside the web request), which records the
    fingerprint of the credentials Zoom accepted. Changing any of them changes the
    fingerprint, so they are unchecked again until the next check says otherwise.
    """

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="zoom_account"
    )
    account_id = models.CharField(max_length=100)
    client_id = models.CharField(max_length=100)
    client_secret = EncryptedTextField(plain_max_length=200)
    # Registration gives each participant their own link, so a leaked link shows its
    # source and can be cancelled. Needs a paid Zoom plan.
    registration_enabled = models.BooleanField(default=False)
    # A keyed hash (ZoomCredentials.fingerprint) of the credentials Zoom last accepted.
    verified_fingerprint = models.CharField(max_length=64, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Zoom account of {self.organisation}"

    @property
    def credentials(self) -> ZoomCredentials:
        from .zoom import ZoomCredentials

        return ZoomCredentials(
            organisation_id=str(self.organisation_id),
            account_id=self.account_id,
            client_id=self.client_id,
            client_secret=self.client_secret,
        )

    @property
    def is_verified(self) -> bool:
        """Whether Zoom accepted exactly the credentials stored now."""
        return bool(self.verified_fingerprint) and constant_time_compare(
            self.verified_fingerprint, self.credentials.fingerprint
        )


class ZoomRegistration(models.Model):
    """A participant's own Zoom link for one meeting, so a leaked link shows its source."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="registrations")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    registrant_id = models.CharField(max_length=100)
    join_url = EncryptedTextField(plain_max_length=500)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "session"], name="zoom_registration_once"),
        ]

    def __str__(self) -> str:
        return f"Zoom registration {self.registrant_id}"
