"""Inspection rounds: the list, planning a round with a quota per category, and the round's
page: draw (with an optional seed, kept), share the points among inspectors, reassign a point,
the drawn points with their state, a progress board, and the round's result.

Rounds load through ``Round.objects.visible_to(user)`` (out of scope: 404). HQ staff manage
every round, a district lead the rounds of their own district (a city-wide round is read-only
for them and shows only their district's points); an inspector sees the points given to them.
Every change goes through one service in inspections/services.py.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaign.choices import Role
from campaign.models import Category, District, SamplePoint
from campaign.views.structure import campaign_staff_required
from campaign.write_scope import OutOfScope
from ledger.pagination import bounded_count

from .. import selectors, services
from ..choices import InspectionStatus, RoundStatus
from ..forms_planning import AssignForm, DrawForm, ReassignForm, RoundForm, round_inspectors
from ..models import Inspection, Round, RoundPoint
from ..services import InspectionConflict, InspectionError, InspectionForbidden

ROUNDS_PER_PAGE = 30
MY_POINTS_SHOWN = 100
PROBLEMS_SHOWN = 100


def may_plan(user) -> bool:
    """HQ staff plan rounds for the city or a district; a district lead for their district."""
    if not user.is_active:
        return False
    return user.is_superuser or user.role == Role.HQ_STAFF or (
        user.role == Role.DISTRICT_LEAD and bool(user.district_id)
    )


def may_manage(user, inspection_round: Round) -> bool:
    """Draw and assign: HQ staff any round, a district lead only a round of their district."""
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ_STAFF:
        return True
    return (user.role == Role.DISTRICT_LEAD and bool(user.district_id)
            and inspection_round.district_id == user.district_id)


def _round_url(inspection_round) -> str:
    return reverse("inspections:round_detail", args=[inspection_round.pk])


def _load(request, pk: int) -> Round:
    return get_object_or_404(
        Round.objects.visible_to(request.user).select_related("district", "created_by"), pk=pk
    )


def _state(point) -> str:
    inspection = getattr(point, "inspection", None)
    if inspection is not None:
        return "done" if inspection.status == InspectionStatus.SUBMITTED else "started"
    return "todo" if point.inspector_id else "unassigned"


STATE_LABELS = {
    "unassigned": ("text-bg-light border", gettext_lazy("Not assigned")),
    "todo": ("text-bg-secondary", gettext_lazy("To do")),
    "started": ("text-bg-info", gettext_lazy("In progress")),
    "done": ("text-bg-success", gettext_lazy("Done")),
}


def _my_points(user, *, inspection_round=None):
    """Points given to the user in drawn rounds that are not yet submitted."""
    points = (
        RoundPoint.objects.filter(inspector=user, round__status=RoundStatus.DRAWN)
        .exclude(inspection__status=InspectionStatus.SUBMITTED)
        .select_related("sample_point__district", "category", "round", "inspection")
        .order_by("round__ends_on", "round_id", "category__order", "draw_order")
    )
    if inspection_round is not None:
        points = points.filter(round=inspection_round)
    return list(points[:MY_POINTS_SHOWN])


# --- The list --------------------------------------------------------------------------------------


@campaign_staff_required
def round_list(request):
    user = request.user
    rounds = Round.objects.visible_to(user).select_related("district").order_by("-starts_on", "-id")
    page = Paginator(rounds, ROUNDS_PER_PAGE).get_page(request.GET.get("page"))
    ids = [r.pk for r in page.object_list]
    counted = RoundPoint.objects.filter(round_id__in=ids)
    if user.role == Role.INSPECTOR and not user.is_superuser:
        counted = counted.filter(inspector=user)
    counts = {
        row["round_id"]: row
        for row in counted.values("round_id").annotate(
            total=Count("id"), done=Count("id", filter=Q(inspection__status=InspectionStatus.SUBMITTED))
        ).order_by()
    }
    for item in page.object_list:
        row = counts.get(item.pk, {})
        item.total, item.done = row.get("total", 0), row.get("done", 0)
    return render(request, "inspections/round_list.html", {
        "page": page,
        "can_plan": may_plan(user),
        "my_points": _my_points(user),
        "is_inspector": user.role == Role.INSPECTOR,
    })


# --- Planning --------------------------------------------------------------------------------------


@campaign_staff_required
def round_create(request):
    user = request.user
    if not may_plan(user):
        raise PermissionDenied
    form = RoundForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection_round = services.round_create(
                name=data["name"], kind=data["kind"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                quotas=data["quotas"], by=user, district=data["district"],
                exclude_inspected_days=data["exclude_inspected_days"],
            )
        except OutOfScope as error:
            form.add_error(None, error)
        except InspectionForbidden as error:
            form.add_error("district", str(error))
        except InspectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The round “%(name)s” was planned: draw its points now.")
                             % {"name": inspection_round.name})
            return redirect(_round_url(inspection_round))
    return render(request, "inspections/round_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


# --- A round ---------------------------------------------------------------------------------------


def _visible_points(inspection_round, user):
    """The round's points this user is shown: all for HQ and leaders, their district's for a
    district lead, their own for an inspector."""
    points = inspection_round.points.select_related(
        "sample_point__district", "category", "inspector", "inspection"
    ).order_by("category__kind", "category__order", "category__code", "draw_order")
    if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
        return points
    if user.role == Role.INSPECTOR:
        return points.filter(inspector=user)
    return points.filter(sample_point__in=SamplePoint.objects.visible_to(user))


def _board(points) -> dict:
    """Done and to-do per inspector and per category, from the points shown."""
    def tally():
        return defaultdict(lambda: {"done": 0, "todo": 0})

    inspectors, categories = tally(), tally()
    for point in points:
        key = "done" if point.state == "done" else "todo"
        inspectors[str(point.inspector) if point.inspector else _("Not assigned")][key] += 1
        categories[str(point.category)][key] += 1

    def rows(board):
        return [{"name": name, **counts, "total": counts["done"] + counts["todo"]}
                for name, counts in sorted(board.items())]

    return {"inspectors": rows(inspectors), "categories": rows(categories)}


def _result(inspection_round, user) -> dict:
    """The round's scores by category and district, over the submitted inspections shown."""
    inspections = Inspection.objects.visible_to(user).filter(
        round_point__round=inspection_round, status=InspectionStatus.SUBMITTED
    )

    def averages(field, model):
        rows = list(inspections.values(field).annotate(average=Avg("score"), count=Count("id")).order_by(field))
        names = {obj.pk: str(obj) for obj in model.objects.filter(pk__in=[r[field] for r in rows])}
        return [{"name": names.get(r[field], "?"), "average": r["average"], "count": r["count"]} for r in rows]

    return {
        "by_category": averages("sample_point__category_id", Category),
        "by_district": averages("sample_point__district_id", District),
    }


def _render_detail(request, inspection_round, *, draw_form=None, assign_form=None, status=200):
    user = request.user
    points = list(_visible_points(inspection_round, user))
    for point in points:
        point.state = _state(point)
        point.state_style, point.state_label = STATE_LABELS[point.state]
        point.mine = point.inspector_id == user.pk
    manage = may_manage(user, inspection_round)
    drawn = dict(inspection_round.points.values_list("category_id").annotate(n=Count("id")).order_by())
    quotas = [
        {"category": quota.category, "quota": quota.quota, "drawn": drawn.get(quota.category_id, 0)}
        for quota in inspection_round.quotas.select_related("category").order_by("category__kind", "category__order")
    ]
    by_category = defaultdict(list)
    for point in points:
        by_category[point.category].append(point)
    problems = selectors.round_problems(inspection_round=inspection_round, user=user)
    problem_count, more_problems = bounded_count(problems, PROBLEMS_SHOWN)
    context = {
        "round": inspection_round,
        "points": points,
        "points_by_category": list(by_category.items()),
        "quotas": quotas,
        "board": _board(points),
        "result": _result(inspection_round, user),
        "problems": problems.select_related("district", "category", "responsible_unit", "sample_point")
        .order_by("-found_at", "-id")[:PROBLEMS_SHOWN],
        "problem_count": problem_count,
        "more_problems": more_problems,
        "may_manage": manage,
        "is_planned": inspection_round.status == RoundStatus.PLANNED,
        "is_drawn": inspection_round.status == RoundStatus.DRAWN,
        "my_points": [p for p in points if p.mine and p.state != "done"],
        "draw_form": draw_form or (DrawForm() if manage else None),
        "assign_form": assign_form or (AssignForm(inspection_round=inspection_round, user=user) if manage else None),
        "inspectors": list(round_inspectors(inspection_round, user)) if manage else [],
        "cross_pairs": (selectors.round_cross_pairs(inspection_round=inspection_round)
                        if inspection_round.cross_inspection else None),
    }
    return render(request, "inspections/round_detail.html", context, status=status)


@campaign_staff_required
def round_detail(request, pk: int):
    return _render_detail(request, _load(request, pk))


def _managed(request, pk: int) -> Round:
    inspection_round = _load(request, pk)
    if not may_manage(request.user, inspection_round):
        raise PermissionDenied
    return inspection_round


@require_POST
@campaign_staff_required
def round_draw(request, pk: int):
    inspection_round = _managed(request, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, inspection_round, draw_form=form, status=400)
    try:
        shortfalls = services.round_draw(inspection_round=inspection_round, by=request.user,
                                         seed=form.cleaned_data["seed"])
    except InspectionForbidden as error:
        raise PermissionDenied(str(error)) from None
    except InspectionError as error:
        messages.error(request, str(error))
        return redirect(_round_url(inspection_round))
    count = inspection_round.points.count()
    messages.success(request, _("%(count)s points were drawn with seed %(seed)s.")
                     % {"count": count, "seed": inspection_round.seed})
    if shortfalls:
        short = ", ".join(
            _("%(category)s: %(missing)s short") % {"category": category, "missing": missing}
            for category, missing in sorted(shortfalls.items(), key=lambda kv: str(kv[0]))
        )
        messages.warning(request, _("Fewer points could be drawn than the quota asks (%(short)s).") % {"short": short})
    return redirect(_round_url(inspection_round))


@require_POST
@campaign_staff_required
def round_assign(request, pk: int):
    inspection_round = _managed(request, pk)
    form = AssignForm(request.POST, inspection_round=inspection_round, user=request.user)
    if not form.is_valid():
        return _render_detail(request, inspection_round, assign_form=form, status=400)
    try:
        services.round_assign(inspection_round=inspection_round, inspectors=list(form.cleaned_data["inspectors"]),
                              by=request.user)
    except InspectionForbidden as error:
        raise PermissionDenied(str(error)) from None
    except OutOfScope as error:
        form.add_error("inspectors", error.message_dict.get("inspectors", error.messages))
        return _render_detail(request, inspection_round, assign_form=form, status=400)
    except InspectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The points not yet inspected were shared among %(count)s inspectors.")
                         % {"count": len(form.cleaned_data["inspectors"])})
    return redirect(_round_url(inspection_round))


@require_POST
@campaign_staff_required
def round_point_reassign(request, pk: int, point_pk: int):
    inspection_round = _managed(request, pk)
    round_point = get_object_or_404(inspection_round.points.select_related("sample_point"), pk=point_pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an inspector of this round."))
        return redirect(_round_url(inspection_round))
    try:
        services.round_point_reassign(round_point=round_point, inspector=form.cleaned_data["inspector"],
                                      by=request.user)
    except InspectionForbidden as error:
        raise PermissionDenied(str(error)) from None
    except OutOfScope as error:
        messages.error(request, " ".join(error.messages))
    except (InspectionConflict, InspectionError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(point)s is now %(inspector)s's.")
                         % {"point": round_point.sample_point, "inspector": form.cleaned_data["inspector"]})
    return redirect(_round_url(inspection_round) + f"#point-{round_point.pk}")


routes = [
    path("rounds/", round_list, name="round_list"),
    path("rounds/new/", round_create, name="round_create"),
    path("rounds/<int:pk>/", round_detail, name="round_detail"),
    path("rounds/<int:pk>/draw/", round_draw, name="round_draw"),
    path("rounds/<int:pk>/assign/", round_assign, name="round_assign"),
    path("rounds/<int:pk>/points/<int:point_pk>/reassign/", round_point_reassign, name="round_point_reassign"),
]
