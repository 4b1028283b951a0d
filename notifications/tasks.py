"""Celery tasks of the notifications: thin, they call services and own the retry policy."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings


@shared_task(name="notifications.delivery_send", bind=True, acks_late=True, reject_on_worker_lost=True,
             max_retries=None)
def delivery_send(self, delivery_id: int) -> str:
    """Send one delivery. A refusal (HTTP error, errcode, timeout, unreachable) is tried again
    with exponential backoff and jitter until NOTIFICATION_MAX_ATTEMPTS tries (counted on the
    row, so a task delivered twice never sends twice nor tries more), then failed."""
    from . import services

    try:
        return services.delivery_send(delivery_id=delivery_id)
    except services.SendFailed as exc:
        if exc.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            services.delivery_fail(delivery_id=delivery_id)
            return "failed"
        countdown = get_exponential_backoff_interval(
            settings.NOTIFICATION_RETRY_BASE_SECONDS, exc.attempts - 1, settings.NOTIFICATION_RETRY_MAX_SECONDS,
            full_jitter=True)
        services.delivery_retry_at(delivery_id=delivery_id, countdown=countdown)
        raise self.retry(countdown=countdown, exc=exc) from exc


@shared_task(name="notifications.relay", acks_late=True, ignore_result=True)
def deliveries_relay() -> int:
    """Beat: send again deliveries whose message to the worker was lost."""
    from . import services

    return services.deliveries_relay()


@shared_task(name="notifications.digests", acks_late=True, ignore_result=True)
def digests_send() -> int:
    """Beat, daily at NOTIFICATION_DIGEST_TIME: one digest per person who takes one."""
    from . import services

    return services.digests_send()
