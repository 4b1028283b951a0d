"""The leaders' dashboard (领导驾驶舱): the week trends, the key counts and the latest published
rankings, for any member of staff in their own scope (reports/dashboard.py)."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.views.structure import campaign_staff_required

from . import dashboard
from .choices import ReportKind
from .kinds import dashboard_kinds


@campaign_staff_required
@require_GET
def dashboard_view(request):
    user = request.user
    figures = dashboard.dashboard_figures(user=user, now=timezone.now())
    trends = figures.trends
    exposure = dashboard.latest_report(user=user, kind=ReportKind.WEEKLY_EXPOSURE)
    comparison = dashboard.latest_report(user=user, kind=ReportKind.MONTHLY_COMPARISON)
    public = figures.public
    chart_data = trends.as_chart_data()
    if public is not None:
        chart_data["public"] = public.as_chart_data()
    return render(request, "reports/dashboard.html", {
        "computed_at": figures.computed_at,
        "counts": figures.counts,
        "trends": trends,
        "chart_data": chart_data,
        "public": public,
        "breakdowns": [("districts", trends.districts, _("By district")),
                       ("categories", trends.categories, _("By category"))],
        "exposure": exposure,
        "exposure_lists": dashboard.exposure_lists(exposure),
        "comparison": comparison,
        "comparison_lists": dashboard.comparison_lists(comparison),
        "whole_city": user.sees_whole_city,
        # The cards kinds declare (reports/kinds: DASHBOARD_TEMPLATE), each with its latest report.
        "kind_cards": [{"kind": kind, "template": kind.dashboard_template,
                        "report": dashboard.latest_report(user=user, kind=kind.key)} for kind in dashboard_kinds()],
    })
