"""Inspecting in the field: the inspection list, starting an inspection, the phone form that
saves every answer as it is given, submitting, the inspection page and its photos.

Everything is loaded through ``Inspection.objects.visible_to(request.user)`` (out of scope is
a 404); every change goes through inspections.services. Errors: a locked inspection
(InspectionConflict) is a message and a redirect (409 on the item endpoint), a refused role
(InspectionForbidden) a 403, a bad answer or photo a message (400 on the item endpoint).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaign.choices import Role
from campaign.forms import bootstrap_form
from campaign.models import SamplePoint
from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required, is_htmx
from campaign.write_scope import OutOfScope, writable
from ledger.choices import Action
from ledger.models import Problem, ProblemEvent
from ledger.pagination import Ordering, SortKey, keyset_page, page_count
from ledger.photos import PhotoError, photo_store

from .. import selectors, services
from ..choices import InspectionKind, InspectionStatus, Outcome
from ..filters import InspectionFilterSet
from ..forms import (
    InspectionStartForm,
    InspectionSubmitForm,
    ItemResultForm,
    PointSearchForm,
)
from ..models import ChecklistItem, Inspection, ItemResult, ResultPhoto, Round, RoundPoint, score_of
from ..services import INSPECTING_ROLES, InspectionConflict, InspectionError, InspectionForbidden

PER_PAGE = 30
LIST_HIDDEN_FILTERS = ("sample_point", "round")
COUNT_LIMIT = 500
MY_DRAFTS = 20
MY_ROUND_POINTS = 30
POINT_RESULTS = 30
LIST_ORDER = Ordering((SortKey("started_at", descending=True),))
LIST_RELATED = ("sample_point__district", "sample_point__category")
# The field form's big targets: value, short label, Bootstrap colour.
OUTCOME_BUTTONS = [
    (Outcome.PASS, gettext_lazy("Pass"), "success"),
    (Outcome.FAIL, gettext_lazy("Fail"), "danger"),
    (Outcome.NOT_APPLICABLE, gettext_lazy("N/A"), "secondary"),
]


def _role(user) -> str:
    return Role.HQ_STAFF if user.is_superuser else user.role


def _inspects(user) -> bool:
    return user.is_active and _role(user) in INSPECTING_ROLES


def _may_fill(inspection: Inspection, user) -> bool:
    """The services' rule, checked before a photo is stored: its inspectors (or HQ staff)."""
    if not user.is_active:
        return False
    return _role(user) == Role.HQ_STAFF or inspection.inspectors.filter(pk=user.pk).exists()


def _load(request, pk: int) -> Inspection:
    return get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "sample_point__district", "sample_point__category", "sample_point__responsible_unit",
            "checklist_version__checklist", "round_point__round", "created_by",
        ),
        pk=pk,
    )


def _fill_url(inspection) -> str:
    return reverse("inspections:inspection_fill", args=[inspection.pk])


def _detail_url(inspection) -> str:
    return reverse("inspections:inspection_detail", args=[inspection.pk])


def _round_points_for(user):
    """Drawn round points the user may start: in a round they see, at a point they see (their
    area, or a point the round gave them: campaign/grants.py)."""
    return RoundPoint.objects.filter(
        round__in=Round.objects.visible_to(user).values("pk"),
        sample_point__in=SamplePoint.objects.visible_to(user).values("pk"),
    ).select_related("round", "sample_point__district", "sample_point__category")


def _rows(inspection: Inspection):
    """The checklist's items with their answers (three queries whatever the checklist's size)."""
    items = list(inspection.checklist_version.items.all())
    results = {
        result.item_id: result
        for result in inspection.results.prefetch_related(Prefetch("photos", queryset=ResultPhoto.objects.order_by("id")))
    }
    return [{"item": item, "result": results.get(item.pk)} for item in items]


# --- The list ------------------------------------------------------------------------------------


def _filter_form(filterset):
    """The FilterSet's form as the page shows it: a point or a round (followed from their
    pages) is kept as a hidden value rather than offered as a long list."""
    form = bootstrap_form(filterset.form)
    for name in LIST_HIDDEN_FILTERS:
        form.fields[name].widget = forms.HiddenInput()
    for name in ("start", "end"):
        form.fields[name].widget.input_type = "date"
    return form


@campaign_staff_required
def inspection_list(request):
    """Inspections in the user's scope, newest first, filtered; an inspector's own drafts and
    round points still to do come first."""
    user = request.user
    visible = Inspection.objects.visible_to(user)
    filterset = InspectionFilterSet(request.GET or None, queryset=visible, request=request)
    form = _filter_form(filterset)
    matches = filterset.qs
    page = keyset_page(matches.select_related(*LIST_RELATED), LIST_ORDER, request.GET.get("cursor"),
                       per_page=PER_PAGE)
    count, more = page_count(page, matches, COUNT_LIMIT)
    drafts, to_do = [], []
    if _inspects(user) and not request.GET.get("cursor"):
        drafts = list(selectors.my_drafts(user=user)[:MY_DRAFTS])
        to_do = list(selectors.round_points_to_start(user=user)[:MY_ROUND_POINTS])
    return render(request, "inspections/inspection_list.html", {
        "form": form,
        "page": page,
        "count": count,
        "more": more,
        "filtered": any(v for k, v in request.GET.items() if k != "cursor"),
        "drafts": drafts,
        "to_do": to_do,
        "can_start": _inspects(user),
    })


# --- Starting ------------------------------------------------------------------------------------


@campaign_staff_required
def inspection_start(request):
    """Choose a point (or come from a round point) and start; a round point that has an
    inspection already opens it instead (resume where you left off)."""
    user = request.user
    if not _inspects(user):
        raise PermissionDenied(_("Your role does not inspect."))
    points = writable(SamplePoint, user).filter(active=True).select_related("district", "category")
    round_points = _round_points_for(user)
    source = request.POST if request.method == "POST" else request.GET
    round_point = point = None
    if source.get("round_point"):
        round_point = get_object_or_404(round_points, pk=_int(source.get("round_point")))
        existing = Inspection.objects.filter(round_point=round_point).first()
        if existing is not None:
            return redirect(_fill_url(existing) if existing.status == InspectionStatus.DRAFT else _detail_url(existing))
        point = round_point.sample_point
    elif source.get("point"):
        point = get_object_or_404(points, pk=_int(source.get("point")))

    if request.method == "POST":
        form = InspectionStartForm(request.POST, points=points, round_points=round_points)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.inspection_start(
                    sample_point=data["point"], kind=data["kind"], by=user, round_point=data["round_point"],
                    latitude=data["latitude"], longitude=data["longitude"],
                    location_accuracy_m=data["location_accuracy_m"],
                )
            except OutOfScope as error:
                form.add_error(None, " ".join(error.messages))
            except InspectionForbidden as error:
                raise PermissionDenied(str(error)) from None
            except InspectionError as error:
                form.add_error(None, str(error))
            else:
                return redirect(_fill_url(inspection))
    else:
        kind = request.GET.get("kind")
        form = InspectionStartForm(
            initial={"point": point, "round_point": round_point,
                     "kind": kind if kind in InspectionKind.values else InspectionKind.ROUTINE},
            points=points, round_points=round_points,
        )

    context = {"form": form, "point": point, "round_point": round_point}
    if point is None:
        search = PointSearchForm(request.GET or None, user=user)
        bootstrap_form(search)
        context.update(search=search, found=search.points(user, POINT_RESULTS + 1))
        context["more_found"] = len(context["found"]) > POINT_RESULTS
        context["found"] = context["found"][:POINT_RESULTS]
    elif round_point is None:
        context["open_drafts"] = list(
            Inspection.objects.filter(inspectors=user, sample_point=point, status=InspectionStatus.DRAFT)
            .order_by("-started_at")[:3]
        )
        context["has_checklist"] = hasattr(point.category, "checklist")
    return render(request, "inspections/inspection_start.html", context,
                  status=400 if request.method == "POST" else 200)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- The field form ------------------------------------------------------------------------------


def _render_fill(request, inspection, *, submit_form=None, submit_error: str = "", status: int = 200):
    rows = _rows(inspection)
    answered = sum(1 for row in rows if row["result"])
    first_open = next((row["item"] for row in rows if not row["result"]), None)
    return render(request, "inspections/inspection_fill.html", {
        "inspection": inspection,
        "point": inspection.sample_point,
        "rows": rows,
        "answered": answered,
        "total": len(rows),
        "first_open": first_open,
        "outcomes": OUTCOME_BUTTONS,
        "submit_form": submit_form or InspectionSubmitForm(),
        "submit_error": submit_error,
        "missing": [row["item"] for row in rows if not row["result"]] if submit_error else [],
    }, status=status)


@campaign_staff_required
def inspection_fill(request, pk: int):
    """The phone form: one card per item; a submitted inspection shows its page instead."""
    inspection = _load(request, pk)
    if inspection.is_locked:
        messages.info(request, _("This inspection was submitted and is locked."))
        return redirect(_detail_url(inspection))
    if not _may_fill(inspection, request.user):
        raise PermissionDenied(_("Only the inspection's inspectors may change it."))
    return _render_fill(request, inspection)


def _item_response(request, inspection, item, *, result=None, error: str = "", status: int = 200):
    """A small fragment for the phone (the item's saved state), or a redirect for a plain form."""
    if is_htmx(request):
        if result is None:
            # A refused answer leaves the saved one as it was: show that.
            result = ItemResult.objects.filter(inspection=inspection, item=item).first()
        return render(request, "inspections/_inspection_item_state.html", {
            "inspection": inspection, "item": item, "result": result, "error": error,
            "photos": list(result.photos.order_by("id")) if result else [],
        }, status=status)
    if error:
        messages.error(request, f"{item.code}: {error}")
    elif status == 200:
        messages.success(request, _("%(code)s saved.") % {"code": item.code})
    return redirect(f"{_fill_url(inspection)}#item-{item.pk}")


@require_POST
@campaign_staff_required
def inspection_item(request, pk: int, item_id: int):
    """Save one answer (result, note, photos) as it is given: POSTed by each tap on the phone."""
    user = request.user
    inspection = _load(request, pk)
    item = get_object_or_404(ChecklistItem.objects.filter(version_id=inspection.checklist_version_id), pk=item_id)
    # Refused before any photo is stored; the service checks again under its row lock.
    if inspection.is_locked:
        return _item_response(request, inspection, item, error=_("This inspection was submitted and is locked."),
                              status=409)
    if not _may_fill(inspection, user):
        raise PermissionDenied(_("Only the inspection's inspectors may change it."))
    form = ItemResultForm(request.POST, request.FILES)
    if not form.is_valid():
        error = " ".join(message for errors in form.errors.values() for message in errors)
        return _item_response(request, inspection, item, error=error, status=400)
    data = form.cleaned_data
    try:
        # Not in the ledger yet: result photos go to the shared folder (photo_store names them uniquely).
        photos = [photo_store(upload, problem_id=0) for upload in data["photos"]]
        result = services.inspection_record_result(inspection=inspection, item=item, outcome=data["outcome"],
                                                   by=user, note=data["note"], photos=photos)
    except InspectionConflict as error:
        return _item_response(request, inspection, item, error=str(error), status=409)
    except InspectionForbidden as error:
        raise PermissionDenied(str(error)) from None
    except (InspectionError, PhotoError) as error:
        return _item_response(request, inspection, item, error=str(error), status=400)
    return _item_response(request, inspection, item, result=result)


@require_POST
@campaign_staff_required
def result_photo_remove(request, pk: int, photo_pk: int):
    """Remove an item's photo before submission: the photo strip's "remove" button, which posts
    its item's form here (a fragment for the phone's script, else back to the item)."""
    inspection = _load(request, pk)
    photo = get_object_or_404(ResultPhoto.objects.select_related("result__item"),
                              pk=photo_pk, result__inspection=inspection)
    item = photo.result.item
    try:
        services.inspection_remove_photo(photo=photo, by=request.user)
    except InspectionConflict as error:
        return _item_response(request, inspection, item, error=str(error), status=409)
    except InspectionForbidden as error:
        raise PermissionDenied(str(error)) from None
    if not is_htmx(request):
        messages.success(request, _("The photo was removed from %(code)s.") % {"code": item.code})
        return redirect(f"{_fill_url(inspection)}#item-{item.pk}")
    return _item_response(request, inspection, item)


@require_POST
@campaign_staff_required
def inspection_submit(request, pk: int):
    """Submit: every item must be answered (the missing ones are named); then it is scored,
    locked, and its failed items are in the ledger."""
    user = request.user
    inspection = _load(request, pk)
    form = InspectionSubmitForm(request.POST)
    if not form.is_valid():
        return _render_fill(request, inspection, submit_form=form, status=400)
    data = form.cleaned_data
    try:
        inspection, findings = services.inspection_submit(
            inspection=inspection, by=user, note=data["note"], latitude=data["latitude"],
            longitude=data["longitude"],
        )
    except InspectionConflict as error:
        messages.error(request, str(error))
        return redirect(_detail_url(inspection))
    except InspectionForbidden as error:
        raise PermissionDenied(str(error)) from None
    except InspectionError as error:
        return _render_fill(request, inspection, submit_form=form, submit_error=str(error), status=400)
    messages.success(request, _("The inspection was submitted with a score of %(score)s; %(count)s failed items "
                                "went to the ledger.") % {"score": inspection.score, "count": len(findings)})
    return redirect(_detail_url(inspection))


# --- The inspection page -------------------------------------------------------------------------

def _findings(inspection: Inspection, user, failed_codes: list[str]) -> dict:
    """The ledger's problems this inspection raised, by item code: what inspection_submit
    returned, found again from the ledger (indexed by point and finding) so the page can be
    opened at any time. Only problems the user may see."""
    if not failed_codes or inspection.status != InspectionStatus.SUBMITTED:
        return {}
    prefix = f"{inspection.sample_point.category.code}:"
    ref = f"inspection:{inspection.pk}"
    problems = list(
        Problem.objects.visible_to(user)
        .filter(sample_point_id=inspection.sample_point_id, finding_key__in=[prefix + code for code in failed_codes])
        .select_related("rebound_of").order_by("-found_at", "-id")
    )
    again = set(
        ProblemEvent.objects.filter(problem__in=[p.pk for p in problems if p.source_ref != ref],
                                    action=Action.FOUND_AGAIN, data__source_ref=ref)
        .values_list("problem_id", flat=True)
    ) if any(p.source_ref != ref for p in problems) else set()
    found = {}
    for problem in problems:
        code = problem.finding_key[len(prefix):]
        if code in found:
            continue
        if problem.source_ref == ref:
            found[code] = (problem, "rebound" if problem.rebound_of_id else "new")
        elif problem.pk in again:
            found[code] = (problem, "found_again")
    return found


@campaign_staff_required
def inspection_detail(request, pk: int):
    user = request.user
    inspection = _load(request, pk)
    rows = _rows(inspection)
    results = [row["result"] for row in rows if row["result"]]
    failed = [row for row in rows if row["result"] and row["result"].outcome == Outcome.FAIL]
    findings = _findings(inspection, user, [row["item"].code for row in failed])
    for row in rows:
        row["finding"] = findings.get(row["item"].code)
    score = inspection.score if inspection.is_locked else (score_of(results) if results else None)
    veto_failed = any(row["item"].veto for row in failed)
    return render(request, "inspections/inspection_detail.html", {
        "inspection": inspection,
        "point": inspection.sample_point,
        "rows": rows,
        "answered": len(results),
        "total": len(rows),
        "score": score,
        "failed": failed,
        "veto_failed": veto_failed,
        "points_lost": sum((row["item"].points for row in failed), start=0),
        "findings": [findings[row["item"].code] + (row["item"],) for row in failed if row["item"].code in findings],
        "inspectors": list(inspection.inspectors.order_by("full_name", "username")),
        "can_fill": not inspection.is_locked and _may_fill(inspection, user),
    })


# --- Photos --------------------------------------------------------------------------------------


@login_required
def result_photo(request, pk: int, thumbnail: bool = False):
    """A photo of an answer, only for someone who may see the inspection (404 otherwise),
    never cached publicly."""
    item = get_object_or_404(
        ResultPhoto.objects.filter(
            result__inspection__in=Inspection.objects.visible_to(request.user).values("pk")
        ),
        pk=pk,
    )
    name = (item.thumbnail if thumbnail else item.image).name
    return stored_file_response(name, content_type="image/jpeg", cache_seconds=3600)


routes = [
    path("", inspection_list, name="inspection_list"),
    path("start/", inspection_start, name="inspection_start"),
    path("<int:pk>/", inspection_detail, name="inspection_detail"),
    path("<int:pk>/fill/", inspection_fill, name="inspection_fill"),
    path("<int:pk>/items/<int:item_id>/", inspection_item, name="inspection_item"),
    path("<int:pk>/submit/", inspection_submit, name="inspection_submit"),
    path("<int:pk>/photos/<int:photo_pk>/remove/", result_photo_remove, name="result_photo_remove"),
    path("photos/<int:pk>/", result_photo, name="result_photo"),
    path("photos/<int:pk>/thumb/", result_photo, {"thumbnail": True}, name="result_photo_thumbnail"),
]
