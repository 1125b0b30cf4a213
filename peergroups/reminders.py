"""Reminders for meetings and initial calls: found by scanning for what is due, queued once.

Nothing is scheduled days ahead. Each run looks for meetings starting within the
organisation's reminder offsets and queues one message per person per offset, keyed so
that a second run, a retry or a second scheduler can never queue it again. A meeting
that moves gets a new key (its start time is part of it); one that is cancelled, or a
place given up, is caught when the message is about to leave.

A reminder is meant for the moment it falls due but waits for the person's next safe
time, and is no use once the meeting or call has begun (``needed_by``): one with no
safe time before then is not sent, and staff are told. An earlier reminder still
waiting when a later one for the same meeting is decided is dropped, so a person whose
safe time comes only just before the meeting hears once, not twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.notifications.models import NotificationSettings, SentMarker
from portal.notifications.registry import register_guard
from portal.notifications.services import message_queue

from .models import Booking, InitialCallSlot, Session

CALL_REMINDER_BEFORE = timedelta(hours=24)


def _in_words(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "l j F \\a\\t g:i a")


def _settings_by_organisation(organisation_ids) -> dict:
    found = {
        s.organisation_id: s
        for s in NotificationSettings.objects.filter(organisation_id__in=organisation_ids)
    }
    return {
        pk: found.get(pk) or NotificationSettings(organisation_id=pk) for pk in organisation_ids
    }


def session_reminders_queue(*, now: datetime | None = None) -> int:
    """Queue every meeting reminder that is due now. Returns how many were queued."""
    now = now or timezone.now()
    longest = max(NotificationSettings.DEFAULT_SESSION_OFFSETS)
    custom = NotificationSettings.objects.exclude(session_reminder_offsets=[]).values_list(
        "session_reminder_offsets", flat=True
    )
    for offsets in custom:
        longest = max([longest, *offsets])
    queued = 0
    with transaction.atomic():
        # Claim the meetings this run handles; another run skips them rather than wait.
        sessions = list(
            Session.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=Session.Status.SCHEDULED,
                starts_at__gt=now,
                starts_at__lte=now + timedelta(minutes=longest),
            )
            .select_related("group")
        )
        preferences = _settings_by_organisation({s.group.organisation_id for s in sessions})
        bookings = Booking.objects.filter(
            group_id__in={s.group_id for s in sessions}, state=Booking.State.CONFIRMED
        ).values_list("pk", "group_id", "referral_id")
        by_group: dict = {}
        for booking_id, group_id, referral_id in bookings:
            by_group.setdefault(group_id, []).append((booking_id, referral_id))
        for session in sessions:
            settings = preferences[session.group.organisation_id]
            if not settings.send_session_reminders:
                continue
            due = [o for o in settings.offsets if session.starts_at - timedelta(minutes=o) <= now]
            if not due:
                continue
            offset = min(due)  # only the latest reminder, never a stale earlier one
            for booking_id, referral_id in by_group.get(session.group_id, []):
                queued += bool(
                    message_queue(
                        organisation=session.group.organisation,
                        record_type="referrals.referral",
                        record_id=str(referral_id),
                        template="session_reminder",
                        context={
                            "session_id": str(session.pk),
                            "booking_id": str(booking_id),
                            "starts_at": session.starts_at.isoformat(),
                            "when": _in_words(session.starts_at),
                            "offset_minutes": offset,
                        },
                        key=_session_reminder_key(booking_id, session, offset),
                        needed_by=session.starts_at,
                    )
                )
    return queued


def call_reminders_queue(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    queued = 0
    with transaction.atomic():
        slots = (
            InitialCallSlot.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                referral__isnull=False,
                starts_at__gt=now,
                starts_at__lte=now + CALL_REMINDER_BEFORE,
            )
            .select_related("organisation")
        )
        for slot in slots:
            preferences = NotificationSettings.objects.filter(
                organisation=slot.organisation
            ).first()
            if preferences is not None and not preferences.send_call_reminders:
                continue
            queued += bool(
                message_queue(
                    organisation=slot.organisation,
                    record_type="referrals.referral",
                    record_id=str(slot.referral_id),
                    template="call_reminder",
                    context={
                        "slot_id": str(slot.pk),
                        "referral_id": str(slot.referral_id),
                        "starts_at": slot.starts_at.isoformat(),
                        "when": _in_words(slot.starts_at),
                        # How it happens: the reminder says so (phone or video).
                        "method": slot.method,
                    },
                    key=f"call-reminder:{slot.pk}:{slot.referral_id}:{slot.starts_at.isoformat()}",
                    needed_by=slot.starts_at,
                )
            )
    return queued


def _session_reminder_key(booking_id, session: Session, offset: int) -> str:
    return f"session-reminder:{booking_id}:{session.pk}:{offset}:{session.starts_at.isoformat()}"


def _a_later_reminder_was_decided(context: dict) -> bool:
    """Whether a reminder nearer the meeting has been queued for the same place and time.
    (Reminders queued before the context said their offset skip this check.)"""
    offset = context.get("offset_minutes")
    if offset is None:
        return False
    prefix = f"session-reminder:{context['booking_id']}:{context['session_id']}:"
    keys = SentMarker.objects.filter(
        key__startswith=prefix, key__endswith=f":{context['starts_at']}"
    ).values_list("key", flat=True)
    return any(int(key[len(prefix) :].split(":", 1)[0]) < offset for key in keys)


def _session_reminder_still_wanted(context: dict) -> str | None:
    session = Session.objects.filter(pk=context["session_id"]).first()
    if session is None or session.status != Session.Status.SCHEDULED:
        return "the meeting was cancelled"
    if session.starts_at.isoformat() != context["starts_at"]:
        return "the meeting moved; a reminder for the new time is sent instead"
    if not Booking.objects.filter(pk=context["booking_id"], state=Booking.State.CONFIRMED).exists():
        return "the place was given up"
    if _a_later_reminder_was_decided(context):
        return "a later reminder for this meeting is sent instead"
    return None


def _call_reminder_still_wanted(context: dict) -> str | None:
    slot = InitialCallSlot.objects.filter(pk=context["slot_id"]).first()
    if (
        slot is None
        or slot.referral_id is None
        or slot.starts_at.isoformat() != context["starts_at"]
        # A person who moved their call frees the time for someone else, who may book
        # it before this reminder goes: it is no longer theirs. (Reminders queued before
        # the context named the person have no "referral_id" and skip this check.)
        or str(slot.referral_id) != context.get("referral_id", str(slot.referral_id))
    ):
        return "the call was cancelled or moved"
    return None


register_guard("session_reminder", _session_reminder_still_wanted)
register_guard("call_reminder", _call_reminder_still_wanted)


def facilitator_digests_queue(*, now: datetime | None = None) -> int:
    """Each facilitator hears, once a day, which of their groups meet tomorrow."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = today + timedelta(days=1)
    sessions = (
        Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__date=tomorrow)
        .select_related("group__organisation")
        .prefetch_related("group__facilitators")
        .order_by("starts_at")
    )
    lines: dict[tuple, list[str]] = {}
    organisations = {}
    for session in sessions:
        organisations[session.group.organisation_id] = session.group.organisation
        confirmed = session.group.bookings.filter(state=Booking.State.CONFIRMED).count()
        line = (
            f"{date_format(timezone.localtime(session.starts_at), 'g:i a')}: "
            f"{session.group.title} ({confirmed} booked)"
        )
        for facilitator in session.group.facilitators.all():
            key = (session.group.organisation_id, str(facilitator.public_id))
            lines.setdefault(key, []).append(line)
    queued = 0
    for (organisation_id, person), meetings in lines.items():
        queued += bool(
            message_queue(
                organisation=organisations[organisation_id],
                record_type="accounts.user",
                record_id=person,
                template="facilitator_digest",
                context={"meetings": meetings, "day": date_format(tomorrow, "l j F")},
                key=f"facilitator-digest:{organisation_id}:{person}:{tomorrow.isoformat()}",
            )
        )
    return queued
