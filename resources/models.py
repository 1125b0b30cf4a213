"""Resources: short articles, packs of them, the support directory, and what was sent to whom.

The shared library (``organisation`` is null) ships with the portal and is read by every
organisation; an organisation's own resources, packs and local signposts are scoped to it.
A resource keeps every version it has had, and a delivery points at the versions it sent,
so a person's pack never changes under them when a resource is edited later.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from portal.core.append_only import AppendOnlyModel
from portal.crypto.fields import EncryptedTextField
from portal.organisations.scoping import OrganisationScopedQuerySet, member_organisation_ids


class Stage(models.TextChoices):
    """The stages a resource serves, in the order a family usually meets them."""

    SEARCH = "search", "The day of the search, and devices"
    CUSTODY = "custody", "Custody, interview and legal advice"
    CHILDREN = "children", "Children, social services and safeguarding"
    WAITING = "waiting", "Waiting: police bail and release under investigation"
    CHARGE = "charge", "Charge, the prosecution decision and court"
    SENTENCE = "sentence", "Sentence, orders, the register and police managers"
    WELLBEING = "wellbeing", "Looking after yourself"
    THIRD_PARTY = "third_party", "If you have been harmed too"
    PRACTICAL = "practical", "Money, home and work"


class Audience(models.TextChoices):
    PARTNERS = "partners", "Partners"
    PARENTS = "parents", "Parents"
    CARERS = "carers", "Carers of children and young people"
    OTHER_FAMILY = "other_family", "Other family"
    FRIENDS = "friends", "Friends"
    THIRD_PARTY_VICTIMS = "third_party_victims", "Third-party victims"


class LibraryQuerySet(OrganisationScopedQuerySet):
    """Rows that are either the shared library's (no organisation) or an organisation's own."""

    def shared(self):
        return self.filter(organisation__isnull=True)

    def visible_to(self, user, *, roles=None):
        """The shared library plus the rows of the user's organisations."""
        return self.filter(
            Q(organisation__isnull=True)
            | Q(organisation__in=member_organisation_ids(user, roles=roles))
        )

    def with_stage(self, stage: str):
        # Stages are a short JSON list of fixed codes. JSON containment is not available
        # on SQLite, so match the quoted code in the list's text: the quotes make it an
        # exact element match, and it behaves the same on SQLite and PostgreSQL.
        return self.filter(stages__icontains=f'"{stage}"')


class Signpost(models.Model):
    """One service in the support directory, with fields after the Open Referral UK standard.

    ``provider`` is the organisation that runs the service (ORUK's organization.name);
    the rest map to ORUK's service, phone, schedule, language and eligibility fields.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        TO_CHECK = "to_check", "Check it is still operating before sharing"
        INACTIVE = "inactive", "No longer operating"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signposts",
        help_text="Empty for the national directory shared by every organisation.",
    )
    # A stable identifier (ORUK's service id) used by imports, exports and the library.
    key = models.SlugField(max_length=80)
    provider = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    description = models.TextField("What they offer", max_length=2000)
    eligibility = models.CharField("Who it is for", max_length=500, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    text_number = models.CharField("Text message number", max_length=40, blank=True)
    url = models.URLField("Web address", max_length=300, blank=True)
    email = models.EmailField(blank=True)
    hours = models.CharField("Opening hours", max_length=300, blank=True)
    fees = models.CharField("Cost", max_length=300, blank=True)
    languages = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    check_note = models.CharField(max_length=300, blank=True)
    # When the details were last checked with the service, by whom, and where (ORUK's
    # assured_date; the other two are ours). Only a checked entry can be active: an
    # unchecked one is never shown to families.
    assured_date = models.DateField("Details last checked", null=True, blank=True)
    assured_by = models.CharField("Checked by", max_length=200, blank=True)
    assured_from = models.URLField("Checked against", max_length=300, blank=True)
    # A national entry that each organisation is expected to replace with its local
    # details (the local sexual assault referral centre).
    locally_editable = models.BooleanField(default=False)
    local_version_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="local_versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="signpost_key_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(organisation__isnull=True),
                name="signpost_key_unique_nationally",
            ),
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(url=""), name="signpost_has_phone_or_url"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(assured_date__isnull=False),
                name="signpost_active_only_when_checked",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_tel(self) -> str:
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    @property
    def text_tel(self) -> str:
        return "".join(ch for ch in self.text_number if ch.isdigit() or ch == "+")

    @property
    def is_shareable(self) -> bool:
        return self.status == self.Status.ACTIVE


class Resource(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resources",
    )
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown.")
    stages = models.JSONField(default=list)
    audiences = models.JSONField(default=list)
    # Signpost ids in the order they are shown at the end of the resource.
    signpost_ids = models.JSONField(default=list, blank=True)
    reading_minutes = models.PositiveSmallIntegerField(default=1)
    # When someone last checked the content against its sources; readers see it. Staff
    # see "review by", which is always a year later (the library is checked yearly).
    last_checked = models.DateField()
    review_by = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="resource_slug_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(organisation__isnull=True),
                name="resource_slug_unique_in_library",
            ),
            models.CheckConstraint(
                condition=Q(review_by__gt=F("last_checked")),
                name="resource_review_after_last_checked",
            ),
        ]
        indexes = [models.Index(fields=["status", "review_by"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_review_due(self) -> bool:
        return self.review_by < timezone.localdate()

    def stage_labels(self) -> list[str]:
        return [Stage(s).label for s in self.stages if s in Stage.values]

    def audience_labels(self) -> list[str]:
        return [Audience(a).label for a in self.audiences if a in Audience.values]


class ResourceVersion(AppendOnlyModel):
    """A resource as it was after one change: who made it, when, and which fields changed."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    body = models.TextField()
    stages = models.JSONField(default=list)
    audiences = models.JSONField(default=list)
    signpost_ids = models.JSONField(default=list, blank=True)
    reading_minutes = models.PositiveSmallIntegerField()
    last_checked = models.DateField()
    review_by = models.DateField()
    status = models.CharField(max_length=20, choices=Resource.Status.choices)
    changed_fields = models.JSONField(default=list, blank=True)
    change_note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "number"], name="resource_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"


class Pack(models.Model):
    """An ordered set of resources with a purpose, e.g. "The first few days".

    The title is for staff choosing a pack. What the person sees is the delivery's own
    title, ``Delivery.DEFAULT_TITLE`` unless staff write another.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="packs",
    )
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=150)
    purpose = models.CharField(max_length=300)
    # The referral stages (referrals.choices.Stage) this pack is the starting point for.
    default_for = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="pack_key_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(organisation__isnull=True),
                name="pack_key_unique_in_library",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def default_for_labels(self) -> list[str]:
        from referrals.choices import Stage as ReferralStage

        return [ReferralStage(s).label for s in self.default_for if s in ReferralStage.values]


class PackItem(models.Model):
    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="pack_items")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "resource"], name="pack_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pack_id}: {self.resource_id} at {self.position}"


class DeliveryQuerySet(OrganisationScopedQuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class Delivery(models.Model):
    """A pack sent to a referral: the versions sent, the private link, and whether it was opened.

    Only a SHA-256 of the link's secret is stored, so a copy of the database cannot open
    anyone's pack.
    """

    class Method(models.TextChoices):
        LINK = "link", "Private link by message"
        POST = "post", "Printed, to post"

    # What the person sees at the top of the pack, on screen and on paper, unless staff
    # write another title. Neutral whatever the pack: a pack's own title says what it is
    # about, and a page left open or a printed copy may be seen by someone else.
    DEFAULT_TITLE = "Information for you"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="deliveries"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="deliveries"
    )
    pack = models.ForeignKey(
        Pack, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # Staff may write a person's name into it ("Information for Sam"): encrypted.
    title = EncryptedTextField(plain_max_length=150)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.LINK)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    message = models.ForeignKey(
        "notifications.MessageLog",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["referral", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} to {self.referral_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired


class DeliveryItem(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="items")
    version = models.ForeignKey(ResourceVersion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "position"], name="delivery_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.version_id}"
