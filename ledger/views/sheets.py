"""Assignment sheets (交办单): the list (scoped), a printable sheet, its Excel, and issuing.

Who sees which sheets is ``sheets.sheets_visible_to``; out of scope is a 404. Issuing is for
HQ staff and district leads (others get 404 on the issue page) and goes through
``sheets.assignment_sheet_issue``.
"""

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.choices import AuditAction
from campaign.forms import bootstrap_form
from campaign.middleware import body_control_characters_refused
from campaign.models import Unit
from campaign.services.audit import audit_record
from campaign.views.structure import campaign_staff_required

from .. import sheets as sheet_service
from ..filters import AssignmentSheetFilterSet
from ..services import LedgerError

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@campaign_staff_required
@require_GET
def sheet_list(request):
    """The sheets the user may see, newest first: searched, filtered and paged (every sheet
    reachable)."""
    visible = sheet_service.sheets_visible_to(request.user)
    filterset = AssignmentSheetFilterSet(request.GET or None, queryset=visible, request=request)
    form = bootstrap_form(filterset.form)
    page = Paginator(sheet_service.sheets_with_counts(filterset.qs).order_by("-issued_at", "-id"),
                     PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledger/sheet_list.html", {
        "form": form, "page": page, "sheets": page.object_list, "may_issue": sheet_service.may_issue(request.user),
        "filtered": any(v for k, v in request.GET.items() if k != "page"), "querystring": query.urlencode(),
    })


def _visible_sheet(request, pk):
    queryset = sheet_service.sheets_visible_to(request.user).select_related("unit", "district", "issued_by")
    return get_object_or_404(queryset, pk=pk)


@campaign_staff_required
@require_GET
def sheet_detail(request, pk):
    sheet = _visible_sheet(request, pk)
    items = list(sheet_service.sheet_items(sheet, request.user))
    return render(request, "ledger/sheet_detail.html", {"sheet": sheet, "items": items})


@campaign_staff_required
@require_GET
def sheet_excel(request, pk):
    sheet = _visible_sheet(request, pk)
    items = sheet_service.sheet_items(sheet, request.user)
    data = sheet_service.sheet_workbook(sheet, items, language=translation.get_language())
    audit_record(action=AuditAction.EXPORT, request=request,
                 target=f"assignment sheet {sheet.year}-{sheet.batch}-{sheet.seq:02d}", details={"sheet": sheet.pk})
    return FileResponse(io.BytesIO(data), as_attachment=True, content_type=XLSX,
                        filename=f"assignment-sheet-{sheet.year}-{sheet.batch}-{sheet.seq:02d}.xlsx")


@campaign_staff_required
@require_http_methods(["GET", "POST"])
@body_control_characters_refused
def sheet_issue(request):
    """Proposes one sheet per unit for the assigned problems not yet on a sheet; issues one."""
    if not sheet_service.may_issue(request.user):
        raise Http404
    if request.method == "POST":
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=request.POST.get("unit") or 0)
        try:
            problem_ids = [int(value) for value in request.POST.getlist("problems")]
        except ValueError:
            problem_ids = []
        try:
            sheet = sheet_service.assignment_sheet_issue(
                unit=unit, problems=problem_ids, by=request.user, note=request.POST.get("note", "")[:2000],
            )
        except LedgerError as exc:
            messages.error(request, str(exc))
            return redirect("ledger:sheet_issue")
        messages.success(request, _("Sheet %(number)s issued to %(unit)s.") % {"number": sheet.number, "unit": unit})
        return redirect("ledger:sheet_detail", pk=sheet.pk)
    proposals = sheet_service.sheet_proposals(request.user)
    return render(request, "ledger/sheet_issue.html", {"proposals": proposals})


@campaign_staff_required
@require_http_methods(["GET", "POST"])
@body_control_characters_refused
def sheet_issue_all(request):
    """Issue every unit's sheet in one action, after a confirmation page that says how many."""
    if not sheet_service.may_issue(request.user):
        raise Http404
    if request.method == "POST":
        try:
            sheets = sheet_service.assignment_sheets_issue_all_request(
                by=request.user, note=request.POST.get("note", "")[:2000], request=request)
        except LedgerError as exc:
            messages.error(request, str(exc))
            return redirect("ledger:sheet_issue")
        if sheets is None:
            messages.info(request, _("Many problems: the sheets are issued in the background; they appear in this "
                                     "list in a few minutes."))
        else:
            messages.success(request, _("%(sheets)d sheets issued to %(units)d units, listing %(problems)d problems.")
                             % {"sheets": len(sheets), "units": len({sheet.unit_id for sheet in sheets}),
                                "problems": sum(sheet.items.count() for sheet in sheets)})
        return redirect("ledger:sheet_list")
    return render(request, "ledger/sheet_issue_all.html", {"waiting": sheet_service.sheets_waiting(request.user)})


routes = [
    path("sheets/", sheet_list, name="sheet_list"),
    path("sheets/issue/", sheet_issue, name="sheet_issue"),
    path("sheets/issue-all/", sheet_issue_all, name="sheet_issue_all"),
    path("sheets/<int:pk>/", sheet_detail, name="sheet_detail"),
    path("sheets/<int:pk>/sheet.xlsx", sheet_excel, name="sheet_excel"),
]
