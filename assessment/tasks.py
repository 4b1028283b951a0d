"""Celery tasks of the assessment: thin wrappers that take an id and call a service."""

from celery import shared_task
from django.utils.translation import gettext as _


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=15)
def archive_export_run(self, job_id: int) -> str:
    """Write a queued archive ZIP. Safe to deliver twice: the service claims the row."""
    from campaign.jobs import TransientJobError

    from .services import archive

    try:
        record = archive.archive_export_run(job_id=job_id)
    except TransientJobError as exc:
        if self.request.retries >= self.max_retries:
            archive.archive_export_fail(job_id=job_id, reason=_("The database could not be reached."))
            return "failed"
        raise self.retry(exc=exc) from exc
    return record.status


@shared_task(ignore_result=True)
def archive_exports_sweep() -> int:
    """Beat: send again the archive ZIPs whose worker died mid-way (campaign/jobs.py)."""
    from campaign.jobs import jobs_abandoned

    from .models import ArchiveExport

    abandoned = jobs_abandoned(ArchiveExport)
    for job_id in abandoned:
        archive_export_run.delay(job_id)
    return len(abandoned)
