"""Checklists: every category with its checklist and versions, a checklist's items, HQ's
editing of a category's items, and the checklist in Excel (export; import for HQ).

Every member of staff reads checklists (inspectors work from them). Only HQ staff change them,
always through ``services.checklist_revise``: a version an inspection already used is kept and
a new version is made, so old inspections keep the items they were scored on.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.choices import AuditAction, Role
from campaign.models import Category
from campaign.services.audit import audit_record
from campaign.views.structure import campaign_staff_required

from .. import services
from ..checklist_excel import ChecklistFileError, read_checklist, write_checklist
from ..forms_planning import ChecklistForm, ChecklistImportForm, ChecklistItemFormSet
from ..models import Checklist, ChecklistVersion
from ..services import InspectionError, InspectionForbidden

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_edit(user) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.HQ_STAFF)


def _category(request, category_pk: int) -> Category:
    return get_object_or_404(Category.objects.visible_to(request.user), pk=category_pk)


def _checklist(category) -> Checklist | None:
    return Checklist.objects.filter(category=category).first()


def _versions(checklist):
    if checklist is None:
        return []
    return list(checklist.versions.select_related("created_by")
                .annotate(inspection_count=Count("inspections", distinct=True), item_count=Count("items", distinct=True))
                .order_by("-number"))


def _detail_url(category) -> str:
    return reverse("inspections:checklist_detail", args=[category.pk])


def _used_note(current) -> dict:
    """What saving will do to the current version, for the edit and import pages."""
    if current is None:
        return {"used": False, "number": None, "next": 1}
    used = current.inspections.exists()
    return {"used": used, "number": current.number, "next": current.number + 1 if used else current.number,
            "inspections": current.inspections.count() if used else 0}


# --- Reading ---------------------------------------------------------------------------------------


@campaign_staff_required
def checklist_list(request):
    categories = (
        Category.objects.visible_to(request.user).select_related("checklist")
        .annotate(version_count=Count("checklist__versions", distinct=True),
                  current_number=Max("checklist__versions__number"))
        .order_by("kind", "order", "code")
    )
    currents = {
        (row["checklist_id"], row["number"]): row["items"]
        for row in ChecklistVersion.objects.values("checklist_id", "number").annotate(items=Count("items")).order_by()
    }
    rows = []
    for category in categories:
        try:
            checklist = category.checklist
        except Checklist.DoesNotExist:
            checklist = None
        items = currents.get((checklist.pk, category.current_number)) if checklist else None
        rows.append({"category": category, "checklist": checklist, "items": items})
    return render(request, "inspections/checklist_list.html", {"rows": rows, "may_edit": may_edit(request.user)})


@campaign_staff_required
def checklist_detail(request, category_pk: int):
    category = _category(request, category_pk)
    checklist = _checklist(category)
    versions = _versions(checklist)
    shown = versions[0] if versions else None
    wanted = request.GET.get("version")
    if wanted:
        shown = next((v for v in versions if str(v.number) == wanted), None)
        if shown is None:
            raise Http404
    items = list(shown.items.order_by("order", "code")) if shown else []
    return render(request, "inspections/checklist_detail.html", {
        "category": category,
        "checklist": checklist,
        "versions": versions,
        "shown": shown,
        "is_current": bool(versions) and shown == versions[0],
        "items": items,
        "total_points": sum(item.points for item in items),
        "may_edit": may_edit(request.user),
    })


# --- Editing ---------------------------------------------------------------------------------------


def _initial_items(version) -> list[dict]:
    if version is None:
        return []
    return [
        {"code": item.code, "text_zh": item.text_zh, "text_en": item.text_en, "points": item.points,
         "severity": item.severity, "veto": item.veto}
        for item in version.items.order_by("order", "code")
    ]


def _editor(request, category_pk: int):
    if not may_edit(request.user):
        raise PermissionDenied
    category = _category(request, category_pk)
    checklist = _checklist(category)
    return category, checklist, (checklist.current_version if checklist else None)


def _saved(request, version, category):
    messages.success(request, _("Version %(number)s of the checklist of %(category)s was saved.")
                     % {"number": version.number, "category": category})
    return redirect(_detail_url(category))


@campaign_staff_required
def checklist_edit(request, category_pk: int):
    category, checklist, current = _editor(request, category_pk)
    default_name = checklist.name if checklist else f"{category.name_zh}检查表"
    if request.method == "POST":
        form = ChecklistForm(request.POST)
        formset = ChecklistItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            try:
                version = services.checklist_revise(
                    category=category, items=formset.items(), by=request.user,
                    note=form.cleaned_data["note"], name=form.cleaned_data["name"],
                )
            except InspectionForbidden as error:
                raise PermissionDenied(str(error)) from None
            except InspectionError as error:
                form.add_error(None, str(error))
            else:
                return _saved(request, version, category)
    else:
        form = ChecklistForm(initial={"name": default_name})
        formset = ChecklistItemFormSet(initial=_initial_items(current), prefix="items")
    return render(request, "inspections/checklist_edit.html", {
        "category": category, "checklist": checklist, "current": current, "form": form, "formset": formset,
        "saving": _used_note(current),
    }, status=400 if request.method == "POST" else 200)


# --- Excel -----------------------------------------------------------------------------------------


@require_GET
@campaign_staff_required
def checklist_export(request, category_pk: int):
    category = _category(request, category_pk)
    checklist = _checklist(category)
    versions = checklist.versions.all() if checklist else ChecklistVersion.objects.none()
    wanted = request.GET.get("version")
    version = versions.filter(number=wanted).first() if wanted and wanted.isdigit() else versions.order_by("-number").first()
    if version is None:
        raise Http404
    data = write_checklist(version, language=translation.get_language())
    audit_record(action=AuditAction.EXPORT, request=request, target=f"checklist {category.code} v{version.number}",
                 details={"category": category.pk, "version": version.number})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="checklist-{category.code}-v{version.number}.xlsx"'
    return response


@campaign_staff_required
def checklist_import(request, category_pk: int):
    category, checklist, current = _editor(request, category_pk)
    form = ChecklistImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            items = read_checklist(form.cleaned_data["file"])
            version = services.checklist_revise(
                category=category, items=items, by=request.user,
                note=form.cleaned_data["note"] or _("Imported from %(file)s") % {"file": form.cleaned_data["file"].name},
                name=checklist.name if checklist else f"{category.name_zh}检查表",
            )
        except ChecklistFileError as error:
            errors = error.errors
        except InspectionForbidden as error:
            raise PermissionDenied(str(error)) from None
        except InspectionError as error:
            form.add_error(None, str(error))
        else:
            return _saved(request, version, category)
    return render(request, "inspections/checklist_import.html", {
        "category": category, "checklist": checklist, "current": current, "form": form, "errors": errors,
        "saving": _used_note(current),
    }, status=400 if request.method == "POST" else 200)


routes = [
    path("checklists/", checklist_list, name="checklist_list"),
    path("checklists/<int:category_pk>/", checklist_detail, name="checklist_detail"),
    path("checklists/<int:category_pk>/edit/", checklist_edit, name="checklist_edit"),
    path("checklists/<int:category_pk>/export.xlsx", checklist_export, name="checklist_export"),
    path("checklists/<int:category_pk>/import/", checklist_import, name="checklist_import"),
]
