"""Celery tasks of the programme: thin, they call a service (idempotent by constraints)."""

from celery import shared_task


@shared_task(name="programme.round_plans_sweep", acks_late=True, reject_on_worker_lost=True)
def round_plans_sweep() -> str:
    """The supervision cycle (beat, hourly): each active plan's round for its current period, once."""
    from .services import cycle

    return cycle.round_plans_sweep().summary()


@shared_task(name="programme.model_sites_sweep", acks_late=True, reject_on_worker_lost=True)
def model_sites_sweep() -> str:
    """The daily sweep (beat, 00:50 Asia/Shanghai): suspend models scoring below the minimum."""
    from .services.sites import model_sites_sweep as sweep  # (idempotent by status)

    return sweep().summary()
