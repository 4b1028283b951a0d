"""Celery tasks of escalation: thin, they call a service (which is idempotent by constraints)."""

from celery import shared_task


@shared_task(name="accountability.escalation_sweep", acks_late=True, reject_on_worker_lost=True)
def escalation_sweep() -> str:
    """The daily sweep (beat, 00:20 Asia/Shanghai): supervision notices, interview list, proposals."""
    from . import services

    return services.escalation_sweep().summary()
