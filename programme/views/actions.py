"""The special actions' pages: the list with progress bars, an action's page (figures per district
and unit, its objects with filters), loading objects from Excel (upload → preview → confirm, all
or nothing) or picking sample points, and an object's page with its steps and photos.

Everything loads through ``visible_to(user)`` (out of scope: 404); every change calls one
service of programme/services/actions.py.
"""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from campaign.choices import ImportStatus
from campaign.forms import bootstrap_form
from campaign.photos import PhotoError, photo_store
from campaign.spreadsheets import append_row
from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required

from ..choices import TargetStep
from ..forms.actions import ActionForm, ObjectsUploadForm, PickForm, StepForm
from ..models import ActionImport, ActionTarget, SpecialAction, TargetPhoto
from ..selectors.actions import (
    ActionTargetFilterSet,
    action_figures,
    actions_visible,
    actions_with_progress,
    target_with_history,
    targets_visible,
)
from ..services import actions as services
from ..services.actions_plan import COLUMNS, build_plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
SHOWN_ERRORS = 500


def _hq_only(request):
    if not services.may_manage_actions(request.user):
        raise Http404


def _action(request, pk) -> SpecialAction:
    return get_object_or_404(actions_visible(request.user), pk=pk)


@campaign_staff_required
@require_GET
def action_list(request):
    return render(request, "programme/actions/action_list.html", {
        "rows": actions_with_progress(request.user), "can_manage": services.may_manage_actions(request.user),
    })


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def action_create(request):
    _hq_only(request)
    form = ActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(by=request.user, **form.cleaned_data)
        except services.ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Action “%(name)s” created: now load its objects.") % {"name": action.name})
            return redirect("programme:action_import", pk=action.pk)
    return render(request, "programme/actions/action_form.html", {"form": form}, status=400 if form.errors else 200)


def _filtered_targets(request, queryset):
    filterset = ActionTargetFilterSet(request.GET or None, queryset=queryset, request=request)
    bootstrap_form(filterset.form)
    if filterset.is_bound:  # wrong filters show their errors and no rows, never every row
        rows = filterset.qs if filterset.is_valid() else queryset.none()
    else:
        rows = queryset
    return filterset, rows.order_by("deadline", "district__code", "name", "id")


def _page(request, rows):
    paginator = Paginator(rows, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


@campaign_staff_required
@require_GET
def action_detail(request, pk):
    action = _action(request, pk)
    filterset, rows = _filtered_targets(request, targets_visible(request.user).filter(action=action))
    return render(request, "programme/actions/action_detail.html", {
        "action": action, "figures": action_figures(action, request.user), "filterset": filterset,
        "page": _page(request, rows), "can_manage": services.may_manage_actions(request.user),
        "units": action.units.all(), "imports": action.imports.select_related("created_by")[:5],
        "pick_form": PickForm(user=request.user) if services.may_manage_actions(request.user) else None,
    })


@campaign_staff_required
@require_GET
def target_list(request):
    """Every object the user may see, across actions (the task home's groups link here)."""
    filterset, rows = _filtered_targets(request, targets_visible(request.user))
    return render(request, "programme/actions/target_list.html", {"filterset": filterset, "page": _page(request, rows)})


# --- Loading objects -------------------------------------------------------------------------------


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def action_import(request, pk):
    _hq_only(request)
    action = _action(request, pk)
    form = ObjectsUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record, _plan = services.action_import_preview(by=request.user, action=action, file_name=upload.name,
                                                       data=upload.read())
        return redirect("programme:action_import_detail", pk=record.pk)
    return render(request, "programme/actions/import_upload.html", {
        "action": action, "form": form, "columns": [f"{zh} {en}" for en, zh, _o in COLUMNS.values()],
    }, status=400 if form.errors else 200)


@campaign_staff_required
@require_GET
def action_import_template(request, pk):
    _hq_only(request)
    action = _action(request, pk)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "对象 Objects"
    append_row(sheet, [f"{zh} {en}" for en, zh, _o in COLUMNS.values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"action-{action.pk}-objects.xlsx", content_type=XLSX)


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def action_import_detail(request, pk):
    _hq_only(request)
    record = get_object_or_404(ActionImport.objects.select_related("action", "created_by"), pk=pk)
    if request.method == "POST":
        try:
            record = services.action_import_confirm(by=request.user, record=record)
        except services.ActionError as error:
            messages.error(request, str(error))
            return redirect("programme:action_import_detail", pk=record.pk)
        if record.status == ImportStatus.DONE:
            messages.success(request, _("%(count)s objects added to the action.") % {"count": record.created_count})
            return redirect("programme:action_detail", pk=record.action_id)
        messages.error(request, _("The file has errors now; nothing was written."))
        return redirect("programme:action_import_detail", pk=record.pk)
    preview = None
    if record.status == ImportStatus.PREVIEWED and not record.errors:
        with record.file.open("rb") as stored:
            preview = build_plan(stored.read(), action=record.action)
    return render(request, "programme/actions/import_detail.html", {
        "record": record, "action": record.action, "preview": preview, "errors": record.errors[:SHOWN_ERRORS],
    })


@campaign_staff_required
@require_POST
def action_pick(request, pk):
    _hq_only(request)
    action = _action(request, pk)
    form = PickForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            target = services.action_target_pick(by=request.user, action=action, **form.cleaned_data)
        except services.ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s added to the action.") % {"name": target.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("programme:action_detail", pk=action.pk)


# --- One object --------------------------------------------------------------------------------------


def _target(request, pk) -> ActionTarget:
    try:
        return target_with_history(request.user, pk)
    except ActionTarget.DoesNotExist:
        raise Http404 from None


def _render_target(request, target, *, failed: StepForm | None = None, status: int = 200):
    forms = []
    for step in services.steps_open(target, request.user):
        if failed is not None and failed.step == step:
            forms.append(failed)
        else:
            forms.append(StepForm(step=step, prefix=step, initial={"version": target.version}))
    return render(request, "programme/actions/target_detail.html", {
        "target": target, "action": target.action, "forms": forms, "events": list(target.events.all()),
    }, status=status)


@campaign_staff_required
@require_GET
def target_detail(request, pk):
    return _render_target(request, _target(request, pk))


@campaign_staff_required
@require_POST
def target_step(request, pk, step):
    step = step.replace("-", "_")
    if step not in services.TRANSITIONS:
        raise Http404
    target = _target(request, pk)
    form = StepForm(request.POST, request.FILES, step=step, prefix=step)
    if not form.is_valid():
        return _render_target(request, target, failed=form, status=400)
    stored = []
    try:
        for upload in form.cleaned_data.get("photos") or ():
            stored.append(photo_store(upload, folder=f"programme/actions/{target.pk}"))
        services.target_step(target=target, step=step, by=request.user, note=form.cleaned_data["note"],
                             photos=stored, expected_version=form.cleaned_data["version"])
    except PhotoError as error:
        _discard(stored)
        form.add_error("photos", str(error))
        return _render_target(request, target, failed=form, status=400)
    except services.ActionForbidden as error:
        _discard(stored)
        raise PermissionDenied(str(error)) from None
    except services.ActionConflict as error:
        _discard(stored)
        messages.error(request, str(error))
        return redirect("programme:target_detail", pk=target.pk)
    except services.ActionInvalid as error:
        _discard(stored)
        form.add_error(None, str(error))
        return _render_target(request, target, failed=form, status=400)
    messages.success(request, _("%(name)s: %(step)s.") % {"name": target.name, "step": TargetStep(step).label})
    return redirect("programme:target_detail", pk=target.pk)


def _discard(stored) -> None:
    for photo in stored:
        default_storage.delete(photo.image_name)
        default_storage.delete(photo.thumbnail_name)


@campaign_staff_required
@require_GET
def target_photo(request, pk, thumbnail=False):
    """A photo, only for someone who may see its object (404 otherwise), never cached publicly."""
    item = get_object_or_404(
        TargetPhoto.objects.filter(target__in=ActionTarget.objects.visible_to(request.user).values("pk")), pk=pk)
    return stored_file_response(item.thumbnail if thumbnail else item.image, content_type="image/jpeg",
                                cache_seconds=3600)


def targets_url(**params) -> str:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(params)
    return f"{reverse('programme:target_list')}?{query.urlencode()}"


routes = [
    path("actions/", action_list, name="action_list"),
    path("actions/new/", action_create, name="action_create"),
    path("actions/<int:pk>/", action_detail, name="action_detail"),
    path("actions/<int:pk>/import/", action_import, name="action_import"),
    path("actions/<int:pk>/import/template.xlsx", action_import_template, name="action_import_template"),
    path("actions/<int:pk>/pick/", action_pick, name="action_pick"),
    path("actions/imports/<int:pk>/", action_import_detail, name="action_import_detail"),
    path("actions/objects/", target_list, name="target_list"),
    path("actions/objects/<int:pk>/", target_detail, name="target_detail"),
    path("actions/objects/<int:pk>/step/<str:step>/", target_step, name="target_step"),
    path("actions/photos/<int:pk>/", target_photo, name="target_photo"),
    path("actions/photos/<int:pk>/thumbnail/", target_photo, {"thumbnail": True}, name="target_photo_thumbnail"),
]
