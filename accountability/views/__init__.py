"""Pages of escalation and accountability.

Everything loads through ``visible_to`` (out of scope is a 404): notices and records by their
unit (HQ staff and leaders all, a district lead their district's units, a team lead their
team's, a unit handler their own); the interview list and proposals are HQ's (staff and
leaders). Deciding, dismissing and revoking are HQ staff's (``services.may_decide``; others
get 404 on those pages) and go through ``accountability.services``.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.forms import bootstrap_form
from campaign.middleware import body_control_characters_refused
from campaign.models import Unit
from campaign.views.structure import campaign_staff_required
from ledger.models import Problem

from .. import services
from ..choices import EscalationStatus, EscalationStep
from ..filters import AccountabilityRecordFilterSet, EscalationFilterSet, SupervisionNoticeFilterSet
from ..forms import AccountabilityRecordForm, ReasonForm
from ..models import (
    AccountabilityKind,
    AccountabilityRecord,
    Escalation,
    SupervisionNotice,
    sees_hq_lists,
)

PER_PAGE = 50


def _render(request, template: str, context: dict):
    """Every page: the tabs show HQ's lists to who may read them; filter forms get Bootstrap's look."""
    if "filterset" in context:
        bootstrap_form(context["filterset"].form)
    return render(request, template, {"sees_hq_lists": sees_hq_lists(request.user), **context})


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _filtered(request, filterset_class, queryset):
    """(the filter set, what it leaves of the scoped ``queryset``): nothing when a filter is not valid."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if not filterset.is_bound:
        return filterset, queryset
    return filterset, filterset.qs if filterset.is_valid() else queryset.none()


def _with_reason(request, action, *, done: str, missing: str) -> None:
    """Run ``action(reason)`` with the posted reason; say what happened in a message."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, missing)
        return
    try:
        action(form.cleaned_data["reason"])
        messages.success(request, done)
    except services.AccountabilityError as error:
        messages.error(request, str(error))


# --- Accountability records ------------------------------------------------------------------------


def _records(request):
    return AccountabilityRecord.objects.visible_to(request.user).select_related("kind", "unit", "district")


@campaign_staff_required
@require_GET
def record_list(request):
    filterset, records = _filtered(request, AccountabilityRecordFilterSet, _records(request))
    return _render(request, "accountability/record_list.html", {
        "filterset": filterset, "page": _page(request, records.order_by("-decided_on", "-id")),
        "may_decide": services.may_decide(request.user),
    })


@campaign_staff_required
@require_GET
def record_detail(request, pk):
    record = get_object_or_404(_records(request).select_related("decided_by", "revoked_by", "escalation"), pk=pk)
    problems = record.problems.filter(pk__in=Problem.objects.visible_to(request.user).values("pk")).select_related(
        "district", "sample_point")
    return _render(request, "accountability/record_detail.html", {
        "record": record, "problems": problems, "may_decide": services.may_decide(request.user),
        "revoke_form": ReasonForm(),
    })


@campaign_staff_required
@require_POST
@body_control_characters_refused
def record_revoke(request, pk):
    record = get_object_or_404(_records(request), pk=pk)
    if not services.may_decide(request.user):
        raise Http404
    _with_reason(request, lambda reason: services.accountability_record_revoke(
        record=record, by=request.user, reason=reason, request=request),
        done=_("The record is revoked; it stays on file with the reason."), missing=_("Give the reason for revoking."))
    return redirect("accountability:record_detail", pk=record.pk)


@campaign_staff_required
@require_http_methods(["GET", "POST"])
@body_control_characters_refused
def record_create(request):
    """HQ decides: from an open escalation (``?escalation=``) or directly."""
    if not services.may_decide(request.user):
        raise Http404
    escalation = None
    escalation_id = request.POST.get("escalation") or request.GET.get("escalation")
    if escalation_id:
        escalation = get_object_or_404(Escalation.objects.visible_to(request.user).select_related("unit"),
                                       pk=escalation_id if str(escalation_id).isdigit() else 0,
                                       status=EscalationStatus.OPEN)
    if request.method == "POST":
        form = AccountabilityRecordForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = services.accountability_record_create(
                    by=request.user, kind=data["kind"], unit=data["unit"], reason=data["reason"],
                    decided_on=data["decided_on"], person_name=data["person_name"], person=data["person"],
                    problems=data["problem_codes"], escalation=escalation, request=request)
            except services.AccountabilityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Accountability recorded."))
                return redirect("accountability:record_detail", pk=record.pk)
    else:
        form = AccountabilityRecordForm(initial=_initial(escalation), user=request.user)
    return _render(request, "accountability/record_form.html", {"form": form, "escalation": escalation})


def _initial(escalation: Escalation | None) -> dict:
    if escalation is None:
        return {}
    kind_code = "interview" if escalation.step == EscalationStep.INTERVIEW else "criticism"
    if escalation.step == EscalationStep.INTERVIEW:
        problems = escalation.problems.all()
        reason = _("On HQ's interview list since %(day)s for problems overdue.")
    else:
        problems = Problem.objects.filter(supervision_notices__in=escalation.notices.all()).distinct()
        reason = _("%(count)s supervision notices: %(numbers)s.")
    numbers = ", ".join(n.number for n in escalation.notices.all())
    return {
        "unit": escalation.unit, "kind": AccountabilityKind.objects.filter(code=kind_code).first(),
        "problem_codes": " ".join(problems.order_by("code").values_list("code", flat=True)),
        "reason": reason % {"day": escalation.opened_on.isoformat(), "count": escalation.notices.count(),
                            "numbers": numbers},
        "decided_on": timezone.localdate(),
    }


# --- Supervision notices ---------------------------------------------------------------------------


def _notices(request):
    return SupervisionNotice.objects.visible_to(request.user).select_related("unit", "district")


@campaign_staff_required
@require_GET
def notice_list(request):
    filterset, notices = _filtered(request, SupervisionNoticeFilterSet, _notices(request))
    return _render(request, "accountability/notice_list.html", {
        "filterset": filterset, "page": _page(request, notices.order_by("-issued_on", "-serial")),
    })


@campaign_staff_required
@require_GET
def notice_detail(request, pk):
    notice = get_object_or_404(_notices(request), pk=pk)
    visible = Problem.objects.visible_to(request.user).values("pk")
    items = notice.items.filter(problem__in=visible).select_related("problem", "problem__district",
                                                                     "problem__sample_point")
    return _render(request, "accountability/notice_detail.html", {"notice": notice, "items": items})


# --- HQ's interview list and proposals --------------------------------------------------------------


@campaign_staff_required
@require_GET
def escalation_list(request):
    if not sees_hq_lists(request.user):
        raise Http404
    visible = Escalation.objects.visible_to(request.user)
    data = request.GET.copy() if request.GET else None
    if data is None:
        data = {"status": EscalationStatus.OPEN}
    filterset = EscalationFilterSet(data, queryset=visible.select_related("unit", "district", "record"),
                                    request=request)
    escalations = filterset.qs if filterset.is_valid() else visible.none()
    escalations = escalations.prefetch_related("items__problem", "notices")
    return _render(request, "accountability/escalation_list.html", {
        "filterset": filterset, "page": _page(request, escalations.order_by("step", "-opened_on", "-id")),
        "may_decide": services.may_decide(request.user), "dismiss_form": ReasonForm(),
    })


@campaign_staff_required
@require_POST
@body_control_characters_refused
def escalation_dismiss(request, pk):
    if not services.may_decide(request.user):
        raise Http404
    escalation = get_object_or_404(Escalation.objects.visible_to(request.user), pk=pk)
    _with_reason(request, lambda reason: services.escalation_dismiss(
        escalation=escalation, by=request.user, reason=reason, request=request),
        done=_("Dismissed, with the reason on file."), missing=_("Give the reason for dismissing."))
    return redirect("accountability:escalation_list")


# --- A unit's page ------------------------------------------------------------------------------------


@campaign_staff_required
@require_GET
def unit_detail(request, pk):
    """A unit's supervision notices and accountability records (the unit's accountability page)."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user).select_related("district"), pk=pk)
    records = _records(request).filter(unit=unit).order_by("-decided_on", "-id")
    notices = _notices(request).filter(unit=unit).order_by("-issued_on", "-serial")
    escalations = Escalation.objects.visible_to(request.user).filter(unit=unit, status=EscalationStatus.OPEN)
    return _render(request, "accountability/unit_detail.html", {
        "unit": unit, "records": records.prefetch_related("problems"), "notices": notices[:100],
        "escalations": escalations, "may_decide": services.may_decide(request.user),
    })
