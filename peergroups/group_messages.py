"""A one-off message from a group's facilitator (or the organisation's coordinator) to
everyone with a confirmed place in the group.

It is the caseworker's "Send a message" (``referrals.messages_from_staff``) sent to each
person on their own: every copy goes through the notification service's queue
(``message_queue``), by a written way that person said is safe (email first, then text,
as the service itself chooses), at a time they said is safe, waiting for their next
safe time where now is not one. Nothing is sent inside the web request, nobody sees who
else it went to, and the words wait encrypted (``private_context``) and are forgotten
once each copy has gone (``MessageLog`` never keeps a body).

Unlike a caseworker's message to one person, a group message never overrides anyone's
safe times: it is never so urgent that it must reach one person outside them, and a
caseworker can still message that person on their own with a reason.

Before anything is sent, ``group_message_reach`` says, person by person, how it would
reach them (by which channel, now or when) or why it cannot (consent withdrawn, no safe
written way, no address or number, no safe time soon). The send repeats that reckoning
under a lock on the group, so what is sent is what is true at that moment.

Each person's referral gets a timeline entry ("message to the group", the channel,
whether it waits; or why it could not reach them), never the words; the send is audited
on the group and on each referral. One send per form: the form's submission key marks
the send, so a double click or a resent form sends nothing more.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.models import MessageLog
from portal.notifications.services import message_queue
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES, Role
from referrals.choices import Channel
from referrals.messages_from_staff import (
    BODY_MAX_LENGTH,
    SUBMISSION_KEY_MAX_LENGTH,
    WRITTEN_CHANNELS,
    plain_for_text,
    written_channels,
)
from referrals.models import Referral, ReferralEvent, SafeContact
from referrals.safe_contact_rules import contact_check, moment_in_words

from .models import Booking, Group

TEMPLATE = "message_to_group"


class GroupMessageError(Exception):
    """A group message that cannot be sent; the words are safe to show to staff."""


class GroupMessageChanged(GroupMessageError):
    """Who would get the message changed between the preview and the send."""


# Why a person cannot be reached: a code kept on their timeline, and staff's words.
NOT_REACHED = {
    "consent_withdrawn": "They have withdrawn consent to contact.",
    "closed": "Their referral is closed.",
    "no_safe_written_way": "They have not said that email or text is safe (only another "
    "way, such as a call).",
    "no_details": "Email or text is safe, but we have no email address or mobile number to use.",
    "no_safe_time": "None of the times they said are safe comes in the next three weeks.",
}


@dataclass(frozen=True)
class Reach:
    """How the message would reach one person with a confirmed place, or why not."""

    booking: Booking
    # Empty when it cannot reach them (``not_reached`` says why).
    channel: str = ""
    # When it goes: None for now, or the start of their next safe time.
    goes_at: datetime | None = None
    not_reached: str = ""

    @property
    def referral(self) -> Referral:
        return self.booking.referral

    @property
    def reached(self) -> bool:
        return bool(self.channel)

    @property
    def waits(self) -> bool:
        return self.goes_at is not None

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label if self.channel else ""

    @property
    def when_in_words(self) -> str:
        if not self.reached:
            return ""
        if not self.waits:
            return "now"
        return f"at their next safe time, {moment_in_words(self.goes_at)}"

    @property
    def why_not(self) -> str:
        return NOT_REACHED.get(self.not_reached, "")


def may_message_group(user, group: Group) -> bool:
    """The group's facilitators and the organisation's coordinators (each still an active
    member of the organisation) may message the group."""
    if has_role(user, group.organisation, [Role.COORDINATOR]):
        return True
    return (
        has_role(user, group.organisation, CASE_ROLES)
        and group.facilitators.filter(pk=user.pk).exists()
    )


def _safe_contact(referral: Referral) -> SafeContact | None:
    try:
        return referral.safe_contact
    except SafeContact.DoesNotExist:
        return None


def _reach(booking: Booking, *, at: datetime) -> Reach:
    referral = booking.referral
    if not referral.is_contactable:
        return Reach(booking=booking, not_reached="consent_withdrawn")
    if not referral.is_open:
        return Reach(booking=booking, not_reached="closed")
    channels = written_channels(referral)
    if not channels:
        safe = _safe_contact(referral)
        written_safe = safe is not None and any(safe.is_safe(c) for c in WRITTEN_CHANNELS)
        return Reach(
            booking=booking, not_reached="no_details" if written_safe else "no_safe_written_way"
        )
    # Email first, then text: the order the notification service chooses in.
    channel = channels[0]
    check = contact_check(referral, channel=channel, at=at)
    if not check.unsafe_time:
        return Reach(booking=booking, channel=channel)
    goes_at = check.next_safe_moment
    if goes_at is None:
        return Reach(booking=booking, not_reached="no_safe_time")
    return Reach(booking=booking, channel=channel, goes_at=goes_at)


def confirmed_places(group: Group):
    return (
        Booking.objects.filter(group=group, state=Booking.State.CONFIRMED)
        .select_related("group", "referral", "referral__organisation", "referral__safe_contact")
        .order_by("confirmed_at", "pk")
    )


def group_message_reach(*, group: Group, at: datetime | None = None) -> list[Reach]:
    """Everyone with a confirmed place, each with how the message would reach them now
    (or why it cannot): the ones it reaches first."""
    at = at or timezone.now()
    reaches = [_reach(booking, at=at) for booking in confirmed_places(group)]
    return sorted(reaches, key=lambda reach: not reach.reached)


def reach_fingerprint(reaches: list[Reach]) -> str:
    """Who would get it, and how: what the preview showed, so a send after someone's
    place or safe ways changed shows the preview again instead of sending."""
    text = "|".join(sorted(f"{r.booking.pk}:{r.channel}:{r.not_reached}" for r in reaches))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class GroupMessageSent:
    reaches: list[Reach]
    # True when this was the same form again (a double click): nothing more was sent.
    repeated: bool = False

    @property
    def now(self) -> list[Reach]:
        return [r for r in self.reaches if r.reached and not r.waits]

    @property
    def waiting(self) -> list[Reach]:
        return [r for r in self.reaches if r.waits]

    @property
    def not_reached(self) -> list[Reach]:
        return [r for r in self.reaches if not r.reached]


def _batch(group: Group, submission_key: str) -> str:
    return f"group-message:{group.pk}:{submission_key}"


def group_message_send(
    *,
    group: Group,
    body: str,
    actor,
    submission_key: str,
    fingerprint: str = "",
    request=None,
) -> GroupMessageSent:
    """Queue the message for everyone with a confirmed place whom it can reach safely.

    Raises ``GroupMessageError`` when it cannot be sent at all (no right to, an empty or
    too long message, or, given ``fingerprint``, who would get it changed since the
    preview). Sending the same form again sends nothing more (``repeated``)."""
    body = body.strip()
    if not submission_key or len(submission_key) > SUBMISSION_KEY_MAX_LENGTH:
        raise GroupMessageError("The form was not complete: open the group again and resend.")
    if not body:
        raise GroupMessageError("Write the message before sending it.")
    if len(body) > BODY_MAX_LENGTH:
        raise GroupMessageError(f"Keep the message to {BODY_MAX_LENGTH} characters or fewer.")
    batch = _batch(group, submission_key)
    with transaction.atomic():
        # Two presses of the same form wait here for each other; the second finds the
        # first's audit row and sends nothing.
        group = Group.objects.select_for_update().select_related("organisation").get(pk=group.pk)
        if not may_message_group(actor, group):
            raise GroupMessageError(
                "Only the group's facilitators and the organisation's coordinators can "
                "message the group."
            )
        earlier = AuditEvent.objects.filter(
            target_type="peergroups.group", target_id=str(group.pk), detail__batch=batch
        ).first()
        now = timezone.now()
        reaches = group_message_reach(group=group, at=now)
        if earlier is not None:
            return GroupMessageSent(reaches=reaches, repeated=True)
        if fingerprint and fingerprint != reach_fingerprint(reaches):
            raise GroupMessageChanged(
                "Who the message would reach has changed since you checked it. Check the "
                "list again before sending."
            )
        for reach in reaches:
            if reach.reached:
                _queue(reach, group=group, body=body, batch=batch, actor=actor, request=request)
            elif reach.not_reached not in ("consent_withdrawn", "closed"):
                # Someone who asked us to stop, or whose referral is closed, gets nothing
                # new on their record; anyone else's caseworker should know.
                _not_reached(reach, group=group, actor=actor, request=request)
        sent = GroupMessageSent(reaches=reaches)
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=group.organisation,
            target=group,
            detail={
                "change": "group_message_sent",
                "template": TEMPLATE,
                "batch": batch,
                "now": len(sent.now),
                "waiting": len(sent.waiting),
                "not_reached": len(sent.not_reached),
            },
        )
    return sent


def _queue(reach: Reach, *, group: Group, body: str, batch: str, actor, request) -> None:
    referral = reach.referral
    words = plain_for_text(body) if reach.channel == Channel.TEXT else body
    log = message_queue(
        organisation=group.organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template=TEMPLATE,
        # Its guard (message_kinds) drops it if the place ends or the referral closes
        # before it goes.
        context={
            "referral_id": str(referral.pk),
            "booking_id": str(reach.booking.pk),
            "group_id": str(group.pk),
        },
        key=f"{batch}:{referral.pk}",
        private_context={"body": words},
        send_after=reach.goes_at,
    )
    if log is None:
        return
    # Chosen here, from what the preview showed; delivery checks it is still safe.
    MessageLog.objects.filter(pk=log.pk).update(channel=reach.channel)
    codes = {
        "message": log.pk,
        "template": TEMPLATE,
        "to_group": True,
        "channel": reach.channel,
        "waits": reach.waits,
    }
    ReferralEvent.objects.create(
        referral=referral, kind=ReferralEvent.Kind.MESSAGE, actor=actor, detail=codes
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=group.organisation,
        target=referral,
        detail={"change": "message_sent", "group": str(group.pk), **codes},
    )


def _not_reached(reach: Reach, *, group: Group, actor, request) -> None:
    """On their timeline, so whoever works with them knows they did not get it."""
    codes = {"template": TEMPLATE, "to_group": True, "not_sent": reach.not_reached}
    ReferralEvent.objects.create(
        referral=reach.referral, kind=ReferralEvent.Kind.MESSAGE, actor=actor, detail=codes
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=group.organisation,
        target=reach.referral,
        detail={"change": "message_not_sent", "group": str(group.pk), **codes},
    )
