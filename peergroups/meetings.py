"""Keeping a Zoom session's meeting in step with the session (run by a background task)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .models import Group, Session, ZoomAccount
from .zoom import ZoomClient, ZoomCredentials, ZoomError


def zoom_client_for(organisation) -> ZoomClient | None:
    account = ZoomAccount.objects.filter(organisation=organisation).first()
    if account is None:
        return None
    return ZoomClient(
        ZoomCredentials(account.account_id, account.client_id, account.client_secret),
        api_base=settings.ZOOM_API_BASE,
        oauth_url=settings.ZOOM_OAUTH_URL,
    )


def meeting_topic(session: Session) -> str:
    # Never the group's title: a meeting name can show on a shared screen or calendar.
    return f"{session.group.organisation.discreet_sender_name} meeting"


def session_meeting_sync(*, session_id, client: ZoomClient | None = None) -> Session:
    """Create, update or delete the session's Zoom meeting; record how it went."""
    session = Session.objects.select_related("group__organisation").get(pk=session_id)
    group = session.group
    if group.format != Group.Format.ZOOM:
        return session
    client = client or zoom_client_for(group.organisation)
    if client is None:
        # No Zoom account: staff enter joining details by hand.
        Session.objects.filter(pk=session.pk).update(sync_state=Session.Sync.NOT_NEEDED)
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
        Session.objects.filter(pk=session.pk).update(
            sync_state=Session.Sync.FAILED, sync_error=str(error)[:200]
        )
        session.refresh_from_db()
        return session
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        for field, value in changes.items():
            setattr(session, field, value)
        session.sync_state = Session.Sync.SYNCED
        session.sync_error = ""
        session.save()
    return session
