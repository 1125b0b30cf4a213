"""Subject access requests: the register, the deadline, and the export of everything
held about a person, with third parties' information withheld where staff decide.

The export is built from the person's referral and every record that hangs off it. Free
text written by staff or by others (notes, contact notes) can name other people, so
each such item has a key; items whose keys are in ``withheld`` are replaced by a plain
statement that third-party information was withheld.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from peergroups.models import Attendance, Booking, InitialCallSlot
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.models import MessageLog
from portal.organisations.permissions import require_coordinator
from resources.models import Delivery

from .models import Referral, SubjectAccessRequest
from .safe_contact_rules import override_reasons, overrides_for_export

WITHHELD = "[Withheld: this contained information about someone else.]"
LONGEST_EXTENSION_MONTHS = 2


class SubjectAccessError(Exception):
    """The message is safe to show."""


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when that day does not exist
    (the ICO's rule for "one calendar month")."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _require_coordinator(organisation, actor: User) -> None:
    require_coordinator(
        actor,
        organisation,
        refusal=SubjectAccessError,
        message="Only the organisation's coordinators handle these requests.",
    )


@transaction.atomic
def sar_open(
    *, referral: Referral, received_on: date, notes: str, actor: User, request=None
) -> SubjectAccessRequest:
    _require_coordinator(referral.organisation, actor)
    if received_on > timezone.localdate():
        raise SubjectAccessError("The date received cannot be in the future.")
    sar = SubjectAccessRequest.objects.create(
        organisation=referral.organisation,
        referral=referral,
        received_on=received_on,
        due_on=add_months(received_on, 1),
        notes=notes.strip(),
        handled_by=actor,
    )
    _audit(sar, "subject access request recorded", actor, request)
    return sar


@transaction.atomic
def sar_update(
    *,
    sar: SubjectAccessRequest,
    status: str,
    extended_to: date | None,
    withheld: list[str],
    notes: str,
    actor: User,
    request=None,
) -> SubjectAccessRequest:
    _require_coordinator(sar.organisation, actor)
    sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if extended_to is not None:
        latest = add_months(sar.due_on, LONGEST_EXTENSION_MONTHS)
        if not sar.due_on < extended_to <= latest:
            raise SubjectAccessError(
                f"An extension must end after {sar.due_on:%-d %B %Y} and no later than "
                f"{latest:%-d %B %Y} (two further months)."
            )
    sar.status = status
    sar.extended_to = extended_to
    sar.withheld = sorted(set(withheld))
    sar.notes = notes.strip()
    sar.handled_by = actor
    sar.completed_on = timezone.localdate() if status == sar.Status.COMPLETED else None
    sar.save()
    _audit(sar, f"subject access request {status}", actor, request)
    return sar


def _audit(sar, change: str, actor, request) -> None:
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=sar.organisation,
        target=sar,
        detail={"change": change},
    )


def sar_register(*, organisation) -> list[SubjectAccessRequest]:
    return list(
        SubjectAccessRequest.objects.filter(organisation=organisation)
        .select_related("handled_by", "referral")
        .order_by("status", "due_on")[:500]
    )


@dataclass(frozen=True)
class FreeText:
    """A piece of free text that may be withheld: its key, and what it says."""

    key: str
    label: str
    text: str


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y, %H:%M") if moment else ""


def sar_export(*, referral: Referral, withheld: list[str] | tuple = ()) -> dict:
    """Everything held about the person behind ``referral``, as plain data."""
    withheld = set(withheld)

    def text(key: str, value: str) -> str:
        return WITHHELD if key in withheld and value else value

    safe = getattr(referral, "safe_contact", None)
    bookings = list(
        Booking.objects.filter(referral=referral).select_related("group").order_by("created_at")
    )
    attendance = Attendance.objects.filter(booking__in=bookings).select_related("session")
    return {
        "organisation": referral.organisation.name,
        "reference": referral.reference,
        "referral": {
            "received": _when(referral.created_at),
            "how": referral.get_source_display(),
            "referring_agency": referral.referring_agency.name if referral.referring_agency else "",
            "name": referral.full_name,
            "email": referral.email,
            "phone": referral.phone,
            "relationship": referral.get_relationship_display(),
            "stage": referral.get_stage_display(),
            "children_in_household": referral.get_children_in_household_display(),
            "support_wanted": referral.get_support_wanted_display(),
            "format_preference": referral.get_format_preference_display(),
            "area": referral.area,
            "access_needs": text("access-needs", referral.accessibility_needs),
            "status": referral.get_state_display(),
        },
        "safe_contact": {
            "safe_ways": [
                label
                for flag, label in (
                    ("safe_to_call", "Phone call"),
                    ("safe_to_text", "Text message"),
                    ("safe_to_email", "Email"),
                    ("safe_to_voicemail", "Voicemail"),
                    ("safe_to_post", "Post"),
                )
                if safe and getattr(safe, flag)
            ],
            # The times our messages keep to, in words, and what they wrote about times.
            "safe_times_kept": safe.windows.describe() if safe else "",
            "safe_times": safe.safe_times if safe else "",
            "name_to_use": safe.name_to_use if safe else "",
            "postal_address": safe.postal_address if safe else "",
            "other_notes": text("safe-contact-notes", safe.other_notes) if safe else "",
        },
        "consent": [
            {
                "what": c.get_action_display(),
                "when": _when(c.given_at),
                "how": c.get_method_display(),
                "statement": c.statement_text,
                "taken_by": c.professional_name,
                "agency": c.professional_agency,
            }
            for c in referral.consents.order_by("given_at", "id")
        ],
        "contact_history": [
            {
                "when": _when(a.made_at),
                "how": a.get_channel_display(),
                "outcome": a.get_outcome_display(),
                "note": text(f"contact-{a.pk}", a.note),
            }
            for a in referral.contact_attempts.order_by("made_at", "id")
        ],
        # Contact outside what they said is safe, and the reason staff gave.
        "safe_contact_overrides": overrides_for_export(referral, text),
        "notes": [
            {"when": _when(n.created_at), "note": text(f"note-{n.pk}", n.body)}
            for n in referral.notes.order_by("created_at", "id")
        ],
        "group_places": [
            {"group": b.group.title, "status": b.get_state_display(), "since": _when(b.created_at)}
            for b in bookings
        ],
        "attendance": [
            {"meeting": _when(a.session.starts_at), "attendance": a.get_status_display()}
            for a in attendance.order_by("session__starts_at")
        ],
        "initial_calls": [
            {
                "when": _when(s.starts_at),
                "how": s.get_method_display(),
                "outcome": s.get_outcome_display(),
            }
            for s in InitialCallSlot.objects.filter(referral=referral).order_by("starts_at")
        ],
        "resources_sent": [
            {"title": d.title, "sent": _when(d.created_at), "how": d.get_method_display()}
            for d in Delivery.objects.filter(referral=referral).order_by("created_at")
        ],
        "messages": [
            {
                "when": _when(m.created_at),
                "how": m.channel,
                "about": m.template.replace("_", " "),
                "status": m.get_status_display(),
            }
            for m in MessageLog.objects.filter(
                recipient_type="referrals.referral", recipient_id=str(referral.pk)
            ).order_by("created_at")
        ],
        "questionnaires": [
            {
                "questionnaire": r.questionnaire.title,
                "when": _when(r.submitted_at),
                "point": r.get_time_point_display(),
                "may_be_counted_in_reports": r.consent_to_reports,
                "answers": [
                    {"question": a.question.text, "answer": a.value}
                    for a in sorted(r.answers.all(), key=lambda a: a.question.position)
                ],
            }
            for r in referral.outcome_responses.select_related("questionnaire")
            .prefetch_related("answers__question")
            .order_by("submitted_at")
        ],
    }


def free_text_items(*, referral: Referral) -> list[FreeText]:
    """The pieces of free text a coordinator should read before release."""
    items = []
    if referral.accessibility_needs:
        items.append(FreeText("access-needs", "Access needs", referral.accessibility_needs))
    safe = getattr(referral, "safe_contact", None)
    if safe and safe.other_notes:
        items.append(FreeText("safe-contact-notes", "Safe-contact notes", safe.other_notes))
    for a in referral.contact_attempts.order_by("made_at", "id"):
        if a.note:
            items.append(FreeText(f"contact-{a.pk}", f"Contact note, {_when(a.made_at)}", a.note))
    for n in referral.notes.order_by("created_at", "id"):
        items.append(FreeText(f"note-{n.pk}", f"Case note, {_when(n.created_at)}", n.body))
    items += [FreeText(*item) for item in override_reasons(referral)]
    return items
