"""The ledger in Excel: export the filtered list, import a ledger (HQ), follow large jobs.

Export: the list's filters over ``Problem.objects.visible_to(user)``. Up to
LEDGER_EXPORT_BACKGROUND_ROWS rows download at once; a larger export is written by the
worker while its page shows a progress bar, and only the requester (or HQ staff) may open it.
Import: HQ staff only (404 for everyone else); upload → preview → confirm, all or nothing.
"""

import io
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.choices import ImportStatus
from campaign.importing.forms import SamplePointImportForm
from campaign.views.exports import (
    export_job_file,
    export_job_progress_answer,
    export_respond,
)
from campaign.views.structure import campaign_staff_required

from ..choices import Status
from ..models import LedgerExport, LedgerImport
from ..services import LedgerForbidden
from ..transfer import columns
from ..transfer import services as transfer
from ..transfer.export import write_export, write_template
from ..transfer.planning import build_plan

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = 10
SHOWN_PROBLEMS = 500
FINISHED = {ImportStatus.DONE, ImportStatus.FAILED}


class LedgerImportForm(SamplePointImportForm):
    """Only the file: a ledger names its districts, categories and units in every row."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for name in ("district", "category", "responsible_unit", "team", "create_categories"):
            del self.fields[name]
        self.fields["file"].help_text = _("An .xlsx workbook in the ledger template (headers in Chinese or English).")


def hq_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not transfer.may_import(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _xlsx_response(data, filename: str) -> FileResponse:
    return FileResponse(data, as_attachment=True, filename=filename, content_type=XLSX)


# --- Export ----------------------------------------------------------------------------------


@campaign_staff_required
@require_GET
def problem_export(request):
    """The filtered list as the template (``?format=csv`` for CSV): at once when small, else a
    background job."""
    filters = transfer.filters_to_dict(request.GET)
    try:
        file_format = transfer.export_format(request.GET.get("format"))
        problems = transfer.problems_for_export(user=request.user, filters=filters)
    except ValueError:
        messages.error(request, _("Some filters are not valid; correct them and export again."))
        return redirect("ledger:problem_list")
    language = translation.get_language()
    return export_respond(
        request, rows=problems, write=write_export, file_format=file_format, stem="ledger", target="ledger",
        filters=filters, threshold=transfer.export_threshold(), job_url="ledger:export_detail",
        queue=lambda: transfer.ledger_export_request(user=request.user, filters=filters, language=language,
                                                     file_format=file_format),
    )


def _own_export(request, pk) -> LedgerExport:
    record = get_object_or_404(LedgerExport.objects.select_related("requested_by"), pk=pk)
    if not transfer.may_fetch_export(request.user, record):
        raise Http404
    return record


@campaign_staff_required
@require_GET
def export_detail(request, pk):
    record = _own_export(request, pk)
    return render(request, "ledger/transfer_export.html", {"record": record, "finished": record.status in FINISHED})


@campaign_staff_required
@require_GET
def export_progress(request, pk):
    record = _own_export(request, pk)
    return export_job_progress_answer(request, record, template="ledger/transfer_export_progress.html",
                                      context={"record": record, "finished": record.status in FINISHED})


@campaign_staff_required
@require_GET
def export_download(request, pk):
    return export_job_file(request, _own_export(request, pk), name="ledger")


# --- Import ----------------------------------------------------------------------------------


@hq_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = LedgerImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record, plan = transfer.ledger_import_preview(user=request.user, file_name=upload.name, data=upload.read())
        if plan is None:
            messages.info(request, _("A large file: it is checked in the background; this page shows the progress, "
                                     "then the preview."))
        return redirect("ledger:import_detail", pk=record.pk)
    recent = LedgerImport.objects.select_related("created_by")[:RECENT]
    return render(request, "ledger/transfer_import_upload.html", {
        "form": form, "recent": recent, "columns": [columns.column_label(f) for f in columns.FIELDS],
    })


@hq_required
@require_GET
def import_template(request):
    buffer = io.BytesIO()
    write_template(buffer, user=request.user, language=translation.get_language())
    buffer.seek(0)
    return _xlsx_response(buffer, "ledger_template.xlsx")


@hq_required
@require_http_methods(["GET", "POST"])
def import_detail(request, pk):
    record = get_object_or_404(LedgerImport.objects.select_related("created_by"), pk=pk)
    if request.method == "POST":
        try:
            record = transfer.ledger_import_confirm(user=request.user, record=record)
        except (transfer.ImportStateError, LedgerForbidden) as exc:
            messages.error(request, str(exc))
        else:
            if record.status == ImportStatus.DONE:
                messages.success(request, _("%(count)s problems imported.") % {"count": record.created_count})
            elif record.status == ImportStatus.FAILED:
                messages.error(request, record.failure)
            else:
                messages.info(request, _("The import runs in the background; this page shows its progress."))
        return redirect("ledger:import_detail", pk=record.pk)
    summary = None
    if record.status == ImportStatus.PREVIEWED and not record.errors:
        summary = _preview_summary(record)
    return render(request, "ledger/transfer_import_detail.html", {
        "record": record, "summary": summary, "finished": record.status in FINISHED,
        "voided": record.code_blocks.exclude(voided_at=None).order_by("year", "first"),
        "errors": record.errors[:SHOWN_PROBLEMS], "warnings": record.warnings[:SHOWN_PROBLEMS],
    })


def _preview_summary(record) -> dict | None:
    """What confirming would write, as the check found it (in the worker for a large file)."""
    if record.summary:
        return {**record.summary, "by_status": [
            {**row, "label": Status(row["status"]).label} for row in record.summary.get("by_status", [])
        ]}
    if record.total_rows > settings.IMPORT_BACKGROUND_ROWS:
        return None  # checked before previews were kept; never re-read a large file in a request
    try:
        with record.file.open("rb") as stored:
            data = stored.read()
    except OSError:
        logger.warning("Stored file of ledger import %s is missing", record.pk)
        return None
    return build_plan(data, user=record.created_by).summary()


@hq_required
@require_GET
def import_progress(request, pk):
    record = get_object_or_404(LedgerImport, pk=pk)
    finished = record.status in FINISHED or record.status == ImportStatus.PREVIEWED  # a large file's check ends so
    if request.headers.get("HX-Request"):
        response = render(request, "ledger/transfer_import_progress.html", {"record": record, "finished": finished})
        if finished:
            response["HX-Refresh"] = "true"
        return response
    return JsonResponse({"id": record.pk, "status": record.status, "total_rows": record.total_rows,
                         "processed_rows": record.processed_rows, "progress_percent": record.progress_percent,
                         "created_count": record.created_count, "errors": record.errors, "failure": record.failure})


routes = [
    path("problems/export/", problem_export, name="problem_export"),
    path("problems/import/", import_upload, name="import_upload"),
    path("problems/import/template.xlsx", import_template, name="import_template"),
    path("problems/import/<int:pk>/", import_detail, name="import_detail"),
    path("problems/import/<int:pk>/progress/", import_progress, name="import_progress"),
    path("exports/<int:pk>/", export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", export_download, name="export_download"),
]
