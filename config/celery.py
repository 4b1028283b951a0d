"""The Celery app. Tasks live in each app's tasks.py; settings come from Django's (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("healthcity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_CACHE_KEY = "worker:heartbeat"


@app.task(name="config.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Beat sends this every minute; the worker stamps the time so /healthz/ can tell that
    background jobs (imports, reports) are actually being processed."""
    from django.core.cache import cache
    from django.utils import timezone

    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, stamp, timeout=None)
    return stamp
