"""Health check for load balancers and for HQ to see that background jobs run."""

from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .celery import HEARTBEAT_CACHE_KEY

# Beat sends a heartbeat every minute; three missed ones mean the worker or beat is down.
WORKER_STALE_SECONDS = 180


@never_cache
def healthz(request):
    """200 while the database answers; the worker's state is reported, not fatal (a web node
    must keep serving while the worker restarts)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means "down" to a load balancer
        database = "down"
    stamp = cache.get(HEARTBEAT_CACHE_KEY)
    if stamp is None:
        worker = "unknown"
        age = None
    else:
        age = int((timezone.now() - datetime.fromisoformat(stamp)).total_seconds())
        worker = "ok" if age <= WORKER_STALE_SECONDS else "stale"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"database": database, "worker": worker, "worker_heartbeat_age_seconds": age}, status=status
    )
