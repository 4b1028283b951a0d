"""Health check for load balancers and for HQ to see that background jobs run."""

import logging
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from campaign.cache import cache_get

from .celery import HEARTBEAT_CACHE_KEY, app

logger = logging.getLogger(__name__)

# Beat sends a heartbeat every minute; three missed ones mean the worker or beat is down.
WORKER_STALE_SECONDS = 180
HEALTH_PROBE_KEY = "healthz:probe"


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "down" to a load balancer
        logger.warning("healthz: database unreachable", exc_info=True)
        return "down"
    return "ok"


def _cache_state() -> str:
    try:
        cache.set(HEALTH_PROBE_KEY, "1", 30)
        cache.get(HEALTH_PROBE_KEY)
    except Exception:  # noqa: BLE001
        logger.warning("healthz: cache unreachable", exc_info=True)
        return "down"
    return "ok"


def _broker_state() -> str:
    try:
        # One attempt, no retries: a health check must answer quickly.
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=0)
    except Exception:  # noqa: BLE001
        logger.warning("healthz: broker unreachable", exc_info=True)
        return "down"
    return "ok"


@never_cache
def healthz(request):
    """Each dependency's state. 200 while the database answers, 503 when it does not: the
    cache, the broker and the worker are reported, not fatal (pages compute without the cache,
    requests for background work wait in the outbox, and a web node must keep serving while
    the worker restarts)."""
    database = _database_state()
    cache_state = _cache_state()
    stamp = cache_get(HEARTBEAT_CACHE_KEY) if cache_state == "ok" else None
    if stamp is None:
        worker = "unknown"
        age = None
    else:
        age = int((timezone.now() - datetime.fromisoformat(stamp)).total_seconds())
        worker = "ok" if age <= WORKER_STALE_SECONDS else "stale"
    return JsonResponse(
        {
            "database": database,
            "cache": cache_state,
            "broker": _broker_state(),
            "worker": worker,
            "worker_heartbeat_age_seconds": age,
        },
        status=200 if database == "ok" else 503,
    )
