"""The readiness pages (迎检准备): the figures per part of the standard and per category of place,
mock assessments (plan and draw, findings against the prediction) and HQ's settings (pass line,
draw sizes). HQ staff and leaders see the whole city, a district lead their district."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.choices import Role
from campaign.models import Category
from campaign.views.structure import campaign_staff_required
from inspections.services import InspectionError

from ..forms.readiness import DrawSizesForm, MockAssessmentForm, PassLineForm
from ..selectors.readiness import (
    draw_size_rows,
    mock_assessment_findings,
    mock_assessments_visible_to,
    pass_line_current,
)
from ..selectors.readiness_page import (
    may_see_readiness,
    readiness_district,
    readiness_figures,
    sparkline,
)
from ..services import readiness as services


def _hq(user) -> bool:
    return user.is_superuser or user.role == Role.HQ_STAFF


def _require_viewer(user) -> None:
    if not may_see_readiness(user):
        raise Http404  # out of scope: the house rule is 404, not 403


@campaign_staff_required
@require_GET
def readiness_view(request):
    user = request.user
    _require_viewer(user)
    district_id = readiness_district(user)
    figures = readiness_figures(as_of=timezone.localdate(), district_id=district_id, user=user)
    for row in figures["categories"]:
        row["sparkline"] = sparkline(row["trend"])
    mocks = list(mock_assessments_visible_to(user)[:5])
    return render(request, "assessment/readiness/page.html", {
        "figures": figures,
        "district": user.district if district_id else None,
        "pass_line": pass_line_current(),
        "mocks": mocks,
        "is_hq": _hq(user),
        "mock_form": MockAssessmentForm() if _hq(user) else None,
    })


@campaign_staff_required
@require_http_methods(["POST"])
def mock_assessment_create(request):
    user = request.user
    if not _hq(user):
        raise PermissionDenied
    form = MockAssessmentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            mock = services.mock_assessment_create(by=user, starts_on=data["starts_on"], district=data["district"],
                                                   name=data["name"])
        except (services.ReadinessError, InspectionError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The mock assessment “%(name)s” was drawn: assign its points to inspectors.")
                             % {"name": mock.round.name})
            return redirect(reverse("assessment:mock_assessment_detail", args=[mock.pk]))
    return render(request, "assessment/readiness/mock_form.html", {"form": form}, status=400)


@campaign_staff_required
@require_GET
def mock_assessment_list(request):
    user = request.user
    _require_viewer(user)
    return render(request, "assessment/readiness/mock_list.html", {
        "mocks": mock_assessments_visible_to(user)[:100], "is_hq": _hq(user),
        "mock_form": MockAssessmentForm() if _hq(user) else None,
    })


@campaign_staff_required
@require_GET
def mock_assessment_detail(request, pk: int):
    user = request.user
    _require_viewer(user)
    mock = get_object_or_404(mock_assessments_visible_to(user), pk=pk)
    return render(request, "assessment/readiness/mock_detail.html", {
        "mock": mock, "rows": mock_assessment_findings(mock), "pass_line": mock.pass_line or pass_line_current(),
    })


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def readiness_settings(request):
    user = request.user
    if not _hq(user):
        raise Http404  # an HQ-only page: out of scope for others
    current = pass_line_current()
    rows = draw_size_rows()
    which = request.POST.get("form") if request.method == "POST" else None
    if which == "pass_line":
        line_form = PassLineForm(request.POST, prefix="line")
    else:
        line_form = PassLineForm(prefix="line", initial={
            name: getattr(current, name) for name in ("rule", "min_share", "min_average", "window_days",
                                                      "half_life_days")})
    sizes_form = DrawSizesForm(request.POST if which == "sizes" else None, rows=rows, prefix="sizes")
    if which == "pass_line" and line_form.is_valid():
        data = line_form.cleaned_data
        try:
            services.pass_line_set(by=user, **data)
        except services.ReadinessError as error:
            line_form.add_error(error.field if error.field in line_form.fields else None, str(error))
        else:
            messages.success(request, _("The pass line was changed."))
            return redirect("assessment:readiness_settings")
    if which == "sizes" and sizes_form.is_valid():
        changed = 0
        categories = Category.objects.in_bulk([row["category_id"] for row in rows])
        try:
            with transaction.atomic():
                for row in rows:
                    size = sizes_form.cleaned_data[f"size_{row['category_id']}"]
                    if size != row["draw_size"] or not row["set"]:
                        services.draw_size_set(by=user, category=categories[row["category_id"]], size=size,
                                               source=sizes_form.cleaned_data["source"])
                        changed += 1
        except services.ReadinessError as error:
            sizes_form.add_error(None, str(error))
        else:
            messages.success(request, _("Draw sizes saved: %(count)s changed.") % {"count": changed})
            return redirect("assessment:readiness_settings")
    return render(request, "assessment/readiness/settings.html", {
        "line_form": line_form, "sizes_form": sizes_form, "current": current,
    }, status=400 if request.method == "POST" else 200)


routes = [
    path("readiness/", readiness_view, name="readiness"),
    path("readiness/settings/", readiness_settings, name="readiness_settings"),
    path("readiness/mock/", mock_assessment_list, name="mock_assessment_list"),
    path("readiness/mock/new/", mock_assessment_create, name="mock_assessment_create"),
    path("readiness/mock/<int:pk>/", mock_assessment_detail, name="mock_assessment_detail"),
]
