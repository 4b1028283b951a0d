"""Pages of the supervision cycle: round plans (HQ staff write; others read the city's and their
district's), the rounds each made, one-off cross-inspection rounds and who inspected whom.
Everything loads through ``visible_to`` (out of scope is a 404); writes go through
``programme.services.cycle``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.forms import bootstrap_form
from campaign.middleware import body_control_characters_refused
from campaign.views.structure import campaign_staff_required
from inspections.services import InspectionError

from ..filters.cycle import RoundPlanFilterSet
from ..forms.cycle import CrossRoundForm, PauseForm, RoundPlanForm
from ..selectors import cycle as selectors
from ..services import cycle as services

PER_PAGE = 50


def _require_writer(request) -> None:
    if not selectors.may_write_plans(request.user):
        raise Http404


def _plan(request, pk: int):
    return get_object_or_404(selectors.round_plans(user=request.user), pk=pk)


def _form_errors(form, error: ValidationError) -> None:
    """A service's field errors onto the form (quotas onto the form itself)."""
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _plan_values(data: dict) -> dict:
    return {key: data.get(key) for key in ("name", "kind", "recurrence", "every_weeks", "anchor", "district",
                                            "exclude_inspected_days", "quotas")} | {
        "inspectors": list(data.get("inspectors") or [])}


@campaign_staff_required
@require_GET
def plan_list(request):
    plans = selectors.round_plans(user=request.user)
    filterset = RoundPlanFilterSet(request.GET or None, queryset=plans, request=request)
    if filterset.is_bound:
        plans = filterset.qs if filterset.is_valid() else plans.none()
    bootstrap_form(filterset.form)
    page = Paginator(plans.order_by("-active", "name", "id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "programme/cycle/plan_list.html", {
        "filterset": filterset, "page": page, "may_write": selectors.may_write_plans(request.user)})


@campaign_staff_required
@require_http_methods(["GET", "POST"])
@body_control_characters_refused
def plan_create(request):
    _require_writer(request)
    form = RoundPlanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.round_plan_create(by=request.user, **_plan_values(form.cleaned_data))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The plan is saved; the sweep makes the round of its current period "
                                        "within the hour."))
            return redirect("programme:plan_detail", pk=plan.pk)
    return render(request, "programme/cycle/plan_form.html", {"form": form, "plan": None},
                  status=400 if form.errors else 200)


@campaign_staff_required
@require_http_methods(["GET", "POST"])
@body_control_characters_refused
def plan_edit(request, pk: int):
    _require_writer(request)
    plan = _plan(request, pk)
    form = RoundPlanForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_plan_update(plan=plan, by=request.user, **_plan_values(form.cleaned_data))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The plan is changed; rounds made already stay as they were drawn."))
            return redirect("programme:plan_detail", pk=plan.pk)
    return render(request, "programme/cycle/plan_form.html", {"form": form, "plan": plan},
                  status=400 if form.errors else 200)


@campaign_staff_required
@require_GET
def plan_detail(request, pk: int):
    plan = _plan(request, pk)
    rounds = Paginator(selectors.plan_rounds(plan=plan), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "programme/cycle/plan_detail.html", {
        "plan": plan, "rounds": rounds, "quotas": plan.quotas.select_related("category"),
        "inspectors": plan.inspectors.select_related("district").order_by("username"),
        "events": plan.events.select_related("by")[:30], "may_write": selectors.may_write_plans(request.user),
        "pause_form": PauseForm(),
    })


@campaign_staff_required
@require_POST
@body_control_characters_refused
def plan_set_active(request, pk: int):
    _require_writer(request)
    plan = _plan(request, pk)
    form = PauseForm(request.POST)
    active = request.POST.get("active") == "1"
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.round_plan_set_active(plan=plan, by=request.user, active=active, note=note)
    except services.CycleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The plan is active again.") if active else _("The plan is paused."))
    return redirect("programme:plan_detail", pk=plan.pk)


@campaign_staff_required
@require_GET
def cross_inspection(request):
    """Who inspected whom, round by round (互查)."""
    return render(request, "programme/cycle/cross_inspection.html", {
        "rounds": selectors.cross_rounds(user=request.user), "may_write": selectors.may_write_plans(request.user)})


@campaign_staff_required
@require_http_methods(["GET", "POST"])
@body_control_characters_refused
def cross_round_create(request):
    _require_writer(request)
    form = CrossRoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection_round = services.cross_round_create(
                name=data["name"], kind=data["kind"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                quotas=data["quotas"], by=request.user, exclude_inspected_days=data["exclude_inspected_days"])
        except (services.CycleError, InspectionError) as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The cross-inspection round is drawn and each district's points are given "
                                        "to another district's inspectors."))
            return redirect("inspections:round_detail", pk=inspection_round.pk)
    return render(request, "programme/cycle/cross_round_form.html", {"form": form},
                  status=400 if form.errors else 200)


routes = [
    path("plans/", plan_list, name="plan_list"),
    path("plans/new/", plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plan_edit, name="plan_edit"),
    path("plans/<int:pk>/active/", plan_set_active, name="plan_set_active"),
    path("cross-inspection/", cross_inspection, name="cross_inspection"),
    path("cross-inspection/new/", cross_round_create, name="cross_round_create"),
]
