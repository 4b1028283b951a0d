"""Background jobs kept as rows (sample-point and ledger imports, ledger exports): how a
worker takes one, reports progress, and finishes it, so that any number of workers is safe
and a worker that dies mid-job does not leave the row "running" for ever; and how refused
uploads go away (their file at once, their row after IMPORT_RETENTION_DAYS).

A worker claims a row with one conditional UPDATE: queued, or running with a claim older than
JOB_LEASE_SECONDS (its worker died; ``taken_over_at`` then records the takeover, which the
job's page shows with the attempt number). Progress refreshes the claim's time. The final write is
conditional on the claim too, so a worker that was given up on writes nothing. The periodic
sweep of each app sends the jobs of dead workers again and fails a job after JOB_MAX_ATTEMPTS.
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import RedisError

from .choices import ImportStatus

logger = logging.getLogger(__name__)

# What a broker that cannot be reached raises on publish: kombu wraps connection errors in its
# OperationalError; redis-py and the socket layer may surface their own.
BROKER_ERRORS = (BrokerOperationalError, RedisError, ConnectionError, OSError, TimeoutError)
# Publishing from a web request: a couple of quick tries, then leave the job in its outbox.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def task_by_name(name: str):
    """The Celery task registered under ``name`` (e.g. "ledger.tasks.ledger_export_run").

    Tasks call services; a service that hands work to the worker names its task instead of
    importing the tasks module, so services and tasks never import each other in a circle
    (tests/test_architecture.py). A web process has not loaded the tasks modules yet: the first
    look-up loads them the way a worker does at start."""
    from celery import current_app

    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def upload_store(record: models.Model, data: bytes) -> None:
    """Store an uploaded file on its import row (not yet saved) under a name the user never
    chooses: the content decides the extension. Before the row is saved: no file I/O inside a
    transaction."""
    extension = "xlsx" if data[:4] == b"PK\x03\x04" else "csv"
    record.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)


def import_queue_if_large(record: models.Model, data: bytes, *, run_now: bool, then_write: bool, task) -> bool:
    """A file of more than IMPORT_BACKGROUND_ROWS rows (unless ``run_now``) is checked by the
    worker, as a large import is written: the row is saved queued with its file and ``task``
    is sent on commit; with ``then_write`` the worker goes on to write it. False: check it now."""
    from .importing.reading import count_rows

    rows = count_rows(data)
    if run_now or rows <= settings.IMPORT_BACKGROUND_ROWS:
        return False
    record.status, record.preview_only, record.total_rows = ImportStatus.QUEUED, not then_write, rows
    upload_store(record, data)
    record.save()
    transaction.on_commit(lambda: task.delay(record.pk))
    return True


class JobTakenOver(Exception):
    """This worker's claim was given up on and another worker has the job: write nothing."""


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def job_claim(model: type[models.Model], pk: int) -> uuid.UUID | None:
    """Take the job for this worker; None if it is finished, or running with a live claim."""
    now = timezone.now()
    claim = uuid.uuid4()
    abandoned = Q(status=ImportStatus.RUNNING, claimed_at__lt=_stale_before(now))
    taken = model.objects.filter(Q(status=ImportStatus.QUEUED) | abandoned, pk=pk).update(
        status=ImportStatus.RUNNING, claim=claim, claimed_at=now, attempts=F("attempts") + 1, processed_rows=0,
        taken_over_at=Case(When(status=ImportStatus.RUNNING, then=Value(now)), default=F("taken_over_at")),
    )
    return claim if taken else None


def job_mine(model: type[models.Model], pk: int, claim: uuid.UUID) -> models.QuerySet:
    """The job's row as long as this worker still holds it."""
    return model.objects.filter(pk=pk, status=ImportStatus.RUNNING, claim=claim)


def job_progress(model: type[models.Model], pk: int, claim: uuid.UUID, **changes) -> None:
    """Record progress and keep the claim alive."""
    job_mine(model, pk, claim).update(claimed_at=timezone.now(), **changes)


def job_finish(model: type[models.Model], pk: int, claim: uuid.UUID, *, status: str = ImportStatus.DONE,
               **changes) -> None:
    """Mark the job done (or ``status``: a checked file is 'previewed') with ``changes``; call
    inside the transaction that wrote its result, which JobTakenOver then rolls back."""
    if not job_mine(model, pk, claim).update(status=status, finished_at=timezone.now(), **changes):
        raise JobTakenOver(f"{model.__name__} {pk}")


def job_requeue(model: type[models.Model], pk: int, claim: uuid.UUID) -> None:
    """Give the job back to the queue (the database went away); the task retries it."""
    job_mine(model, pk, claim).update(status=ImportStatus.QUEUED, processed_rows=0, claim=None, claimed_at=None)


def jobs_abandoned(model: type[models.Model], *, now: dt.datetime | None = None) -> list[int]:
    """Send-again list of the sweep: running jobs whose worker stopped refreshing its claim.
    Those tried JOB_MAX_ATTEMPTS times are failed instead (they may be what kills workers)."""
    now = now or timezone.now()
    abandoned = model.objects.filter(status=ImportStatus.RUNNING, claimed_at__lt=_stale_before(now))
    failed = abandoned.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS).update(
        status=ImportStatus.FAILED, finished_at=now, claim=None,
        failure=_("Given up after %(count)d attempts: the worker stopped each time before finishing. "
                  "Nothing was written.") % {"count": settings.JOB_MAX_ATTEMPTS},
    )
    if failed:
        logger.warning("%s: %d jobs failed after %d attempts", model.__name__, failed, settings.JOB_MAX_ATTEMPTS)
    return list(abandoned.values_list("pk", flat=True)[:100])


# --- Refused uploads and retention ----------------------------------------------------------


def job_file_drop(model: type[models.Model], pk: int) -> None:
    """Delete the stored file of a refused or failed import now (it can never be written:
    a new upload is needed) and clear the row's reference to it. Call outside a transaction."""
    name = model.objects.filter(pk=pk).values_list("file", flat=True).first()
    if name:
        model.objects.filter(pk=pk, file=name).update(file="")
        model._meta.get_field("file").storage.delete(name)


def imports_expire(model: type[models.Model], *, now: dt.datetime | None = None) -> int:
    """Delete the import rows older than IMPORT_RETENTION_DAYS that wrote nothing (refused,
    failed, or previewed and never confirmed) with any file they kept, and the files under the
    model's upload folder that no row refers to (left by a crash between storing and saving).
    Done imports stay: they are the record of what was written. Returns the rows deleted."""
    now = now or timezone.now()
    before = now - dt.timedelta(days=settings.IMPORT_RETENTION_DAYS)
    expired = model.objects.filter(
        Q(status=ImportStatus.FAILED) | Q(status=ImportStatus.PREVIEWED), created_at__lt=before,
    )
    storage = model._meta.get_field("file").storage
    deleted = 0
    for pk, name in list(expired.values_list("pk", "file")[:1000]):
        # The row first: a file whose row is gone is an orphan the next sweep removes anyway.
        if model.objects.filter(pk=pk, status__in=(ImportStatus.FAILED, ImportStatus.PREVIEWED)).delete()[0]:
            deleted += 1
            if name:
                storage.delete(name)
    folder = model._meta.get_field("file").upload_to.split("%", 1)[0].rstrip("/")
    kept = set(model.objects.exclude(file="").values_list("file", flat=True))
    for name in _stored_files(storage, folder):
        if name not in kept and storage.get_modified_time(name) < before:
            storage.delete(name)
    if deleted:
        logger.info("%s: %d expired imports deleted", model.__name__, deleted)
    return deleted


def _stored_files(storage, folder: str):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_files(storage, f"{folder}/{sub}")


class ClaimedJob(models.Model):
    """The claim's fields, the same on every job model."""

    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(gettext_lazy("attempts"), default=0, editable=False)
    taken_over_at = models.DateTimeField(gettext_lazy("taken over at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def max_attempts(self) -> int:
        return settings.JOB_MAX_ATTEMPTS


class TransientJobError(Exception):
    """The database was unreachable; the job was put back in the queue to be retried."""


class ExportJobFields(ClaimedJob):
    """What every export the worker writes keeps (the ledger's and the other lists'): who
    asked, the list's filters as given (applied again through the requester's scope when the
    file is written), the language and format, progress, and the file. Each concrete job adds
    its ``file`` field (its own folder)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=gettext_lazy("requested by"),
    )
    created_at = models.DateTimeField(gettext_lazy("requested at"), auto_now_add=True)
    filters = models.JSONField(gettext_lazy("filters"), default=dict, blank=True)
    language = models.CharField(gettext_lazy("language"), max_length=10, default="zh-hans")
    file_format = models.CharField(gettext_lazy("file format"), max_length=8, default="xlsx",
                                   choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)")])
    status = models.CharField(gettext_lazy("status"), max_length=20, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(gettext_lazy("rows"), default=0)
    processed_rows = models.PositiveIntegerField(gettext_lazy("rows written"), default=0)
    failure = models.TextField(gettext_lazy("failure"), blank=True)
    finished_at = models.DateTimeField(gettext_lazy("finished at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))
