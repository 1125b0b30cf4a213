"""Keeping a Zoom session's meeting in step with the session, and checking an
organisation's Zoom credentials with Zoom. Everything here runs in background tasks: no
web request ever waits on Zoom."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Group, Session, ZoomAccount
from .zoom import ZoomClient, ZoomCredentials, ZoomError

NOT_ACCEPTED = (
    "Zoom has not accepted the organisation's Zoom settings, so no meeting was made with "
    "them. A coordinator can check them under Zoom settings."
)


def _client(credentials: ZoomCredentials) -> ZoomClient:
    return ZoomClient(
        credentials, api_base=settings.ZOOM_API_BASE, oauth_url=settings.ZOOM_OAUTH_URL
    )


def zoom_account_check(*, account_id) -> ZoomAccount:
    """Ask Zoom for a token with the stored credentials and record whether it accepted
    them. If they were changed while Zoom was asked, the answer is about the old ones
    and is dropped: the check queued by that change records its own."""
    account = ZoomAccount.objects.get(pk=account_id)
    credentials = account.credentials
    try:
        _client(credentials).check_credentials()
        error = ""
    except ZoomError as refusal:
        error = str(refusal)[:200]
    with transaction.atomic():
        account = ZoomAccount.objects.select_for_update().get(pk=account_id)
        if account.credentials.fingerprint != credentials.fingerprint:
            return account
        account.verified_fingerprint = "" if error else credentials.fingerprint
        account.check_error = error
        account.checked_at = timezone.now()
        account.save(update_fields=["verified_fingerprint", "check_error", "checked_at"])
    return account


def zoom_client_for(organisation) -> ZoomClient | None:
    """A client for the organisation's Zoom account, or None if it has none. Credentials
    Zoom has not accepted are never used: they are checked first (accounts saved before
    checks existed are checked on first use), and ZoomError says so if Zoom refuses."""
    account = ZoomAccount.objects.filter(organisation=organisation).first()
    if account is None:
        return None
    if not account.is_verified:
        account = zoom_account_check(account_id=account.pk)
        if not account.is_verified:
            raise ZoomError(NOT_ACCEPTED)
    return _client(account.credentials)


def meeting_topic(session: Session) -> str:
    # Never the group's title: a meeting name can show on a shared screen or calendar.
    return f"{session.group.organisation.discreet_sender_name} meeting"


def session_meeting_sync(
    *, session_id, client: ZoomClient | None = None, retrying: bool = False
) -> Session:
    """Create, update or delete the session's Zoom meeting; record how it went. A failure
    is tried again later by itself (``zoom_retry``): ``retrying`` says this is one of
    those tries, so it counts towards giving up; any other try starts the count again."""
    session = Session.objects.select_related("group__organisation").get(pk=session_id)
    group = session.group
    if group.format != Group.Format.ZOOM:
        return session
    try:
        client = client or zoom_client_for(group.organisation)
    except ZoomError as error:
        return _sync_failed(session, error, retrying=retrying)
    if client is None:
        # No Zoom account: staff enter joining details by hand.
        Session.objects.filter(pk=session.pk).update(
            sync_state=Session.Sync.NOT_NEEDED, sync_attempts=0, sync_retry_at=None
        )
        session.refresh_from_db()
        return session
    duration = int((session.ends_at - session.starts_at).total_seconds() // 60)
    try:
        if session.status == Session.Status.CANCELLED:
            if session.zoom_meeting_id:
                client.delete_meeting(session.zoom_meeting_id)
            changes = {"zoom_meeting_id": "", "join_url": "", "passcode": ""}
        elif session.zoom_meeting_id:
            client.update_meeting(
                session.zoom_meeting_id,
                topic=meeting_topic(session),
                starts_at=session.starts_at,
                duration_minutes=duration,
            )
            changes = {}
        else:
            meeting = client.create_meeting(
                topic=meeting_topic(session),
                starts_at=session.starts_at,
                duration_minutes=duration,
            )
            changes = {
                "zoom_meeting_id": meeting.id,
                "join_url": meeting.join_url,
                "passcode": meeting.passcode,
            }
    except ZoomError as error:
        return _sync_failed(session, error, retrying=retrying)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        for field, value in changes.items():
            setattr(session, field, value)
        session.sync_state = Session.Sync.SYNCED
        session.sync_error = ""
        session.sync_attempts = 0
        session.sync_retry_at = None
        session.save()
    if changes.get("zoom_meeting_id"):
        # A new meeting: everyone already confirmed gets their own link for it too.
        from .models import Booking

        for booking_id in Booking.objects.filter(
            group=group, state=Booking.State.CONFIRMED
        ).values_list("pk", flat=True):
            booking_registrations_sync(booking_id=booking_id, client=client)
    return session


def _sync_failed(session: Session, error: ZoomError, *, retrying: bool = False) -> Session:
    from .zoom_retry import failure_recorded

    failure_recorded(session.pk, str(error), retrying=retrying)
    session.refresh_from_db()
    return session


def booking_registrations_sync(*, booking_id, client: ZoomClient | None = None) -> int:
    """Give a confirmed participant their own link for each upcoming meeting, or cancel
    their links when their place ends. Returns how many registrations changed."""
    from django.utils import timezone

    from .models import Booking, ZoomRegistration

    booking = Booking.objects.select_related("group__organisation", "referral__safe_contact").get(
        pk=booking_id
    )
    group = booking.group
    account = ZoomAccount.objects.filter(organisation=group.organisation).first()
    if group.format != Group.Format.ZOOM or account is None or not account.registration_enabled:
        return 0
    try:
        client = client or zoom_client_for(group.organisation)
    except ZoomError:
        return 0  # tried again on the next sync, once Zoom accepts the settings
    changed = 0
    if booking.state != Booking.State.CONFIRMED:
        for registration in ZoomRegistration.objects.filter(
            booking=booking, cancelled_at__isnull=True
        ).select_related("session"):
            try:
                client.cancel_registrant(
                    registration.session.zoom_meeting_id, registration.registrant_id
                )
            except ZoomError:
                continue  # tried again on the next sync
            registration.cancelled_at = timezone.now()
            registration.save(update_fields=["cancelled_at"])
            changed += 1
        return changed
    referral = booking.referral
    sessions = (
        group.sessions.filter(status=Session.Status.SCHEDULED, starts_at__gt=timezone.now())
        .exclude(zoom_meeting_id="")
        .exclude(registrations__booking=booking)
    )
    for session in sessions:
        try:
            registrant_id, join_url = client.add_registrant(
                session.zoom_meeting_id,
                first_name=referral.safe_contact.name_to_use or "Guest",
                # Zoom needs an address; a placeholder keeps real ones out of Zoom.
                email=f"participant-{booking.pk}@invalid.example",
            )
        except ZoomError:
            continue
        ZoomRegistration.objects.create(
            booking=booking, session=session, registrant_id=registrant_id, join_url=join_url
        )
        changed += 1
    return changed
