"""Organisations own personal data; memberships give people roles within them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from portal.core.append_only import AppendOnlyModel

from .contact import UK_E164_PATTERN, uk_phone_display
from .roles import AGENCY_ROLES, CHARITY_ROLES, Role
from .scoping import OrganisationScopedQuerySet


class Organisation(models.Model):
    """A charity that runs the portal's services and holds the families' data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    # Used in the address of the organisation's public referral form.
    slug = models.SlugField(max_length=60, unique=True)
    # Victims' Code practice: details passed on, and first contact made, within 2 working days.
    first_contact_working_days = models.PositiveSmallIntegerField(default=2)
    # What staff calls and messages say instead of the charity's name, when naming it
    # could put someone at risk.
    discreet_sender_name = models.CharField(max_length=60, default="Support team")
    is_accepting_referrals = models.BooleanField(default=True)
    # Published in the services directory (Open Referral UK's service area).
    service_area = models.CharField(
        max_length=200,
        blank=True,
        help_text="For example 'England and Wales' or 'Greater Manchester'.",
    )
    # Staff must verify with a passkey, which a look-alike sign-in page cannot collect.
    require_passkeys = models.BooleanField(default=False)
    # How a family can reach the organisation themselves, shown on the public pages where
    # they choose it and have chosen it (portal/organisations/contact.py checks them).
    # The phone number is kept in E.164 form, so a tel: link and the database check agree.
    contact_phone = models.CharField(max_length=16, blank=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    contact_opening_hours = models.CharField(max_length=300, blank=True)
    partner_agencies = models.ManyToManyField(
        "ReferringAgency", blank=True, related_name="partner_organisations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_phone="") | Q(contact_phone__regex=UK_E164_PATTERN),
                name="organisation_contact_phone_uk_e164",
            ),
            # A number a frightened person rings must say when someone will answer it.
            models.CheckConstraint(
                condition=Q(contact_phone="") | ~Q(contact_opening_hours=""),
                name="organisation_contact_phone_has_opening_hours",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_display(self) -> str:
        return uk_phone_display(self.contact_phone)

    @property
    def has_contact_details(self) -> bool:
        return bool(self.contact_phone or self.contact_email)


class ReferringAgency(models.Model):
    """A police force or other professional body whose staff refer families."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police force"
        PROFESSIONAL = "professional", "Other professional service"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.POLICE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "referring agencies"

    def __str__(self) -> str:
        return self.name

    def allows_email(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].lower()
        return self.email_domains.filter(domain=domain).exists()


class AgencyEmailDomain(models.Model):
    """An email domain an agency's referrers must use, so a referral's source can be trusted."""

    agency = models.ForeignKey(
        ReferringAgency, on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(max_length=253)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="agency_email_domain_unique"),
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True, user__is_active=True)


class Membership(models.Model):
    """A person's role in an organisation (charity side) or an agency (referrer side)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        ReferringAgency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=sorted(CHARITY_ROLES),
                        organisation__isnull=False,
                        agency__isnull=True,
                    )
                    | Q(
                        role__in=sorted(AGENCY_ROLES),
                        agency__isnull=False,
                        organisation__isnull=True,
                    )
                ),
                name="membership_role_matches_side",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(ended_at__isnull=True, organisation__isnull=False),
                name="membership_unique_active_charity_role",
            ),
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=Q(ended_at__isnull=True, agency__isnull=False),
                name="membership_unique_active_agency_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation or self.agency
        return f"{self.user} — {self.get_role_display()} at {where}"


class Invitation(models.Model):
    """An emailed, single-use, expiring invitation to join as staff or as a referrer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    # Set for referrer invitations: the partner agency the referrer will belong to.
    agency = models.ForeignKey(
        ReferringAgency, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    # Only a hash of the link's secret is kept, so a database copy cannot accept invitations.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.REFERRER, agency__isnull=False)
                | Q(role__in=sorted(CHARITY_ROLES), agency__isnull=True),
                name="invitation_agency_only_for_referrers",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class Purpose(models.TextChoices):
    SUPPORT = "support", "Receiving referrals and contacting and supporting people"
    PEER_GROUPS = "peer_groups", "Running peer support groups"
    RESOURCES = "resources", "Sending information and resource packs"
    REPORTING = "reporting", "Anonymous figures for funders and trustees"


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6(1)."""

    CONSENT = "consent", "Consent (Art. 6(1)(a))"
    CONTRACT = "contract", "Contract (Art. 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Art. 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Art. 6(1)(d))"
    PUBLIC_TASK = "public_task", "Public task (Art. 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Art. 6(1)(f))"


class Condition(models.TextChoices):
    """UK GDPR Article 9(2), and for criminal-offence data the DPA 2018 Schedule 1."""

    EXPLICIT_CONSENT = "explicit_consent", "Explicit consent (Art. 9(2)(a))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Art. 9(2)(c))"
    NOT_FOR_PROFIT = (
        "not_for_profit",
        "Not-for-profit body, members and regular contacts (Art. 9(2)(d))",
    )
    COUNSELLING = "counselling", "Counselling (DPA 2018 Sch. 1 para. 17)"
    SAFEGUARDING = (
        "safeguarding",
        "Safeguarding of children and individuals at risk (DPA 2018 Sch. 1 para. 18)",
    )
    CONSENT_CRIMINAL = (
        "consent_criminal",
        "Consent, for criminal-offence data (DPA 2018 Sch. 1 para. 29)",
    )
    NONE_NEEDED = "none_needed", "No special-category or criminal-offence data (anonymous)"


class LawfulBasisRecord(AppendOnlyModel):
    """What the organisation relies on for one purpose, from a date. Never edited: a new
    record replaces it, so the history shows what applied when."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="lawful_bases"
    )
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    condition = models.CharField(max_length=30, choices=Condition.choices)
    explanation = models.TextField(blank=True)
    privacy_notice_version = models.CharField(max_length=30)
    sharing_agreement_version = models.CharField(max_length=30, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-recorded_at"]
        indexes = [models.Index(fields=["organisation", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.get_lawful_basis_display()}"


class PrivacyNotice(AppendOnlyModel):
    """One published version of the organisation's privacy notice (Markdown)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="privacy_notices"
    )
    version = models.CharField(max_length=30)
    body = models.TextField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="privacy_notice_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"Privacy notice {self.version} of {self.organisation}"
