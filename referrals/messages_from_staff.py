"""A one-off message from a caseworker to the person, by a way they said is safe to write
to them, at a time they said is safe.

The caseworker writes a short plain message and chooses email or text among the
person's safe written channels. It goes through the notification service's queue
(``message_queue``) like every other message to a family: under the organisation's
discreet sender name, with a neutral subject and the way to stop all contact at the end.
The words wait encrypted in the queue (``private_context``) and are not kept once the
message has gone (``MessageLog`` never keeps a body).

Outside their safe times it waits for the next one, and the page says when that is. A
caseworker who needs it to go now anyway says why: the reason is recorded as a
``SafeContactOverride`` (audited and on the timeline) and the message is marked so that
delivery does not hold it (``MessageLog.time_override``). A channel they did not say is
safe is never overridden: staff update their safe contact first.

One message per form: the form's submission key becomes the message's ``SentMarker``
key, so a double click or a resent form sends it once.

A message waiting for a safe time is dropped if the referral closes or consent is
withdrawn before it goes (its guard, in ``message_kinds``), and staff can stop it
themselves from the referral's page (``staff_message_stop``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.models import MessageLog, SentMarker
from portal.notifications.services import message_queue, message_refuse
from portal.organisations.permissions import has_role, user_roles
from portal.organisations.roles import CASE_ROLES, Role

from .choices import Channel
from .models import Referral, ReferralEvent, SafeContact, SafeContactOverride
from .safe_contact_rules import contact_check, moment_in_words, safe_contact_respected

TEMPLATE = "message_from_caseworker"
WRITTEN_CHANNELS = (Channel.EMAIL, Channel.TEXT)
BODY_MAX_LENGTH = 1000
SUBMISSION_KEY_MAX_LENGTH = 64

# Typed or pasted punctuation a phone's basic alphabet does not have: one of them sends
# a whole text in the larger alphabet, in twice as many parts.
PLAIN_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


class MessageError(Exception):
    """A message that cannot be sent; the words are safe to show to staff."""


class _AlreadyDecided(Exception):
    """The same form was sent before: undo this attempt and answer with the first."""


@dataclass(frozen=True)
class MessageSent:
    log: MessageLog
    # When it goes: now, or the start of their next safe time.
    goes_at: datetime
    goes_now: bool
    override: SafeContactOverride | None = None
    # True when this was the same form again (a double click): nothing more was sent.
    repeated: bool = False

    @property
    def when_in_words(self) -> str:
        if self.goes_now:
            return "now"
        return f"on {moment_in_words(self.goes_at)}, their next safe time"


def written_channels(referral: Referral) -> list[str]:
    """The ways a message may go: email or text, marked safe, with the details to use."""
    safe = _safe_contact(referral)
    if safe is None or not referral.is_contactable:
        return []
    details = {Channel.EMAIL: referral.email, Channel.TEXT: referral.phone}
    return [channel for channel in WRITTEN_CHANNELS if safe.is_safe(channel) and details[channel]]


def next_safe_moment(referral: Referral, *, at: datetime | None = None) -> datetime | None:
    """When a message written now would go: now, or the start of their next safe time."""
    return contact_check(referral, at=at or timezone.now()).next_safe_moment


def plain_for_text(body: str) -> str:
    return body.translate(PLAIN_PUNCTUATION)


def message_key(referral: Referral, submission_key: str) -> str:
    return f"staff-message:{referral.pk}:{submission_key}"


def staff_message_send(
    *,
    referral: Referral,
    body: str,
    channel: str,
    actor: User,
    submission_key: str,
    send_now_anyway: bool = False,
    override_reason: str = "",
    request=None,
) -> MessageSent:
    """Queue a caseworker's message to the person: now if now is a safe time, otherwise
    at their next safe time, or now anyway with a reason (``send_now_anyway``).

    Raises ``MessageError`` for what cannot be sent at all (an unsafe or unusable
    channel, a closed referral, an empty message) and ``UnsafeContact`` when it was
    asked to go now outside their safe times without a reason.
    """
    body = body.strip()
    if not submission_key or len(submission_key) > SUBMISSION_KEY_MAX_LENGTH:
        raise MessageError("The form was not complete: open the referral again and resend.")
    key = message_key(referral, submission_key)
    try:
        with transaction.atomic():
            return _send(
                referral=Referral.objects.select_for_update().get(pk=referral.pk),
                body=body,
                channel=channel,
                actor=actor,
                key=key,
                send_now_anyway=send_now_anyway,
                override_reason=override_reason,
                request=request,
            )
    except _AlreadyDecided:
        first = SentMarker.objects.select_related("message").get(key=key).message
        goes_at = first.send_after or first.created_at
        return MessageSent(
            log=first, goes_at=goes_at, goes_now=goes_at <= first.created_at, repeated=True
        )


def _send(
    *,
    referral: Referral,
    body: str,
    channel: str,
    actor: User,
    key: str,
    send_now_anyway: bool,
    override_reason: str,
    request,
) -> MessageSent:
    if not has_role(actor, referral.organisation, CASE_ROLES):
        raise MessageError("You do not have a role in this referral's organisation.")
    if SentMarker.objects.filter(key=key).exists():
        raise _AlreadyDecided
    _require_sendable(referral, body=body, channel=channel)
    now = timezone.now()
    check = contact_check(referral, channel=channel, at=now)
    override = None
    goes_at = now
    if check.unsafe_time and send_now_anyway:
        override = safe_contact_respected(
            referral=referral,
            action=SafeContactOverride.Action.MESSAGE,
            actor=actor,
            channel=channel,
            at=now,
            override_reason=override_reason,
            request=request,
        )
    elif check.unsafe_time:
        goes_at = check.next_safe_moment
        if goes_at is None:
            raise MessageError(
                "They have no safe time in the next three weeks, so the message could not "
                "wait for one. Check their safe times, or send it now with a reason."
            )
    if channel == Channel.TEXT:
        body = plain_for_text(body)
    log = message_queue(
        organisation=referral.organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template=TEMPLATE,
        # Its guard (message_kinds) drops it if the referral closes before it goes.
        context={"referral_id": str(referral.pk)},
        key=key,
        private_context={"body": body},
        send_after=goes_at if goes_at > now else None,
    )
    if log is None:
        raise _AlreadyDecided
    # The caseworker chose the channel; delivery checks it is still safe before it goes.
    log.channel, log.time_override = channel, override is not None
    MessageLog.objects.filter(pk=log.pk).update(channel=channel, time_override=log.time_override)
    waits = goes_at > now
    codes = {
        "message": log.pk,
        "template": TEMPLATE,
        "channel": channel,
        "waits": waits,
        **({"override": str(override.pk)} if override else {}),
    }
    ReferralEvent.objects.create(
        referral=referral, kind=ReferralEvent.Kind.MESSAGE, actor=actor, detail=codes
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=referral.organisation,
        target=referral,
        detail={"change": "message_sent", **codes},
    )
    return MessageSent(log=log, goes_at=goes_at, goes_now=not waits, override=override)


# The roles named in a stopped message's reason, the first one held.
ROLES_BY_SENIORITY = (Role.COORDINATOR, Role.CASEWORKER, Role.FACILITATOR)
STOPPABLE = (MessageLog.Status.WAITING, MessageLog.Status.PENDING)


def messages_from_staff_for_referral(referral: Referral):
    """The caseworkers' messages to this person, by their log rows (the organisation's
    own: a referral's id is never another organisation's)."""
    return MessageLog.objects.filter(
        organisation=referral.organisation,
        recipient_type="referrals.referral",
        recipient_id=str(referral.pk),
        template=TEMPLATE,
    )


def staff_message_stop(
    *, referral: Referral, message: MessageLog, actor: User, request=None
) -> MessageLog:
    """Stop a caseworker's message that has not gone yet (usually one waiting for the
    person's safe time): it is refused "stopped by <role>", and its words are cleared.
    On the timeline and audited; the reason names a role, never a person.

    The row is locked, as a worker locks it to claim it, so a message is either stopped
    or sent, never both. Raises ``MessageError`` if it has gone (or is going now)."""
    with transaction.atomic():
        roles = user_roles(actor, referral.organisation)
        role = next((r for r in ROLES_BY_SENIORITY if r in roles), None)
        if role is None:
            raise MessageError("You do not have a role in this referral's organisation.")
        log = (
            messages_from_staff_for_referral(referral)
            .select_for_update()
            .filter(pk=message.pk)
            .first()
        )
        if log is None:
            raise MessageError("That message is not one of this referral's.")
        if log.status not in STOPPABLE:
            raise MessageError(
                "This message has already gone, or is going now, so it cannot be stopped."
            )
        message_refuse(log, reason=f"stopped by {role}")
        codes = {"message": log.pk, "template": TEMPLATE, "stopped": True}
        ReferralEvent.objects.create(
            referral=referral, kind=ReferralEvent.Kind.MESSAGE, actor=actor, detail=codes
        )
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"change": "message_stopped", **codes},
        )
    return log


def _require_sendable(referral: Referral, *, body: str, channel: str) -> None:
    if not referral.is_open:
        raise MessageError("This referral is closed: reopen it before sending a message.")
    if not referral.is_contactable:
        raise MessageError("This person has withdrawn consent: do not contact them.")
    if not body:
        raise MessageError("Write the message before sending it.")
    if len(body) > BODY_MAX_LENGTH:
        raise MessageError(f"Keep the message to {BODY_MAX_LENGTH} characters or fewer.")
    if channel not in WRITTEN_CHANNELS:
        raise MessageError("Choose email or text.")
    label = Channel(channel).label.lower()
    safe = _safe_contact(referral)
    if safe is None or not safe.is_safe(channel):
        # Never overridden: a message on an unsafe channel may be read by the very person
        # they need to be safe from. The person's word changes this, not a reason.
        raise MessageError(
            f"They have not said that {label} is safe, so the message was not sent. If they "
            "have told you it is, update their safe contact first."
        )
    if channel not in written_channels(referral):
        detail = "email address" if channel == Channel.EMAIL else "mobile number"
        raise MessageError(f"We have no {detail} for them, so a {label} cannot be sent.")


def _safe_contact(referral: Referral) -> SafeContact | None:
    try:
        return referral.safe_contact
    except SafeContact.DoesNotExist:
        return None
