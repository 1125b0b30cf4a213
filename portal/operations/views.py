"""Health endpoint for load balancers and container health checks."""

from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.accounts.access import public

from .models import Heartbeat

SCHEDULER_STALE_AFTER = timedelta(minutes=5)


@public
@require_GET
def health(request):
    """Database and broker reachable (200, else 503), and how fresh the scheduler's heartbeat is."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "unavailable"
    scheduler = "unknown"
    if database == "ok":
        heartbeat = Heartbeat.objects.filter(name="scheduler").first()
        if heartbeat is not None:
            fresh = timezone.now() - heartbeat.last_seen < SCHEDULER_STALE_AFTER
            scheduler = "ok" if fresh else "stale"
    broker = _broker_status()
    status = 200 if database == "ok" and broker == "ok" else 503
    return JsonResponse(
        {"database": database, "broker": broker, "scheduler": scheduler}, status=status
    )


def _broker_status() -> str:
    from portal.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return "unavailable"
    return "ok"
