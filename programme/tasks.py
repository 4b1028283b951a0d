"""Celery tasks of the programme: thin, they call a service (idempotent by constraints)."""

from celery import shared_task


@shared_task(name="programme.round_plans_sweep", acks_late=True, reject_on_worker_lost=True)
def round_plans_sweep() -> str:
    """The supervision cycle (beat, hourly): each active plan's round for its current period, once."""
    from .services import cycle

    return cycle.round_plans_sweep().summary()
