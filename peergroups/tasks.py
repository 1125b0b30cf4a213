"""Background jobs for peer groups. Thin: they take ids and call services."""

from celery import shared_task


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def sync_session_meeting(session_id: str) -> str:
    from .meetings import session_meeting_sync

    return session_meeting_sync(session_id=session_id).sync_state


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def check_zoom_account(account_id: int) -> bool:
    from .meetings import zoom_account_check

    return zoom_account_check(account_id=account_id).is_verified


@shared_task
def expire_offers() -> int:
    from .services import offers_expire_due

    return offers_expire_due()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def sync_booking_registrations(booking_id: str) -> int:
    from .meetings import booking_registrations_sync

    return booking_registrations_sync(booking_id=booking_id)


@shared_task
def send_session_reminders() -> int:
    from .reminders import session_reminders_queue

    return session_reminders_queue()


@shared_task
def send_call_reminders() -> int:
    from .reminders import call_reminders_queue

    return call_reminders_queue()


@shared_task
def send_facilitator_digests() -> int:
    from .reminders import facilitator_digests_queue

    return facilitator_digests_queue()


@shared_task
def retry_meeting_syncs() -> int:
    from .zoom_retry import meeting_syncs_retry

    return meeting_syncs_retry()
