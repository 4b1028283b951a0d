"""Celery tasks of the ledger: thin wrappers that take an id and call a service."""

from celery import shared_task
from django.utils.translation import gettext as _

from .transfer import services as transfer


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=15)
def ledger_import_run(self, import_id: int) -> str:
    """Write a queued ledger import. Safe to deliver twice: the service claims the row."""
    try:
        record = transfer.ledger_import_run(import_id=import_id)
    except transfer.TransientJobError as exc:
        if self.request.retries >= self.max_retries:
            transfer.ledger_import_fail(
                import_id=import_id, reason=_("The database could not be reached: nothing was written.")
            )
            return "failed"
        raise self.retry(exc=exc) from exc
    return record.status


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=15)
def ledger_export_run(self, export_id: int) -> str:
    """Write a queued ledger export to a file. Safe to deliver twice: the service claims the row."""
    try:
        record = transfer.ledger_export_run(export_id=export_id)
    except transfer.TransientJobError as exc:
        if self.request.retries >= self.max_retries:
            transfer.ledger_export_fail(export_id=export_id, reason=_("The database could not be reached."))
            return "failed"
        raise self.retry(exc=exc) from exc
    return record.status


@shared_task(ignore_result=True)
def ledger_jobs_sweep() -> int:
    """Beat: send again the imports and exports whose worker died mid-way (campaign/jobs.py)."""
    from campaign.jobs import jobs_abandoned

    from .models import LedgerExport, LedgerImport

    sent = 0
    for model, task in ((LedgerImport, ledger_import_run), (LedgerExport, ledger_export_run)):
        for job_id in jobs_abandoned(model):
            task.delay(job_id)
            sent += 1
    transfer.ledger_imports_void_failed_numbers()
    return sent


@shared_task(ignore_result=True)
def ledger_fingerprint_take() -> str:
    """Beat, daily: anchor the ledger's chain heads outside the database (ledger/fingerprints.py).
    Safe to run twice: a day's fingerprint is taken once."""
    from .fingerprints import fingerprint_take

    return fingerprint_take().digest


@shared_task(ignore_result=True)
def ledger_imports_expire() -> int:
    """Beat, daily: delete refused, failed and abandoned ledger imports older than
    IMPORT_RETENTION_DAYS, with their files (campaign/jobs.py)."""
    from campaign.jobs import imports_expire

    from .models import LedgerImport

    return imports_expire(LedgerImport)


@shared_task(name="ledger.deadline_reminders", acks_late=True, ignore_result=True)
def ledger_deadline_reminders() -> int:
    """Beat, daily: tell units of problems due tomorrow and overdue (once a day per problem)."""
    from .notifications import deadline_reminders

    return deadline_reminders()


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def assignment_sheets_issue_all(self, user_id: int, note: str = "") -> int:
    """Issue every unit's assignment sheet for a large batch (all or none). Safe to deliver
    twice: the second finds the problems on their sheets and issues nothing."""
    from django.contrib.auth import get_user_model
    from django.db import InterfaceError, OperationalError

    from .services import LedgerError
    from .sheets import assignment_sheets_issue_all as issue_all

    try:
        return len(issue_all(by=get_user_model().objects.get(pk=user_id), note=note, tell_requester=True))
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc) from exc
    except LedgerError:
        return 0
