"""The reports pages: the list (HQ requests any finished period there), a report with its live
progress and then its figures, the workbook download, and HQ's weekly tasks.

Every report is loaded through ``Report.objects.visible_to(user)``: out of scope is 404. HQ-only
pages and actions are 404 for everyone else, as the ledger's import pages are.
"""

import datetime as dt
import io
import logging
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.choices import AuditAction
from campaign.forms import ConfirmedForm
from campaign.services.audit import audit_record
from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required

from . import selectors, services
from .choices import ReportKind, ReportStatus
from .filters import ReportFilterSet
from .forms import ReportRequestForm, WeeklyTaskForm
from .kinds import kind_module
from .models import Report, WeeklyTask
from .periods import week_of

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def hq_required(view):
    """HQ staff only; anyone else signed in gets 404, as if the page did not exist."""

    @campaign_staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.may_manage_reports(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# --- List and request ------------------------------------------------------------------------


@campaign_staff_required
@require_GET
def report_list(request):
    is_hq = services.may_manage_reports(request.user)
    if is_hq:
        _relay_quietly()
    filterset = ReportFilterSet(request.GET or None, queryset=selectors.reports_visible(user=request.user),
                                request=request)
    reports = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(reports.order_by("-period_start", "kind", "scope_key", "-version"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reports/report_list.html", {
        "filterset": filterset, "page": page, "is_hq": is_hq,
        "request_form": ReportRequestForm() if is_hq else None,
        "querystring": _querystring_without_page(request),
    })


def _relay_quietly() -> None:
    """HQ opened the reports page: send anything left in the outbox (the broker may be back).
    Never breaks the page."""
    try:
        services.report_relay()
    except Exception:
        logger.exception("Reports relay from the reports page failed")


def _querystring_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@hq_required
@require_POST
def report_request(request):
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        reports = selectors.reports_visible(user=request.user).order_by("-period_start", "kind", "-version")
        page = Paginator(reports, PAGE_SIZE).get_page(1)
        filterset = ReportFilterSet(None, queryset=reports, request=request)
        return render(request, "reports/report_list.html", {
            "filterset": filterset, "page": page, "is_hq": True, "request_form": form, "querystring": "",
        }, status=400)
    try:
        report = services.report_request(
            kind=form.cleaned_data["kind"], period_start=form.cleaned_data["day"],
            district=form.cleaned_data["district"], requested_by=request.user,
        )
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect("reports:report_list")
    messages.success(request, _("The report is queued; this page shows its progress."))
    return redirect("reports:report_detail", pk=report.pk)


# --- One report ------------------------------------------------------------------------------


@campaign_staff_required
@require_GET
def report_detail(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    context = {
        "report": report,
        "finished": selectors.report_is_finished(report),
        "versions": selectors.report_versions(user=request.user, report=report),
        "is_hq": services.may_manage_reports(request.user),
        "viewer_scope": selectors.viewer_scope(request.user),
    }
    if report.status == ReportStatus.DONE:
        context["data"] = report.data
        context["kind_template"] = kind_module(report.kind).TEMPLATE
    return render(request, "reports/report_detail.html", context)


@campaign_staff_required
@require_GET
def report_progress(request, pk):
    """The progress fragment (htmx polls it) or, for scripts, the status as JSON. When the
    report finishes, an htmx poll reloads the whole page to show the figures."""
    report = selectors.report_get(user=request.user, pk=pk)
    finished = selectors.report_is_finished(report)
    if request.headers.get("HX-Request"):
        if finished:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "reports/_report_progress.html", {"report": report, "finished": finished})
    return JsonResponse({"id": report.pk, "status": report.status, "progress": report.progress,
                         "failure": report.failure})


@campaign_staff_required
@require_GET
def report_download(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    return workbook_response(report, user=request.user, request=request)


def workbook_response(report: Report, *, user, request=None) -> HttpResponse:
    """The report's workbook for ``user`` (the page and the API): the stored file when they may
    read the whole report, else one written afresh from the lists of their own scope
    (selectors.report_data_for). 404 until the report is done. Each download is audited."""
    from .workbook import build_workbook

    if report.status != ReportStatus.DONE or not report.workbook:
        raise Http404
    data = selectors.report_data_for(report=report, user=user)
    if data is not report.data:
        report.data = data
        response = FileResponse(io.BytesIO(build_workbook(report)), as_attachment=True,
                                filename=download_name(report), content_type=XLSX)
    else:
        response = stored_file_response(report.workbook, as_attachment=True, filename=download_name(report),
                                        content_type=XLSX)
    audit_record(action=AuditAction.EXPORT, request=request, actor=user, target=f"report #{report.pk}",
                 details={"report": report.pk, "kind": report.kind, "period": str(report.period.label),
                          "version": report.version, "district": report.district_id,
                          "whole_report": data is report.data})
    return response


def download_name(report: Report) -> str:
    scope = f"-{report.district}" if report.district_id else ""
    return f"{report.get_kind_display()}-{report.period.label}{scope}-v{report.version}.xlsx"


@hq_required
@require_POST
def report_regenerate(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        new = services.report_regenerate(report=report, requested_by=request.user)
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect("reports:report_detail", pk=report.pk)
    messages.success(request, _("Version %(version)s is queued; the earlier versions are kept.") % {
        "version": new.version})
    return redirect("reports:report_detail", pk=new.pk)


@hq_required
@require_POST
def report_publish(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    confirm = ConfirmedForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, " ".join(confirm.errors["confirmed"]))
        return redirect("reports:report_detail", pk=report.pk)
    try:
        services.report_publish(report=report, by=request.user)
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The report is published: all staff and the public board show it now."))
    return redirect("reports:report_detail", pk=report.pk)


# --- Weekly tasks ----------------------------------------------------------------------------


def _week_from(request) -> dt.date:
    day = parse_date(request.GET.get("week") or request.POST.get("week") or "")
    return week_of(day).start if day else selectors.coming_week_start()


@hq_required
@require_http_methods(["GET", "POST"])
def weekly_task_list(request):
    week_start = _week_from(request)
    form = WeeklyTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.weekly_task_create(by=request.user, week_start=week_start, **form.cleaned_data)
        except services.ReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Task added."))
            return redirect(f"{request.path}?week={week_start.isoformat()}")
    week = week_of(week_start)
    # The reports that list these tasks: the weekly assignment of the week before.
    assignment_reports = Report.objects.filter(
        kind=ReportKind.WEEKLY_ASSIGNMENT, period_start=week_start - dt.timedelta(days=7)
    ).filter(district__isnull=True).order_by("-version")[:1]
    return render(request, "reports/weekly_tasks.html", {
        "week": week, "tasks": selectors.weekly_tasks(week_start=week_start), "form": form,
        "previous_week": week_start - dt.timedelta(days=7), "next_week": week_start + dt.timedelta(days=7),
        "assignment_report": next(iter(assignment_reports), None),
        "today": timezone.localdate(),
    }, status=400 if form.errors else 200)


@hq_required
@require_http_methods(["GET", "POST"])
def weekly_task_edit(request, pk):
    task = get_object_or_404(WeeklyTask.objects.select_related("unit"), pk=pk)
    form = WeeklyTaskForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        try:
            services.weekly_task_update(task=task, by=request.user, **form.cleaned_data)
        except services.ReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Task saved."))
            return redirect(f"{_tasks_url()}?week={task.week_start.isoformat()}")
    return render(request, "reports/weekly_task_edit.html", {"task": task, "form": form},
                  status=400 if form.errors else 200)


@hq_required
@require_POST
def weekly_task_delete(request, pk):
    task = get_object_or_404(WeeklyTask, pk=pk)
    week_start = task.week_start
    services.weekly_task_delete(task=task, by=request.user)
    messages.success(request, _("Task removed."))
    return redirect(f"{_tasks_url()}?week={week_start.isoformat()}")


def _tasks_url() -> str:
    return reverse("reports:weekly_task_list")
