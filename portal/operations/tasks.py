"""Periodic housekeeping jobs. Schedules live in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task


@shared_task
def record_heartbeat() -> None:
    """Proves that beat and a worker are both running: the health page reads it."""
    from .services import heartbeat_record

    heartbeat_record(name="scheduler")


@shared_task
def clear_expired_sessions() -> int:
    from .services import sessions_clear_expired

    return sessions_clear_expired()
