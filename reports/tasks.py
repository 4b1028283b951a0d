"""Celery tasks of the reports: a thin interface that takes ids or periods, calls a service and
owns the retry policy. Acknowledged late and rejected when the worker is lost, so a job whose
worker died goes back to the queue; the service's claim makes a second delivery harmless."""

import logging
import uuid

from celery import shared_task
from celery.signals import worker_ready
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT,
)
def report_run(self, report_id: int, resume: str | None = None) -> str:
    """Produce one report. Transient database errors are retried with exponential backoff
    (5 s doubling to 300 s, with jitter); after the last retry the report fails with the reason.
    A try that could not even put the report back in the queue passes its claim to the retry,
    which resumes it at once rather than after the lease."""
    try:
        report = services.report_run(report_id=report_id, resume=uuid.UUID(resume) if resume else None)
    except services.TransientReportError as exc:
        if self.request.retries >= self.max_retries:
            services.report_fail(report_id=report_id, spare_live_claim=exc.claim is None,
                                 claim=exc.claim,
                                 reason=_("The database could not be reached: the report was not produced."))
            return "failed"
        countdown = get_exponential_backoff_interval(5, self.request.retries, 300, full_jitter=True)
        raise self.retry(exc=exc, countdown=countdown,
                         kwargs={"report_id": report_id, "resume": str(exc.claim) if exc.claim else None}) from exc
    return report.status


def _scheduled(period: str) -> str:
    reports = services.reports_request_scheduled(period=period, now=timezone.now())
    return " ".join(f"{r.pk}:{r.kind}:{r.period.label}:v{r.version}:{r.status}" for r in reports)


# Scheduled by beat (settings.CELERY_BEAT_SCHEDULE, Asia/Shanghai): the city-wide report of the
# period just ended, of every kind of that period in the registry (reports/kinds), once: a
# second firing finds them and queues nothing.
_SCHEDULED = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": 10,
              "max_retries": 5}


@shared_task(name="reports.weekly_scheduled", **_SCHEDULED)
def reports_weekly_scheduled() -> str:
    """Monday morning: every weekly kind's report of the week just ended."""
    return _scheduled("week")


@shared_task(name="reports.monthly_scheduled", **_SCHEDULED)
def reports_monthly_scheduled() -> str:
    """The 1st of the month: every monthly kind's report of the month just ended."""
    return _scheduled("month")


@shared_task(name="reports.quarterly_scheduled", **_SCHEDULED)
def reports_quarterly_scheduled() -> str:
    """The 1st of January, April, July and October: every quarterly kind's report (the quarterly
    appraisal) of the quarter just ended."""
    return _scheduled("quarter")


@shared_task(name="reports.overdue_sweep", **_SCHEDULED)
def reports_overdue_sweep() -> str:
    """Every morning: today's overdue snapshot per district and unit (a record in the admin),
    and the last finished periods' reports if any is missing (a worker that was down on
    Monday morning catches up)."""
    rows = services.overdue_snapshot_take()
    caught_up = services.reports_catch_up() if settings.REPORTS_CATCH_UP else []
    return f"{rows} snapshot rows; reports {[r.pk for r in caught_up]}"


@shared_task(name="reports.catch_up", **_SCHEDULED)
def reports_catch_up() -> str:
    reports = services.reports_catch_up()
    return " ".join(f"{r.kind}:{r.period.label}:v{r.version}" for r in reports)


@shared_task(name="reports.relay", acks_late=True, ignore_result=True)
def reports_relay() -> int:
    """The outbox: send reports the broker never got, and jobs of workers that died."""
    return services.report_relay()


@worker_ready.connect
def _on_worker_ready(sender=None, **kwargs) -> None:
    """A worker that starts sends the outbox and, unless switched off, requests the last
    finished periods' reports, through the queue, so it starts by doing what was missed."""
    try:
        services._publish(reports_relay)
        if settings.REPORTS_CATCH_UP:
            services._publish(reports_catch_up)
    except services.BROKER_ERRORS:
        logger.exception("Could not queue the reports relay at worker start")
