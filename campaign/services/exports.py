"""Exports of the site's lists as jobs (campaign/exporting.py): asking for one, and the
worker writing it."""

from django.db import transaction

from .. import exporting
from ..choices import ImportStatus
from ..jobs import task_by_name
from ..models import ExportJob


def list_export_request(*, user, export: exporting.ListExport, filters: dict[str, list[str]], language: str,
                        file_format: str = "xlsx") -> ExportJob:
    """Queue an export of what the list ``export`` shows ``user``; the worker writes it after
    commit. Malformed filters are refused now (ValueError), not in the worker."""
    export.rows(user, exporting.as_query(filters))
    record = ExportJob.objects.create(requested_by=user, kind=export.kind, filters=filters, language=language,
                                      file_format=exporting.export_format(file_format), status=ImportStatus.QUEUED)
    transaction.on_commit(lambda: task_by_name("campaign.tasks.list_export_run").delay(record.pk))
    return record


def list_export_run(*, job_id: int) -> ExportJob:
    """Write a queued list export, once; its rows are selected again through the requester's
    scope when the file is written."""
    kind = ExportJob.objects.filter(pk=job_id).values_list("kind", flat=True).get()
    export = exporting.EXPORTS[kind]
    return exporting.export_job_run(
        ExportJob, job_id, stem=kind.replace("_", "-"),
        rows=lambda record: export.rows(record.requested_by, exporting.as_query(record.filters)),
        write=lambda rows, out, **options: exporting.write_list(export, rows, out, **options),
    )


def list_export_fail(*, job_id: int, reason: str) -> ExportJob:
    """Give up on a queued or running list export; a done one stays done."""
    return exporting.export_job_fail(ExportJob, job_id, reason=reason)
