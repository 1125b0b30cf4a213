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
    """Database reachable (status 200/503), and how fresh the background jobs' heartbeat is."""
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
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database, "scheduler": scheduler}, status=status)
