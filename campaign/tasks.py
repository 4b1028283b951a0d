"""Celery tasks of the campaign app: thin wrappers that take an id and call a service."""

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from campaign import jobs
from campaign.services import imports

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=15)
def sample_point_import_run(self, import_id: int) -> str:
    """Write a queued sample-point import. Safe to deliver twice: the service claims the row
    (queued → running) and leaves a running, done or failed import alone."""
    try:
        record = imports.sample_point_import_run(import_id=import_id)
    except imports.TransientImportError as exc:
        if self.request.retries >= self.max_retries:
            imports.sample_point_import_fail(
                import_id=import_id, reason=_("The database could not be reached: nothing was written.")
            )
            return "failed"
        raise self.retry(exc=exc) from exc
    return record.status


@shared_task(ignore_result=True)
def sample_point_imports_sweep() -> int:
    """Beat: send again the imports whose worker died mid-way (campaign/jobs.py)."""
    from campaign.models import SamplePointImport

    abandoned = jobs.jobs_abandoned(SamplePointImport)
    for import_id in abandoned:
        sample_point_import_run.delay(import_id)
    return len(abandoned)


@shared_task(ignore_result=True)
def sample_point_imports_expire() -> int:
    """Beat, daily: delete refused, failed and abandoned sample-point imports older than
    IMPORT_RETENTION_DAYS, with their files (campaign/jobs.py)."""
    from campaign.models import SamplePointImport

    return jobs.imports_expire(SamplePointImport)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=15)
def list_export_run(self, job_id: int) -> str:
    """Write a queued export of a list. Safe to deliver twice: the service claims the row."""
    from campaign.services import exports

    try:
        record = exports.list_export_run(job_id=job_id)
    except jobs.TransientJobError as exc:
        if self.request.retries >= self.max_retries:
            exports.list_export_fail(job_id=job_id, reason=_("The database could not be reached."))
            return "failed"
        raise self.retry(exc=exc) from exc
    return record.status


@shared_task(ignore_result=True)
def list_exports_sweep() -> int:
    """Beat: send again the list exports whose worker died mid-way (campaign/jobs.py)."""
    from campaign.models import ExportJob

    abandoned = jobs.jobs_abandoned(ExportJob)
    for job_id in abandoned:
        list_export_run.delay(job_id)
    return len(abandoned)


@shared_task(ignore_result=True)
def public_action_counts_purge() -> int:
    """Beat, daily: forget the public pages' counts and spent challenges older than yesterday."""
    from campaign.public_guard import public_counts_purge

    return public_counts_purge()


@shared_task(ignore_result=True)
def idempotency_keys_purge() -> int:
    """Beat, daily: delete the API's idempotency keys older than IDEMPOTENCY_KEY_DAYS."""
    from campaign.services.idempotency import idempotency_keys_purge as purge

    return purge()
