"""The moderation queue and a report's page for HQ staff and district leads (leaders read).

Every report is loaded through ``PublicReport.objects.visible_to`` (out of scope is a 404); a
role that moderates nothing and reads nothing gets 403 on the lists. Each decision is one form
and one call to public_reports/services.py, which checks the moderator's district again and
refuses a stale or second decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.choices import Role
from campaign.forms import bootstrap_form
from campaign.middleware import body_control_characters_refused
from campaign.public_guard import mobile_shown
from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required
from ledger.nearby import thumbnail_urls

from .. import services
from ..choices import ReportStatus, ReviewState
from ..filters import PublicReportFilterSet
from ..forms import AcceptForm, EditForm, MergeForm, RejectForm, ReviewForm
from ..models import PublicReport, PublicReportPhoto, hq_staff
from ..selectors import (
    after_photos,
    duplicate_counts,
    may_moderate,
    report_duplicates,
    report_queue,
    report_thumbnail_urls,
    review_queue,
)

PER_PAGE = 50
READERS = (Role.HQ_STAFF, Role.LEADER, Role.DISTRICT_LEAD)


def _reader(user) -> bool:
    return user.is_superuser or user.role in READERS


def _readers_only(request) -> None:
    if not _reader(request.user):
        raise PermissionDenied



# --- The queue -----------------------------------------------------------------------------------


@campaign_staff_required
@require_GET
def queue(request):
    _readers_only(request)
    reports = report_queue(request.user)
    filterset = PublicReportFilterSet(request.GET or None, queryset=reports, request=request)
    if filterset.is_bound:
        reports = filterset.qs if filterset.is_valid() else reports.none()
    bootstrap_form(filterset.form)
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    counts = duplicate_counts(rows, user=request.user)
    thumbnails = report_thumbnail_urls([r.photo_id for r in rows])
    for row in rows:
        row.duplicate_count, row.thumbnail_url = counts.get(row.pk), thumbnails.get(row.photo_id, "")
    return render(request, "public_reports/queue.html", {"filterset": filterset, "page": page, "rows": rows})


# --- One report ----------------------------------------------------------------------------------


def _report(request, pk: int) -> PublicReport:
    return get_object_or_404(
        PublicReport.objects.visible_to(request.user).select_related(
            "public_category", "public_category__category", "district", "problem", "decided_by", "merged_into",
            "rebound_problem"),
        pk=pk)


def _detail(request, report: PublicReport, *, status: int = 200, **forms):
    user = request.user
    photos = list(report.photos.all())
    thumbnails = report_thumbnail_urls([p.pk for p in photos])
    for item in photos:
        item.thumbnail_url = thumbnails[item.pk]
    moderates = may_moderate(user, report)
    waiting = report.status == ReportStatus.RECEIVED
    if moderates and waiting:
        forms.setdefault("accept_form", AcceptForm(user=user, report=report))
        forms.setdefault("merge_form", MergeForm(user=user, report=report))
        forms.setdefault("reject_form", RejectForm(user=user, report=report))
    if moderates:
        forms.setdefault("edit_form", EditForm(user=user, report=report, photos=photos))
    reviewing = report.review_state == ReviewState.PENDING and hq_staff(user)
    if reviewing:
        forms.setdefault("review_form", ReviewForm())
    after = after_photos([report.problem_id]) if report.problem_id else {}
    return render(request, "public_reports/report_detail.html", {
        "report": report, "photos": photos,
        "events": report.events.select_related("actor"),
        "mobile": mobile_shown(report.reporter_mobile, full=moderates),
        "moderates": moderates, "waiting": waiting, "reviewing": reviewing,
        "duplicates": report_duplicates(report, user=user) if waiting else [],
        "after_thumbnail": thumbnail_urls(after.values()).get(after.get(report.problem_id)),
        **forms,
    }, status=status)


@campaign_staff_required
@require_GET
def report_detail(request, pk: int):
    return _detail(request, _report(request, pk))


def _decide(request, pk: int, form_class, name: str, call, done: str):
    """Validate ``form_class``, then run ``call(report, data, form)`` (one service); a refused
    decision is shown on the page (400), a stale or second one as a message (409 as a redirect)."""
    report = _report(request, pk)
    if not may_moderate(request.user, report):
        raise PermissionDenied
    extra = {"photos": list(report.photos.all())} if form_class is EditForm else {}
    form = form_class(request.POST, user=request.user, report=report, **extra)
    if form.is_valid():
        try:
            call(report, form.cleaned_data, form)
        except services.PublicReportForbidden as error:
            raise PermissionDenied(str(error)) from error
        except services.PublicReportConflict as error:
            messages.error(request, str(error))
            return redirect("public_reports:detail", pk=report.pk)
        except services.PublicReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done % {"code": report.code})
            return redirect("public_reports:detail", pk=report.pk)
    return _detail(request, report, status=400, **{name: form})


@campaign_staff_required
@require_POST
@body_control_characters_refused
def report_accept(request, pk: int):
    def call(report, data, form):
        services.public_report_accept(
            report=report, by=request.user, category=data["category"], district=data["district"],
            severity=data["severity"], description=data["description"], unit=data["unit"],
            deadline=data["deadline"], note=data["note"], expected_version=data["version"])

    return _decide(request, pk, AcceptForm, "accept_form", call,
                   _("Report %(code)s was accepted into the ledger."))


@campaign_staff_required
@require_POST
@body_control_characters_refused
def report_merge(request, pk: int):
    def call(report, data, form):
        services.public_report_merge(report=report, by=request.user, into_problem=form.into_problem,
                                     into_report=form.into_report, note=data["note"],
                                     expected_version=data["version"])

    return _decide(request, pk, MergeForm, "merge_form", call,
                   _("Report %(code)s was merged: the reporter is told it was already known."))


@campaign_staff_required
@require_POST
@body_control_characters_refused
def report_reject(request, pk: int):
    def call(report, data, form):
        services.public_report_reject(report=report, by=request.user, reason=data["reason"], note=data["note"],
                                      expected_version=data["version"])

    return _decide(request, pk, RejectForm, "reject_form", call, _("Report %(code)s was rejected."))


@campaign_staff_required
@require_POST
@body_control_characters_refused
def report_edit(request, pk: int):
    def call(report, data, form):
        services.public_report_edit(report=report, by=request.user, description=data["description"],
                                    hide_photo_ids=[int(pk) for pk in data["hide_photos"]], note=data["note"],
                                    expected_version=data["version"])

    return _decide(request, pk, EditForm, "edit_form", call,
                   _("Your edits of report %(code)s are kept beside the original."))


# --- HQ's review of unsatisfied ratings ----------------------------------------------------------


@campaign_staff_required
@require_GET
def review_list(request):
    if not (hq_staff(request.user) or request.user.role == Role.LEADER):
        raise PermissionDenied
    page = Paginator(review_queue(request.user), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    after = after_photos([r.problem_id for r in rows if r.problem_id])
    after_urls = thumbnail_urls(after.values())
    return render(request, "public_reports/review_queue.html", {
        "page": page, "rows": [(r, after_urls.get(after.get(r.problem_id))) for r in rows],
        "may_review": hq_staff(request.user),
    })


@campaign_staff_required
@require_POST
@body_control_characters_refused
def report_review(request, pk: int):
    report = _report(request, pk)
    if not hq_staff(request.user):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, status=400, review_form=form)
    try:
        services.public_report_review(report=report, by=request.user, rebound=form.cleaned_data["decision"] == "rebound",
                                      note=form.cleaned_data["note"])
    except services.PublicReportConflict as error:
        messages.error(request, str(error))
    except services.PublicReportError as error:
        form.add_error(None, str(error))
        return _detail(request, report, status=400, review_form=form)
    else:
        messages.success(request, _("Your review of report %(code)s is recorded.") % {"code": report.code})
    return redirect("public_reports:review_queue")


# --- Photos --------------------------------------------------------------------------------------


@campaign_staff_required
@require_GET
def photo(request, pk: int, thumbnail: bool = False):
    """A report's photo (hidden ones too: staff judge them), for who may see the report."""
    item = get_object_or_404(
        PublicReportPhoto.objects.filter(report__in=PublicReport.objects.visible_to(request.user).values("pk")),
        pk=pk)
    name = (item.thumbnail if thumbnail else item.image).name
    return stored_file_response(name, content_type="image/jpeg", cache_seconds=3600)


