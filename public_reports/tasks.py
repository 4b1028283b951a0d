"""Celery tasks of the public channel: thin, they call a service."""

from celery import shared_task


@shared_task(name="public_reports.rewards_sweep", acks_late=True)
def rewards_sweep() -> int:
    """Every ten minutes (beat): the rewards now owed for problems verified closed."""
    from . import services

    return services.rewards_create_due()
