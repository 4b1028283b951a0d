"""HQ pages for importing sample points: upload and preview, confirm, follow the progress.

For everyone but HQ staff these pages do not exist (404).
"""

import io
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..choices import ImportStatus
from ..importing.forms import SamplePointImportForm
from ..importing.planning import build_plan
from ..importing.template import build_template
from ..models import SamplePointImport
from ..services import imports as import_service

logger = logging.getLogger(__name__)

RECENT_IMPORTS = 10
SHOWN_PROBLEMS = 500  # a page with thousands of table rows helps nobody; the count says the rest
FINISHED = {ImportStatus.DONE, ImportStatus.FAILED}


def hq_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.can_manage_structure:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@hq_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if request.method == "POST":
        form = SamplePointImportForm(request.POST, request.FILES, user=request.user)
    else:
        form = SamplePointImportForm(user=request.user)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        record, plan = import_service.sample_point_import_preview(
            user=request.user, file_name=upload.name, data=upload.read(), defaults=form.import_defaults()
        )
        if plan is None:
            messages.info(request, _("A large file: it is checked in the background; this page shows the progress, "
                                     "then the preview."))
        return redirect("campaign:sample_point_import_detail", pk=record.pk)
    recent = SamplePointImport.objects.select_related("created_by")[:RECENT_IMPORTS]
    return render(request, "campaign/import_upload.html", {"form": form, "recent": recent})


@hq_required
@require_GET
def import_template(request):
    notes = [
        _("One sample point per row. Headers may be in Chinese, English or both."),
        _("Name and category are required; the district too, unless you choose one for the whole file when uploading."),
        _("District, category, grid, road, responsible unit and special team: give a code or a name that exists."),
        _("Leave the code empty to have one generated (district-category-number)."),
        _("Latitude and longitude are decimal degrees (e.g. 30.918612, 121.473827); give both or neither."),
        _("Replace the example row with your own points."),
    ]
    return FileResponse(
        io.BytesIO(build_template(notes=notes)),
        as_attachment=True,
        filename="sample_points_template.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@hq_required
@require_http_methods(["GET", "POST"])
def import_detail(request, pk):
    record = get_object_or_404(SamplePointImport.objects.select_related("created_by"), pk=pk)
    if request.method == "POST":
        try:
            record = import_service.sample_point_import_confirm(user=request.user, record=record)
        except import_service.ImportStateError as exc:
            messages.error(request, str(exc))
        else:
            if record.status == ImportStatus.DONE:
                messages.success(request, _("%(count)s sample points created.") % {"count": record.created_count})
            elif record.status == ImportStatus.FAILED:
                messages.error(request, record.failure)
            else:
                messages.info(request, _("The import runs in the background; this page shows its progress."))
        return redirect("campaign:sample_point_import_detail", pk=record.pk)
    summary = None
    if record.status == ImportStatus.PREVIEWED and not record.errors:
        summary = _preview_summary(record)
    return render(request, "campaign/import_detail.html", {
        "record": record,
        "summary": summary,
        "errors": record.errors[:SHOWN_PROBLEMS],
        "warnings": record.warnings[:SHOWN_PROBLEMS],
        "finished": record.status in FINISHED,
    })


def _preview_summary(record) -> dict | None:
    """What confirming would write, as the check found it (in the worker for a large file)."""
    if record.summary:
        return record.summary
    if record.total_rows > settings.IMPORT_BACKGROUND_ROWS:
        return None  # checked before previews were kept; never re-read a large file in a request
    try:
        with record.file.open("rb") as stored:
            data = stored.read()
    except OSError:
        logger.warning("Stored file of sample point import %s is missing", record.pk)
        return None
    return build_plan(data, user=record.created_by, defaults=record.defaults).summary()


@hq_required
@require_GET
def import_progress(request, pk):
    """The progress bar for htmx (polled every second until finished), JSON for anything else."""
    record = get_object_or_404(SamplePointImport, pk=pk)
    finished = record.status in FINISHED or record.status == ImportStatus.PREVIEWED  # a large file's check ends so
    if request.headers.get("HX-Request"):
        response = render(request, "campaign/import_progress.html", {"record": record, "finished": finished})
        if finished:
            response["HX-Refresh"] = "true"  # reload the page to show the result in full
        return response
    return JsonResponse({
        "id": record.pk,
        "status": record.status,
        "total_rows": record.total_rows,
        "processed_rows": record.processed_rows,
        "progress_percent": record.progress_percent,
        "created_count": record.created_count,
        "errors": record.errors,
        "failure": record.failure,
    })
