"""Every write to a referral: submission, triage, contact, notes, consent withdrawal.

Each function runs in one transaction: checks first, then the change, then the
timeline and audit rows, then anything to send on commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.core.working_days import add_working_days
from portal.crypto.keys import lookup_hash, lookup_keys
from portal.notifications.contact_windows import ContactWindows
from portal.organisations.models import Organisation, ReferringAgency
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES

from . import consent as consent_statements
from .choices import AttemptOutcome, CloseReason, ConsentMethod, Source, State
from .models import (
    CaseNote,
    ConsentRecord,
    ContactAttempt,
    Referral,
    ReferralEvent,
    SafeContact,
    SafeContactOverride,
)
from .name_index import name_index_set
from .progress import referral_progress
from .references import new_reference
from .safe_contact_rules import safe_contact_respected
from .signals import consent_withdrawn
from .transitions import can_move, refusal


class ReferralError(Exception):
    """A change that cannot be made; the message is safe to show to staff."""


class InvalidTransition(ReferralError):
    pass


@dataclass(frozen=True)
class PersonDetails:
    full_name: str
    relationship: str
    stage: str
    children_in_household: str
    support_wanted: str
    format_preference: str
    email: str = ""
    phone: str = ""
    area: str = ""
    accessibility_needs: str = ""


@dataclass(frozen=True)
class SafeContactDetails:
    safe_channels: frozenset[str]
    # The person's own words about times, for people to read.
    safe_times: str = ""
    # The same as weekly windows every message and action keeps to; none is any time.
    windows: ContactWindows = field(default_factory=ContactWindows)
    name_to_use: str = ""
    may_name_organisation: bool = False
    shares_device_with_person: bool = False
    shares_address_with_person: bool = False
    postal_address: str = ""
    other_notes: str = ""


@dataclass(frozen=True)
class ConsentDetails:
    method: str
    given_at: object  # datetime
    statement_version: str
    share_status_with_referrer: bool = False
    professional_name: str = ""
    professional_identifier: str = ""
    purposes: tuple[str, ...] = field(default=("contact about support",))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_phone(phone: str) -> str:
    """UK numbers in E.164 form, so 07700 900123 and +44 7700 900123 match."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _event(referral: Referral, kind: str, *, actor: User | None = None, **detail) -> None:
    ReferralEvent.objects.create(referral=referral, kind=kind, actor=actor, detail=detail)


def _audit_change(referral: Referral, change: str, *, actor, request, **detail) -> None:
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=referral.organisation,
        target=referral,
        detail={"change": change, **detail},
    )


def _find_possible_duplicate(
    *, organisation: Organisation, email: str, phone: str
) -> Referral | None:
    from django.db.models import Q

    # Every configured lookup key, so matches still work while keys are being rotated.
    keys = lookup_keys()
    condition = Q()
    if email:
        condition |= Q(email_hash__in=[lookup_hash(email, key=key) for key in keys])
    if phone:
        condition |= Q(phone_hash__in=[lookup_hash(phone, key=key) for key in keys])
    if not condition:
        return None
    # Found by the keyed hashes alone, then narrowed here to this organisation's open
    # referrals. Asked with the organisation and "earliest first" in SQL, the planner
    # walked the organisation's referrals in date order hoping for an early match; most
    # people are no one's duplicate, so it read all of them, more as a charity grew. The
    # hashes match a handful of rows however large the tables are; of another
    # organisation's matches only these columns are read, never the person's details.
    matches = Referral.objects.filter(condition).only(
        "id", "organisation_id", "state", "created_at", "reference"
    )
    ours = [m for m in matches if m.organisation_id == organisation.pk and m.is_open]
    return min(ours, key=lambda m: (m.created_at, str(m.pk)), default=None)


def referral_submit(
    *,
    organisation: Organisation,
    person: PersonDetails,
    safe_contact: SafeContactDetails,
    consent: ConsentDetails,
    source: str,
    referrer: User | None = None,
    agency: ReferringAgency | None = None,
    submission_key: str | None = None,
    api_key=None,
    request=None,
) -> Referral:
    """Create a referral with its consent and safe-contact record.

    A professional referral comes from a signed-in ``referrer`` or from a partner's case
    system through an agency ``api_key``; either way ``agency`` is who sent it.

    A repeated ``submission_key`` (a double click, a retried request) returns the
    referral made the first time instead of creating another.
    """
    if submission_key:
        existing = Referral.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    if not organisation.is_accepting_referrals:
        raise ReferralError(f"{organisation.name} is not accepting referrals at the moment.")
    if source == Source.PROFESSIONAL:
        if (referrer is None and api_key is None) or agency is None:
            raise ReferralError("A professional referral needs the referrer and their agency.")
        if not organisation.partner_agencies.filter(pk=agency.pk).exists():
            raise ReferralError(f"{organisation.name} does not take referrals from {agency.name}.")
    email = normalise_email(person.email) if person.email else ""
    phone = normalise_phone(person.phone) if person.phone else ""
    if source == Source.SELF and not (email or phone):
        raise ReferralError("We need an email address or a phone number to contact you.")
    statement = consent_statements.statement(
        consent.statement_version, organisation_name=organisation.name
    )
    now = timezone.now()

    try:
        with transaction.atomic():
            email_hash = lookup_hash(email) if email else ""
            phone_hash = lookup_hash(phone) if phone else ""
            duplicate = _find_possible_duplicate(
                organisation=organisation, email=email, phone=phone
            )
            referral = Referral.objects.create(
                organisation=organisation,
                reference=_unused_reference(),
                source=source,
                referring_agency=agency,
                referred_by=referrer,
                api_key=api_key,
                full_name=person.full_name.strip(),
                email=email,
                email_hash=email_hash,
                phone=phone,
                phone_hash=phone_hash,
                relationship=person.relationship,
                stage=person.stage,
                children_in_household=person.children_in_household,
                support_wanted=person.support_wanted,
                format_preference=person.format_preference,
                area=person.area.strip(),
                accessibility_needs=person.accessibility_needs.strip(),
                share_status_with_referrer=consent.share_status_with_referrer,
                first_contact_due=add_working_days(now, organisation.first_contact_working_days),
                possible_duplicate_of=duplicate,
                submission_key=submission_key,
            )
            name_index_set(referral)
            safe = SafeContact(
                referral=referral,
                safe_to_call="call" in safe_contact.safe_channels,
                safe_to_text="text" in safe_contact.safe_channels,
                safe_to_email="email" in safe_contact.safe_channels,
                safe_to_voicemail="voicemail" in safe_contact.safe_channels,
                safe_to_post="post" in safe_contact.safe_channels,
                safe_times=safe_contact.safe_times.strip(),
                name_to_use=safe_contact.name_to_use.strip(),
                may_name_organisation=safe_contact.may_name_organisation,
                shares_device_with_person=safe_contact.shares_device_with_person,
                shares_address_with_person=safe_contact.shares_address_with_person,
                postal_address=safe_contact.postal_address.strip(),
                other_notes=safe_contact.other_notes.strip(),
                confirmed_at=now,
            )
            safe.set_windows(safe_contact.windows)
            safe.save()
            ConsentRecord.objects.create(
                referral=referral,
                action=ConsentRecord.Action.GIVEN,
                method=consent.method,
                given_at=consent.given_at,
                statement_version=statement.version,
                statement_text=statement.text,
                scope={
                    "share_with": organisation.name,
                    "channels": sorted(safe_contact.safe_channels),
                    "purposes": list(consent.purposes),
                    "share_status_with_referrer": consent.share_status_with_referrer,
                },
                recorded_by=referrer,
                professional_name=consent.professional_name.strip(),
                professional_agency=agency.name if agency else "",
                professional_identifier=consent.professional_identifier.strip(),
            )
            _event(
                referral,
                ReferralEvent.Kind.SUBMITTED,
                actor=referrer,
                source=source,
                **({"api_key": api_key.name} if api_key is not None else {}),
            )
            if duplicate is not None:
                _event(
                    referral,
                    ReferralEvent.Kind.DUPLICATE_FLAGGED,
                    other_reference=duplicate.reference,
                )
            _audit_change(
                referral,
                "submitted",
                actor=referrer,
                request=request,
                source=source,
                **({"api_key": api_key.prefix} if api_key is not None else {}),
            )
            if source == Source.SELF:
                transaction.on_commit(lambda: _acknowledge(referral.pk))
    except IntegrityError:
        # Two identical submissions raced each other: the first one won.
        if submission_key:
            existing = Referral.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing
        raise
    return referral


def _unused_reference() -> str:
    for _ in range(10):
        reference = new_reference()
        if not Referral.objects.filter(reference=reference).exists():
            return reference
    raise ReferralError("Could not make a unique reference; please try again.")


def _acknowledge(referral_id) -> None:
    from .notifications import referral_acknowledge

    referral = Referral.objects.select_related("organisation", "safe_contact").get(pk=referral_id)
    referral_acknowledge(referral=referral)


def _require_staff(referral: Referral, actor: User) -> None:
    if not has_role(actor, referral.organisation, CASE_ROLES):
        raise ReferralError("You do not have a role in this referral's organisation.")


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def referral_transition(
    *, referral: Referral, to_state: str, actor: User, close_reason: str = "", request=None
) -> Referral:
    """Move a referral to ``to_state`` if the state machine allows it."""
    with transaction.atomic():
        referral = _locked(referral)
        _require_staff(referral, actor)
        if to_state not in State.values:
            raise InvalidTransition("That is not a status a referral can have.")
        if not can_move(referral.state, to_state):
            raise InvalidTransition(
                f"A referral that is '{referral.get_state_display()}' cannot move to "
                f"'{State(to_state).label}'."
            )
        if to_state == State.CLOSED and close_reason not in CloseReason.values:
            raise InvalidTransition("Choose a reason for closing the referral.")
        if to_state == State.PLACED or close_reason == CloseReason.COMPLETED:
            refused = refusal(
                target=to_state,
                close_reason=close_reason,
                progress=referral_progress(referral=referral),
            )
            if refused:
                raise InvalidTransition(refused)
        previous = referral.state
        referral.state = to_state
        fields = ["state", "updated_at"]
        if to_state == State.CLOSED:
            referral.close_reason = close_reason
            referral.closed_at = timezone.now()
            fields += ["close_reason", "closed_at"]
        referral.save(update_fields=fields)
        _event(
            referral,
            ReferralEvent.Kind.STATE_CHANGED,
            actor=actor,
            **{"from": previous, "to": to_state, "reason": close_reason},
        )
        _audit_change(
            referral, "state", actor=actor, request=request, **{"from": previous, "to": to_state}
        )
    return referral


def referral_assign(
    *, referral: Referral, assignee: User | None, actor: User, request=None
) -> Referral:
    with transaction.atomic():
        referral = _locked(referral)
        _require_staff(referral, actor)
        if assignee is not None and not has_role(assignee, referral.organisation, CASE_ROLES):
            raise ReferralError("That person does not work for this organisation.")
        referral.assigned_to = assignee
        referral.save(update_fields=["assigned_to", "updated_at"])
        _event(
            referral,
            ReferralEvent.Kind.ASSIGNED,
            actor=actor,
            assignee=str(assignee.public_id) if assignee else None,
        )
        _audit_change(referral, "assigned", actor=actor, request=request)
    return referral


def contact_attempt_record(
    *,
    referral: Referral,
    channel: str,
    outcome: str,
    note: str,
    actor: User,
    made_at=None,
    override_reason: str = "",
    request=None,
) -> ContactAttempt:
    """Log a contact attempt. The first time someone is reached, a new referral moves
    to 'in contact' and its first-contact deadline is met.

    A channel or a time the person did not say is safe is refused (``UnsafeContact``)
    unless ``override_reason`` says why; the reason is then kept, put on the timeline
    and audited (``safe_contact_rules``). The time checked is ``made_at``, when they
    tried (now if not given): a call made at 7pm and logged the next morning was made at
    7pm (``forms_contact`` asks for it and refuses a time to come or long past)."""
    made_at = made_at or timezone.now()
    with transaction.atomic():
        referral = _locked(referral)
        _require_staff(referral, actor)
        if not referral.is_open:
            raise ReferralError("This referral is closed: reopen it before logging contact.")
        if not referral.is_contactable:
            raise ReferralError("This person has withdrawn consent: do not contact them.")
        safe_contact_respected(
            referral=referral,
            action=SafeContactOverride.Action.CONTACT_ATTEMPT,
            actor=actor,
            channel=channel,
            at=made_at,
            override_reason=override_reason,
            request=request,
        )
        attempt = ContactAttempt.objects.create(
            referral=referral,
            channel=channel,
            outcome=outcome,
            note=note.strip(),
            made_by=actor,
            made_at=made_at,
        )
        _event(
            referral,
            ReferralEvent.Kind.CONTACT_ATTEMPT,
            actor=actor,
            channel=channel,
            outcome=outcome,
        )
        if outcome == AttemptOutcome.REACHED:
            if referral.first_contacted_at is None:
                referral.first_contacted_at = attempt.made_at
                referral.save(update_fields=["first_contacted_at", "updated_at"])
            if referral.state == State.NEW:
                referral_transition(
                    referral=referral, to_state=State.IN_CONTACT, actor=actor, request=request
                )
        _audit_change(referral, "contact_attempt", actor=actor, request=request)
    return attempt


def case_note_add(*, referral: Referral, body: str, actor: User, request=None) -> CaseNote:
    body = body.strip()
    if not body:
        raise ReferralError("Write the note before saving it.")
    with transaction.atomic():
        _require_staff(referral, actor)
        note = CaseNote.objects.create(referral=referral, body=body, author=actor)
        _event(referral, ReferralEvent.Kind.NOTE_ADDED, actor=actor)
        _audit_change(referral, "note", actor=actor, request=request)
    return note


def _safe_contact_answers(safe: SafeContact) -> dict:
    """What a safe-contact change may change, by the names the timeline shows."""
    return {
        "channels": sorted(safe.safe_channels),
        "safe_windows": safe.windows,
        "safe_times": safe.safe_times,
        "name_to_use": safe.name_to_use,
        "may_name_organisation": safe.may_name_organisation,
        "shares_device_with_person": safe.shares_device_with_person,
        "shares_address_with_person": safe.shares_address_with_person,
        "postal_address": safe.postal_address,
        "other_notes": safe.other_notes,
    }


def safe_contact_update(
    *, referral: Referral, details: SafeContactDetails, actor: User, request=None
) -> SafeContact:
    with transaction.atomic():
        _require_staff(referral, actor)
        safe = SafeContact.objects.select_for_update().get(referral=referral)
        before = _safe_contact_answers(safe)
        for channel in ("call", "text", "email", "voicemail", "post"):
            setattr(safe, f"safe_to_{channel}", channel in details.safe_channels)
        safe.safe_times = details.safe_times.strip()
        safe.set_windows(details.windows)
        safe.name_to_use = details.name_to_use.strip()
        safe.may_name_organisation = details.may_name_organisation
        safe.shares_device_with_person = details.shares_device_with_person
        safe.shares_address_with_person = details.shares_address_with_person
        safe.postal_address = details.postal_address.strip()
        safe.other_notes = details.other_notes.strip()
        safe.confirmed_at = timezone.now()
        safe.save()
        after = _safe_contact_answers(safe)
        _event(
            referral,
            ReferralEvent.Kind.SAFE_CONTACT_UPDATED,
            actor=actor,
            channels=sorted(details.safe_channels),
            # Which answers changed, never what they are: those stay encrypted.
            changed=[name for name in after if after[name] != before[name]],
        )
        _audit_change(referral, "safe_contact", actor=actor, request=request)
    return safe


def consent_withdraw(
    *, referral: Referral, method: str, actor: User | None = None, request=None
) -> Referral:
    """Record a withdrawal: contact and reminders stop at once and the referral closes."""
    with transaction.atomic():
        referral = _locked(referral)
        if actor is not None:
            _require_staff(referral, actor)
        if referral.consent_withdrawn_at is not None:
            return referral
        now = timezone.now()
        ConsentRecord.objects.create(
            referral=referral,
            action=ConsentRecord.Action.WITHDRAWN,
            method=method,
            given_at=now,
            recorded_by=actor,
            scope={"withdrawn": True},
        )
        referral.consent_withdrawn_at = now
        fields = ["consent_withdrawn_at", "updated_at"]
        previous = referral.state
        if referral.state != State.CLOSED:
            referral.state = State.CLOSED
            referral.close_reason = CloseReason.CONSENT_WITHDRAWN
            referral.closed_at = now
            fields += ["state", "close_reason", "closed_at"]
        referral.save(update_fields=fields)
        _event(referral, ReferralEvent.Kind.CONSENT_WITHDRAWN, actor=actor, method=method)
        if previous != State.CLOSED:
            _event(
                referral,
                ReferralEvent.Kind.STATE_CHANGED,
                actor=actor,
                **{"from": previous, "to": State.CLOSED, "reason": CloseReason.CONSENT_WITHDRAWN},
            )
        _audit_change(referral, "consent_withdrawn", actor=actor, request=request, method=method)
        consent_withdrawn.send(sender=Referral, referral=referral)
    return referral


__all__ = [
    "ConsentDetails",
    "ConsentMethod",
    "InvalidTransition",
    "PersonDetails",
    "ReferralError",
    "SafeContactDetails",
    "case_note_add",
    "consent_withdraw",
    "contact_attempt_record",
    "referral_assign",
    "referral_submit",
    "referral_transition",
    "safe_contact_update",
]
