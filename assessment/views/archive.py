"""The materials archive's pages: the list of materials (filters: status, part, unit, overdue),
a material's page (its versions, its history, upload and review), the scoped file download,
completeness per part / article / unit / team, the archive index (A4 and Excel) and the whole
archive as a ZIP written by the worker (its page shows the progress). Out of scope is a 404."""

import io
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.choices import AuditAction, ImportStatus
from campaign.control_characters import ControlCharactersRefused
from campaign.models import Team, Unit
from campaign.services.audit import audit_record
from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required

from ..archive.files import ACCEPT_ATTRIBUTE, MaterialFileError
from ..archive.index import index_row, write_index
from ..choices import MaterialStatus
from ..filters.archive import filtered_requirements
from ..models import MaterialFile, StandardArticle, StandardPart
from ..selectors import archive as selectors
from ..services import archive as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(ControlCharactersRefused, forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy(
        "PDF, Word, Excel, JPEG or PNG. Every upload is a new version; none is deleted."))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ACCEPT_ATTRIBUTE


class ReviewForm(ControlCharactersRefused, forms.Form):
    file = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=gettext_lazy("Decision"),
                                 choices=[("accept", gettext_lazy("Accept")), ("return", gettext_lazy("Return"))])
    comment = forms.CharField(label=gettext_lazy("Comment for the unit"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


def _visible_requirement(user, pk):
    return get_object_or_404(selectors.requirements_visible_to(user), pk=pk)


@campaign_staff_required
@require_GET
def archive_list(request):
    try:
        rows, filterset = filtered_requirements(request.user, request.GET)
    except ValueError:
        messages.error(request, _("Some filters are not valid; correct them."))
        return redirect("assessment:archive_list")
    edition = selectors.edition_current()
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    parts = StandardPart.objects.filter(edition=edition).order_by("number") if edition else []
    units = Unit.objects.filter(pk__in=selectors.requirements_visible_to(request.user).values("responsible_unit"))
    return render(request, "assessment/archive/list.html", {
        "edition": edition, "form": filterset.form, "page": page, "rows": [index_row(r, today) for r in page.object_list],
        "query": query.urlencode(), "parts": parts, "units": units, "statuses": MaterialStatus.choices,
        "whole": selectors.sees_whole_archive(request.user),
        "may_download": selectors.may_download_archive(request.user),
    })


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def archive_material(request, pk: int):
    """A material: its status, HQ's last comment, every version and every move; the unit's
    upload form and HQ's review form. Refusals show on the page with the service's message."""
    requirement = _visible_requirement(request.user, pk)
    user = request.user
    upload_form, review_form = UploadForm(), None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "upload":
                upload_form = UploadForm(request.POST, request.FILES)
                if upload_form.is_valid():
                    record = services.material_file_submit(requirement=requirement,
                                                           upload=upload_form.cleaned_data["file"], by=user,
                                                           note=upload_form.cleaned_data["note"])
                    messages.success(request, _("Version %(version)s was uploaded and awaits HQ's review.")
                                     % {"version": record.version})
                    return redirect("assessment:archive_material", pk=pk)
            elif action == "review":
                review_form = ReviewForm(request.POST)
                if review_form.is_valid():
                    values = review_form.cleaned_data
                    file = get_object_or_404(MaterialFile, pk=values["file"], requirement=requirement)
                    services.material_review(requirement=requirement, file=file,
                                             accept=values["decision"] == "accept", comment=values["comment"],
                                             by=user)
                    messages.success(request, _("The material was accepted.") if values["decision"] == "accept"
                                     else _("The material was returned to the unit with your comment."))
                    return redirect("assessment:archive_material", pk=pk)
            else:
                raise Http404
        except MaterialFileError as error:
            upload_form.add_error("file", str(error))
        except services.MaterialForbidden as error:
            messages.error(request, str(error))
            status = 403
        except services.MaterialError as error:
            messages.error(request, str(error))
        status = 400 if status == 200 else status
    state = selectors.state_of(requirement)
    current = state.status if state else MaterialStatus.MISSING
    if review_form is None and state and state.latest_file_id:
        review_form = ReviewForm(initial={"file": state.latest_file_id})
    return render(request, "assessment/archive/material.html", {
        "requirement": requirement, "state": state, "status": current,
        "status_label": MaterialStatus(current).label,
        "overdue": bool(requirement.due_date and requirement.due_date < timezone.localdate()
                        and current != MaterialStatus.ACCEPTED),
        "files": selectors.files_of(requirement), "events": selectors.events_of(requirement),
        "may_upload": selectors.may_upload(user, requirement) and current != MaterialStatus.ACCEPTED
                      and requirement.active,
        "may_review": selectors.may_review(user) and current == MaterialStatus.SUBMITTED,
        "upload_form": upload_form, "review_form": review_form,
    }, status=status)


@campaign_staff_required
@require_GET
def archive_file(request, pk: int):
    """One version's file, only for someone who may see its material (404 otherwise), under
    its original name, never sniffed or cached publicly."""
    record = get_object_or_404(selectors.files_visible_to(request.user), pk=pk)
    inline = record.kind in ("pdf", "jpeg", "png") and request.GET.get("download") != "1"
    # Shown inline, the file opens in a sandbox: those headers cannot travel with a signed link,
    # so it is streamed even when S3_SERVE=redirect (a download may take the signed link).
    sandbox = {
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(record.original_name)}",
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; object-src 'self'",
    } if inline else None
    response = stored_file_response(record.file, content_type=record.content_type, as_attachment=not inline,
                                    filename=record.original_name, headers=sandbox)
    if response.status_code != 200:
        return response  # a download redirected to the signed link (S3_SERVE=redirect)
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


@campaign_staff_required
@require_GET
def archive_completeness_page(request):
    """Completeness of the edition in use by part, article, unit or team: HQ and leaders the
    whole archive, others the materials in their scope (a unit its own, a team lead its parts
    and articles); nobody with no material in scope (404)."""
    whole = selectors.sees_whole_archive(request.user)
    if not whole and not selectors.requirements_visible_to(request.user).exists():
        raise Http404
    by = request.GET.get("by", "part")
    if by not in selectors.BREAKDOWNS:
        by = "part"
    edition = selectors.edition_current()
    today = timezone.localdate()
    figures = selectors.archive_completeness(edition=edition, as_of=today, by=by,
                                             user=None if whole else request.user) if edition else {}
    model = {"part": StandardPart, "article": StandardArticle, "unit": Unit, "team": Team}[by]
    things = (model.objects.select_related("part") if by == "article" else model.objects).in_bulk(list(figures))
    rows = [{"id": key, "label": _thing_label(things.get(key), by), "sort": _thing_sort(things.get(key), by), **value}
            for key, value in figures.items()]
    rows.sort(key=lambda row: row["sort"])
    return render(request, "assessment/archive/completeness.html", {
        "edition": edition, "by": by, "rows": rows, "today": today, "whole": whole,
        "breakdowns": [("part", _("Part")), ("article", _("Article")), ("unit", _("Unit")), ("team", _("Team"))],
    })


def _thing_label(thing, by: str) -> str:
    if thing is None:
        return "—"
    if by == "part":
        return f"{thing.number}. {thing.label}"
    if by == "article":
        return f"{thing.part.number} · {thing.number} {thing.label}".strip()
    return str(thing)


def _thing_sort(thing, by: str):
    if thing is None:
        return (999, 0, "")
    if by == "part":
        return (thing.number, 0, "")
    if by == "article":
        return (thing.part.number, thing.order, thing.number)
    return (0, 0, str(thing))


@campaign_staff_required
@require_GET
def archive_index(request):
    """The archive index (档案目录) of what the user may see, in the assessors' order: an A4 page
    (print it), or ``?format=xlsx`` the workbook."""
    rows, _form = filtered_requirements(request.user, {})
    edition = selectors.edition_current()
    if request.GET.get("format") == "xlsx":
        buffer = io.BytesIO()
        count = write_index(rows, buffer)
        buffer.seek(0)
        audit_record(action=AuditAction.EXPORT, request=request, target="archive index",
                     details={"rows": count, "format": "xlsx"})
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return FileResponse(buffer, as_attachment=True, filename=f"archive-index-{stamp}.xlsx", content_type=XLSX)
    today = timezone.localdate()
    return render(request, "assessment/archive/index.html", {
        "edition": edition, "rows": [index_row(r, today) for r in rows], "today": today})


# --- The whole archive as a ZIP -----------------------------------------------------------------


@campaign_staff_required
@require_POST
def archive_zip_request(request):
    try:
        record = services.archive_export_request(by=request.user, edition=selectors.edition_current())
    except services.MaterialForbidden:
        raise Http404 from None
    except services.MaterialError as error:
        messages.error(request, str(error))
        return redirect("assessment:archive_list")
    audit_record(action=AuditAction.EXPORT, request=request, target=f"archive export #{record.pk}",
                 details={"delivery": "background", "format": "zip"})
    return redirect("assessment:archive_zip", pk=record.pk)


def _zip_context(record) -> dict:
    return {"record": record, "finished": record.status in (ImportStatus.DONE, ImportStatus.FAILED),
            "progress_url": reverse("assessment:archive_zip_progress", args=[record.pk]),
            "detail_url": reverse("assessment:archive_zip", args=[record.pk]),
            "download_url": reverse("assessment:archive_zip_download", args=[record.pk])}


@campaign_staff_required
@require_GET
def archive_zip(request, pk: int):
    record = get_object_or_404(selectors.archive_export_visible_to(request.user), pk=pk)
    return render(request, "assessment/archive/zip.html", _zip_context(record))


@campaign_staff_required
@require_GET
def archive_zip_progress(request, pk: int):
    record = get_object_or_404(selectors.archive_export_visible_to(request.user), pk=pk)
    if request.headers.get("HX-Request"):
        return render(request, "assessment/archive/zip_progress.html", _zip_context(record))
    return JsonResponse({"id": record.pk, "status": record.status, "total_files": record.total_rows,
                         "processed_files": record.processed_rows, "progress_percent": record.progress_percent,
                         "failure": record.failure})


@campaign_staff_required
@require_GET
def archive_zip_download(request, pk: int):
    """The finished ZIP; 404 while it is queued or being written (never half-written)."""
    record = get_object_or_404(selectors.archive_export_visible_to(request.user), pk=pk)
    if record.status != ImportStatus.DONE or not record.file:
        raise Http404
    stamp = timezone.localtime(record.created_at).strftime("%Y%m%d-%H%M")
    response = stored_file_response(record.file, as_attachment=True, filename=f"archive-{stamp}.zip",
                                    content_type="application/zip")
    audit_record(action=AuditAction.EXPORT, request=request, target=f"archive export #{record.pk}",
                 details={"delivery": "download", "requested_by": record.requested_by_id, "format": "zip"})
    return response


routes = [
    path("archive/", archive_list, name="archive_list"),
    path("archive/completeness/", archive_completeness_page, name="archive_completeness"),
    path("archive/index/", archive_index, name="archive_index"),
    path("archive/materials/<int:pk>/", archive_material, name="archive_material"),
    path("archive/files/<int:pk>/", archive_file, name="archive_file"),
    path("archive/zip/", archive_zip_request, name="archive_zip_request"),
    path("archive/zip/<int:pk>/", archive_zip, name="archive_zip"),
    path("archive/zip/<int:pk>/progress/", archive_zip_progress, name="archive_zip_progress"),
    path("archive/zip/<int:pk>/download/", archive_zip_download, name="archive_zip_download"),
]
