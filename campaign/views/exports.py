"""Every list in Excel: ``/exports/<list>/?<the page's query string>`` (the "Export to Excel"
button of each list page), and the page of an export the worker writes.

A list of up to EXPORT_BACKGROUND_ROWS rows downloads at once; a larger one is a job whose page
shows its progress, and only its requester (or HQ staff) may open it. Each export loads
through ``visible_to(user)`` and the list's filters (campaign/exporting.py) and is audited.
"""

import io
from collections.abc import Callable

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import exporting
from ..choices import AuditAction, ImportStatus
from ..models import ExportJob
from ..services import exports as export_service
from ..services.audit import audit_record
from ..storage import stored_file_response
from .structure import campaign_staff_required

FINISHED = {ImportStatus.DONE, ImportStatus.FAILED}


def export_response(data, filename: str, file_format: str) -> FileResponse:
    return FileResponse(data, as_attachment=True, filename=filename, content_type=exporting.CONTENT_TYPES[file_format])


def export_respond(request, *, rows, write: Callable[..., int], file_format: str, stem: str, target: str,
                   filters: dict, threshold: int, queue: Callable[[], object], job_url: str):
    """The export of a list a page asked for: the file at once when it has at most
    ``threshold`` rows, else ``queue()``'s job, whose page (``job_url``) it redirects to.
    Audited either way with the filters and how it was delivered."""
    if exporting.count_upto(rows, threshold + 1) <= threshold:
        buffer = io.BytesIO()
        write(rows, buffer, language=translation.get_language(), file_format=file_format)
        buffer.seek(0)
        audit_record(action=AuditAction.EXPORT, request=request, target=target,
                     details={"filters": filters, "delivery": "direct", "format": file_format})
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return export_response(buffer, f"{stem}-{stamp}.{file_format}", file_format)
    record = queue()
    audit_record(action=AuditAction.EXPORT, request=request, target=f"{target} export #{record.pk}",
                 details={"filters": filters, "delivery": "background", "format": file_format})
    messages.info(request, _("A large export: it is written in the background; this page shows its progress."))
    return redirect(job_url, pk=record.pk)


def _export_of(request, kind: str) -> exporting.ListExport:
    export = exporting.EXPORTS.get(kind)
    if export is None or not export.allowed(request.user):
        raise Http404
    return export


@campaign_staff_required
@require_GET
def list_export(request, kind: str):
    """The list ``kind`` with the page's filters as .xlsx (``?format=csv`` for CSV)."""
    export = _export_of(request, kind)
    filters = exporting.filters_to_dict(request.GET, export.filter_names)
    try:
        file_format = exporting.export_format(request.GET.get("format"))
        rows = export.rows(request.user, exporting.as_query(filters))
    except ValueError:
        messages.error(request, _("Some filters are not valid; correct them and export again."))
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse(export.list_url)}?{query.urlencode()}")
    language = translation.get_language()
    return export_respond(
        request, rows=rows, file_format=file_format, stem=kind.replace("_", "-"), target=kind, filters=filters,
        write=lambda rows, out, **options: exporting.write_list(export, rows, out, **options),
        threshold=exporting.export_threshold(), job_url="campaign:export_job",
        queue=lambda: export_service.list_export_request(user=request.user, export=export, filters=filters,
                                                         language=language, file_format=file_format),
    )


def _own_job(request, pk) -> ExportJob:
    record = get_object_or_404(ExportJob.objects.select_related("requested_by"), pk=pk)
    if not exporting.may_fetch(request.user, record) or record.kind not in exporting.EXPORTS:
        raise Http404
    return record


def _job_context(record: ExportJob) -> dict:
    export = exporting.EXPORTS[record.kind]
    return {"record": record, "finished": record.status in FINISHED, "title": export.title,
            "list_url": reverse(export.list_url),
            "progress_url": reverse("campaign:export_job_progress", args=[record.pk]),
            "detail_url": reverse("campaign:export_job", args=[record.pk]),
            "download_url": reverse("campaign:export_job_download", args=[record.pk])}


@campaign_staff_required
@require_GET
def export_job(request, pk):
    return render(request, "campaign/export_job.html", _job_context(_own_job(request, pk)))


@campaign_staff_required
@require_GET
def export_job_progress(request, pk):
    record = _own_job(request, pk)
    return export_job_progress_answer(request, record, template="campaign/export_job_progress.html",
                                      context=_job_context(record))


@campaign_staff_required
@require_GET
def export_job_download(request, pk):
    record = _own_job(request, pk)
    return export_job_file(request, record, name=record.kind)


def export_job_progress_answer(request, record, *, template: str, context: dict):
    """An export job's progress: the partial its page polls (htmx), or JSON."""
    if request.headers.get("HX-Request"):
        return render(request, template, context)
    return JsonResponse({"id": record.pk, "status": record.status, "total_rows": record.total_rows,
                         "processed_rows": record.processed_rows, "progress_percent": record.progress_percent,
                         "failure": record.failure})


def export_job_file(request, record, *, name: str):
    """A finished export job's file as a download, audited; 404 until it is done. ``name``: the
    list's, for the audit entry ("ledger export #12") and the file name (ledger-20261206-0930.xlsx)."""
    if record.status != ImportStatus.DONE or not record.file:
        raise Http404
    stamp = timezone.localtime(record.created_at).strftime("%Y%m%d-%H%M")
    response = stored_file_response(record.file, content_type=exporting.CONTENT_TYPES[record.file_format],
                                    filename=f"{name.replace('_', '-')}-{stamp}.{record.file_format}",
                                    as_attachment=True)
    audit_record(action=AuditAction.EXPORT, request=request, target=f"{name} export #{record.pk}",
                 details={"filters": record.filters, "delivery": "download", "requested_by": record.requested_by_id,
                          "format": record.file_format})
    return response


routes = [
    path("exports/jobs/<int:pk>/", export_job, name="export_job"),
    path("exports/jobs/<int:pk>/progress/", export_job_progress, name="export_job_progress"),
    path("exports/jobs/<int:pk>/download/", export_job_download, name="export_job_download"),
    path("exports/<slug:kind>/", list_export, name="list_export"),
]
