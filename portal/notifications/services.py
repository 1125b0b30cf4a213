"""Sending to a person. Every outbound message to a family member goes through here.

It refuses when the person can no longer be contacted (consent withdrawn) or when the
channel is not one they marked safe; it sends under the organisation's discreet sender
name with a neutral subject; and it logs every message, sent, refused or failed,
without the body.

``notify`` sends now. ``message_queue`` decides to send once: it writes a sent-marker
with a unique key and a pending log row in one transaction, and the background task
``deliver_message`` sends it, re-checking everything at that moment.

Both keep the person's safe times (``contact_windows``): a message meant for a moment
outside them waits, as *waiting*, until the next safe window (``release_waiting_messages``
hands it back to a worker then), and is checked again just before it goes. One with no
safe time before it is ``needed_by`` is not sent, and a staff task says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.core.background import task_queue_on_commit

from . import registry
from .contact_windows import ContactWindows
from .models import MessageLog, NotificationSettings, SentMarker, StaffTask
from .senders import email_message, portal_from_address, safe_sender_name, sender_headers
from .sms import can_be_asked, sms_backend

logger = logging.getLogger(__name__)

SENDABLE_CHANNELS = ("email", "text")


@dataclass(frozen=True)
class Recipient:
    """Who a message is for, and what is safe. Built by the app that owns the person."""

    organisation: object
    record_type: str
    record_id: str
    contactable: bool
    safe_channels: frozenset[str]
    email: str = ""
    phone: str = ""
    name_to_use: str = ""
    links: dict = field(default_factory=dict)
    # When it is safe to reach them; no windows is any time.
    windows: ContactWindows = field(default_factory=ContactWindows)


class NotificationRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ProviderError(Exception):
    """The email or SMS provider failed; worth trying again later."""


NO_SAFE_TIME = "no safe time for the person before it was needed"
# A caseworker's reason for sending now outside the person's safe times is for now: a
# provider's retry or the stalled-message sweep after this finds their windows in force.
TIME_OVERRIDE_FRESH_FOR = timedelta(minutes=15)


def send_moment(
    windows: ContactWindows, *, intended: datetime, needed_by: datetime | None
) -> datetime | None:
    """When a message meant for ``intended`` may go: then, or the start of the person's
    next safe window. None if that would be too late for its purpose."""
    moment = windows.next_safe_moment(intended)
    if moment is None or (needed_by is not None and moment >= needed_by):
        return None
    return moment


def _seal(context: dict) -> str:
    """What a waiting message needs, as encrypted JSON: moments keep their time zone."""

    def encode(value):
        if isinstance(value, datetime):
            return {"$moment": value.isoformat()}
        raise TypeError(f"{type(value).__name__} cannot wait in a message's context")

    return json.dumps(context, default=encode) if context else ""


def _unseal(sealed: str) -> dict:
    def decode(value: dict):
        if set(value) == {"$moment"}:
            return datetime.fromisoformat(value["$moment"])
        return value

    return json.loads(sealed, object_hook=decode) if sealed else {}


def _no_safe_time_task(log: MessageLog) -> None:
    StaffTask.objects.get_or_create(
        organisation=log.organisation,
        kind=StaffTask.Kind.NO_SAFE_TIME,
        record_type=log.recipient_type,
        record_id=log.recipient_id,
        message=log,
    )


def choose_channel(recipient: Recipient, preferred: tuple[str, ...] = SENDABLE_CHANNELS) -> str:
    for channel in preferred:
        if channel not in recipient.safe_channels:
            continue
        if (channel == "email" and recipient.email) or (channel == "text" and recipient.phone):
            return channel
    raise NotificationRefused("no channel marked safe for this message")


def _safe_channel(recipient: Recipient, channel: str | None) -> str:
    if not recipient.contactable:
        raise NotificationRefused("the person withdrew consent to contact")
    if channel is None:
        return choose_channel(recipient)
    if channel not in recipient.safe_channels:
        raise NotificationRefused(f"{channel} is not marked safe")
    if channel not in SENDABLE_CHANNELS:
        raise NotificationRefused(f"{channel} cannot be sent automatically")
    return channel


def _deliver(
    recipient: Recipient, template: str, context: dict, channel: str, *, reference: str = ""
) -> str:
    """Render and hand the message to the provider; returns the provider's id."""
    organisation = recipient.organisation
    sender_name = safe_sender_name(organisation)
    full_context = {
        "sender_name": sender_name,
        "name": recipient.name_to_use,
        "links": recipient.links,
        **context,
    }
    base = f"notifications/{template}"
    try:
        if channel == "email":
            preferences = NotificationSettings.objects.filter(organisation=organisation).first()
            headers = sender_headers(
                organisation=organisation, reply_to=preferences.reply_to if preferences else ""
            )
            message = email_message(
                headers=headers,
                to=recipient.email,
                subject=render_to_string(f"{base}/subject.txt", full_context).strip(),
                text=render_to_string(f"{base}/body.txt", full_context),
                html=render_to_string(f"{base}/body.html", full_context),
                # One Message-ID per message however often it is tried.
                message_id=f"<{reference}@{_mail_domain()}>" if reference else "",
            )
            message.send()
            return message.extra_headers.get("Message-ID", "")
        body = render_to_string(f"{base}/sms.txt", full_context).strip()
        return sms_backend().send(
            to=recipient.phone,
            body=body,
            sender=sender_name,
            reference=reference,
        )
    except Exception as error:
        # Logged by type only: a provider's message may echo an address or a number.
        logger.warning("Message %s failed on %s: %s", template, channel, type(error).__name__)
        raise ProviderError(type(error).__name__) from error


def _mail_domain() -> str:
    return portal_from_address().rpartition("@")[2] or "localhost"


def _log(recipient: Recipient, **fields) -> MessageLog:
    return MessageLog.objects.create(
        organisation=recipient.organisation,
        recipient_type=recipient.record_type,
        recipient_id=recipient.record_id,
        **fields,
    )


def notify(
    *,
    recipient: Recipient,
    template: str,
    context: dict | None = None,
    channel: str | None = None,
    needed_by: datetime | None = None,
) -> MessageLog:
    """Send ``template`` to ``recipient`` now, on a safe channel; returns the log row.

    Outside the person's safe times it waits for the next one instead (the row is
    *waiting*); with none before ``needed_by`` it is not sent and staff are told.

    Templates live in ``templates/notifications/<template>/``: ``subject.txt``,
    ``body.txt`` and ``body.html`` for email, ``sms.txt`` for text messages. They must
    never state the nature of an investigation. ``template`` must be a registered
    message kind (``registry.register_message_kind``).
    """
    registry.message_kind(template)
    requested = channel
    try:
        channel = _safe_channel(recipient, channel)
    except NotificationRefused as refusal:
        logger.info("Message %s refused: %s", template, refusal.reason)
        return _log(
            recipient,
            template=template,
            channel=channel or "",
            status=MessageLog.Status.REFUSED,
            reason=refusal.reason,
        )
    now = timezone.now()
    moment = send_moment(recipient.windows, intended=now, needed_by=needed_by)
    if moment is None:
        log = _log(
            recipient,
            template=template,
            channel=channel,
            status=MessageLog.Status.REFUSED,
            reason=NO_SAFE_TIME,
            needed_by=needed_by,
        )
        _no_safe_time_task(log)
        return log
    if moment > now:
        context = context or {}
        return _log(
            recipient,
            template=template,
            # Chosen again when it goes, unless the caller chose it.
            channel=requested or "",
            status=MessageLog.Status.WAITING,
            context=context_kept_after_sending(context),
            sealed_context=_seal(context),
            send_after=moment,
            needed_by=needed_by,
        )
    try:
        provider_id = _deliver(recipient, template, context or {}, channel)
    except ProviderError as error:
        return _log(
            recipient,
            template=template,
            channel=channel,
            status=MessageLog.Status.FAILED,
            reason=str(error),
            attempts=1,
        )
    return _log(
        recipient,
        template=template,
        channel=channel,
        status=MessageLog.Status.SENT,
        provider_id=provider_id,
        attempts=1,
    )


def message_queue(
    *,
    organisation,
    record_type: str,
    record_id: str,
    template: str,
    context: dict,
    key: str,
    private_context: dict | None = None,
    send_after: datetime | None = None,
    needed_by: datetime | None = None,
) -> MessageLog | None:
    """Decide, once, to send a message; ``None`` if it was already decided.

    Call inside the transaction that decided; delivery is queued when it commits.
    ``template`` must be a registered message kind. ``context`` holds ids and words
    (JSON); ``private_context`` what must not sit in plain text while the message
    waits (a pack's link), kept encrypted. ``send_after`` is the moment it is meant for
    (now if None) and ``needed_by`` the moment after which it is no use: the person's
    safe times are applied between the two when it is about to go.
    """
    registry.message_kind(template)
    waits = send_after is not None and send_after > timezone.now()
    try:
        with transaction.atomic():
            log = MessageLog.objects.create(
                organisation=organisation,
                recipient_type=record_type,
                recipient_id=record_id,
                template=template,
                context=context,
                sealed_context=_seal(private_context or {}),
                status=MessageLog.Status.WAITING if waits else MessageLog.Status.PENDING,
                send_after=send_after,
                needed_by=needed_by,
            )
            SentMarker.objects.create(key=key, message=log)
    except IntegrityError:
        return None
    if waits:
        return log  # release_waiting_messages queues it when its time comes
    from .tasks import deliver_message

    # With the broker down the message stays pending, and requeue_stalled_messages
    # queues it again.
    task_queue_on_commit(deliver_message, log.pk)
    return log


def context_kept_after_sending(context: dict) -> dict:
    """Once a message has gone (or never will), keep only the ids that link its log row
    to records; the words and private links it carried are not kept longer than needed."""
    return {key: value for key, value in context.items() if key.endswith("_id")}


class StillSending(Exception):
    """Another worker claimed the message moments ago; try again after it has finished."""


def in_flight_limit() -> timedelta:
    """How long a claim to send may last before the sender is taken to have stopped."""
    return timedelta(seconds=settings.MESSAGE_IN_FLIGHT_SECONDS)


def message_deliver(*, log_id: int, last_attempt: bool) -> MessageLog:
    """Send a queued message exactly once, if it is still pending and still wanted.

    1. Claim: lock the row, re-check consent, safety and whether it is still wanted, and
       mark it "sending" (committed), so a second worker leaves it alone.
    2. Send, with the message's reference, holding no lock.
    3. Record it as sent.

    A worker that stops between 1 and 3 leaves the message "sending". Once the claim is
    older than the in-flight limit, the next attempt asks the provider whether it has a
    message with that reference: if so it is recorded as sent, if not it is sent. Where
    the provider cannot be asked (email), a person is asked to check instead of risking
    a second message. A provider failure raises ProviderError for the task to retry,
    until ``last_attempt``.
    """
    with transaction.atomic():
        log = MessageLog.objects.select_for_update().select_related("organisation").get(pk=log_id)
        if log.status == MessageLog.Status.SENDING:
            if log.sending_since and log.sending_since > timezone.now() - in_flight_limit():
                raise StillSending(log_id)
            if _settled_with_provider(log):
                return log
        elif log.status != MessageLog.Status.PENDING:
            return log
        log.attempts += 1
        try:
            reason = registry.still_wanted(log.template, log.context)
            if reason:
                raise NotificationRefused(reason)
            try:
                recipient = registry.recipient_for(log.recipient_type, log.recipient_id)
            except LookupError as error:
                raise NotificationRefused("the record no longer exists") from error
            channel = _safe_channel(recipient, log.channel or None)
        except NotificationRefused as refusal:
            _finish(log, MessageLog.Status.REFUSED, reason=refusal.reason)
            _task_if_only_calls_are_safe(log, refusal)
            return log
        now = timezone.now()
        moment = send_moment(
            recipient.windows, intended=max(now, log.send_after or now), needed_by=log.needed_by
        )
        if log.time_override and now - log.created_at < TIME_OVERRIDE_FRESH_FOR:
            # A caseworker recorded why it must go now (referrals.safe_contact_rules).
            moment = now
        if moment is None:
            _finish(log, MessageLog.Status.REFUSED, reason=NO_SAFE_TIME)
            _no_safe_time_task(log)
            return log
        if moment > now:
            # Not a safe time (any more): wait for the next one, and look again then.
            log.status, log.send_after = MessageLog.Status.WAITING, moment
            log.save(update_fields=["status", "send_after", "attempts", "updated_at"])
            return log
        log.status, log.channel = MessageLog.Status.SENDING, channel
        log.sending_since = timezone.now()
        log.save(update_fields=["status", "channel", "sending_since", "attempts", "updated_at"])

    try:
        provider_id = _deliver(
            recipient,
            log.template,
            {**log.context, **_unseal(log.sealed_context)},
            channel,
            reference=log.provider_reference,
        )
    except ProviderError as error:
        with transaction.atomic():
            if last_attempt:
                _finish(log, MessageLog.Status.FAILED, reason=str(error))
                _failure_task(log)
                return log
            log.status, log.reason, log.sending_since = MessageLog.Status.PENDING, str(error), None
            log.save(update_fields=["status", "reason", "sending_since", "updated_at"])
        raise
    with transaction.atomic():
        _finish(log, MessageLog.Status.SENT, provider_id=provider_id)
    return log


def _finish(log: MessageLog, status: str, *, reason: str = "", provider_id: str = "") -> None:
    log.status, log.reason, log.sending_since = status, reason, None
    if provider_id:
        log.provider_id = provider_id
    log.context = context_kept_after_sending(log.context)
    log.sealed_context = ""
    log.save(
        update_fields=[
            "status",
            "reason",
            "provider_id",
            "sending_since",
            "context",
            "sealed_context",
            "channel",
            "attempts",
            "updated_at",
        ]
    )


def _failure_task(log: MessageLog) -> None:
    StaffTask.objects.create(
        organisation=log.organisation,
        kind=StaffTask.Kind.MESSAGE_FAILED,
        record_type=log.recipient_type,
        record_id=log.recipient_id,
        message=log,
    )


UNCERTAIN = (
    "sending stopped part-way; it may have arrived. Check with the person before sending again"
)


def _settled_with_provider(log: MessageLog) -> bool:
    """For a message whose sender stopped mid-send: True if this settled it (recorded as
    sent, or handed to a person), False if it was certainly not sent and may be sent."""
    backend = sms_backend() if log.channel == "text" else None
    if backend is None or not can_be_asked(backend):
        _finish(log, MessageLog.Status.FAILED, reason=UNCERTAIN)
        _failure_task(log)
        return True
    try:
        provider_id = backend.sent_with_reference(log.provider_reference)
    except Exception as error:
        logger.warning(
            "Could not ask the provider about message %s: %s", log.pk, type(error).__name__
        )
        raise ProviderError(type(error).__name__) from error
    if provider_id:
        _finish(log, MessageLog.Status.SENT, provider_id=provider_id)
        return True
    return False


def _task_if_only_calls_are_safe(log: MessageLog, refusal: NotificationRefused) -> None:
    if refusal.reason == "no channel marked safe for this message":
        StaffTask.objects.get_or_create(
            organisation=log.organisation,
            kind=StaffTask.Kind.CALL_NEEDED,
            record_type=log.recipient_type,
            record_id=log.recipient_id,
            message=log,
        )


def release_waiting_messages(*, now: datetime | None = None) -> int:
    """Hand every message whose safe time has come back to a worker, which checks the
    time again just before it sends. Two runs at once each take different rows."""
    from .tasks import deliver_message

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            MessageLog.objects.select_for_update(skip_locked=True)
            .filter(status=MessageLog.Status.WAITING, send_after__lte=now)
            .order_by("send_after")
            .values_list("pk", flat=True)[:1000]
        )
        MessageLog.objects.filter(pk__in=due).update(
            status=MessageLog.Status.PENDING, updated_at=now
        )
        for log_id in due:
            task_queue_on_commit(deliver_message, log_id)
    return len(due)


def staff_task_done(*, task: StaffTask, actor, request=None) -> StaffTask:
    """A member of staff has dealt with ``task`` (told the person another way, or decided
    it no longer matters): it leaves the lists, and the audit log says who and when.
    The caller has checked they work in the task's organisation."""
    with transaction.atomic():
        task = StaffTask.objects.select_for_update().get(pk=task.pk)
        if task.done_at is not None:
            return task
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=task.organisation,
            target=task,
            detail={
                "change": "staff_task_done",
                "kind": task.kind,
                "record": f"{task.record_type}:{task.record_id}",
            },
        )
    return task


def message_refuse(log: MessageLog, *, reason: str) -> None:
    """Settle a message that has not gone (its row locked by the caller) as refused, and
    forget what it would have said: stopped by staff, or for a person who withdrew."""
    _finish(log, MessageLog.Status.REFUSED, reason=reason)


def waiting_messages_drop(*, record_type: str, record_id: str, reason: str) -> int:
    """Stop every message to this person that has not gone yet, at once, and forget
    what it would have said (a person who withdraws consent is contacted no more)."""
    with transaction.atomic():
        unsent = MessageLog.objects.select_for_update().filter(
            recipient_type=record_type,
            recipient_id=record_id,
            status__in=[MessageLog.Status.WAITING, MessageLog.Status.PENDING],
        )
        dropped = 0
        for log in unsent:
            message_refuse(log, reason=reason)
            dropped += 1
    return dropped
