"""The Celery app. Tasks live in each app's tasks.py; settings come from Django's (CELERY_*)."""

import logging
import os
import signal
import threading
import time

from celery import Celery
from celery.signals import beat_init, worker_ready

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


logger = logging.getLogger(__name__)


def exit_with_parent(parent_pid: int, grace_seconds: int, poll_seconds: float = 0.5) -> threading.Thread:
    """Stop this process when ``parent_pid`` is no longer its parent (it died, even by SIGKILL,
    and the process was handed to init or a subreaper): SIGTERM to itself (a worker's warm
    shutdown, beat's exit), and if it is still alive ``grace_seconds`` later, exit at once (a
    prefork worker's pool processes die with it: Celery gives them PR_SET_PDEATHSIG). So a
    worker never goes on consuming the embedded broker after `make run` is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_seconds)
        logger.warning("The process that started this one (pid %s) is gone: stopping.", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace_seconds)
        os._exit(1)

    thread = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    thread.start()
    return thread


def _watch_parent(**_kwargs) -> None:
    from django.conf import settings

    if settings.EXIT_WITH_PARENT_PID:
        exit_with_parent(settings.EXIT_WITH_PARENT_PID, settings.STOP_GRACE_SECONDS)


# The worker's main process (after its pool started) and beat.
worker_ready.connect(_watch_parent, weak=False, dispatch_uid="config.exit_with_parent.worker")
beat_init.connect(_watch_parent, weak=False, dispatch_uid="config.exit_with_parent.beat")
