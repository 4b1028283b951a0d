"""Scores: each visible point's latest and average score, district and category averages over
a period with their trend per month or week, and the worst points.

Everything reads through inspections.selectors, which read through
``Inspection.objects.visible_to(user)``: a district lead's figures are their district's, an
inspector's their own inspections'. The page runs a fixed number of queries whatever the data.
"""

from collections import defaultdict
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Avg
from django.db.models.functions import TruncMonth, TruncWeek
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from campaign.models import Category, District
from campaign.views.structure import campaign_staff_required

from .. import selectors
from ..forms_planning import SCORE_SORTS, ScoreFilterForm

POINTS_PER_PAGE = 25
WORST_SHOWN = 10
TREND_PERIODS = 12
DEFAULT_MONTHS = 12

FIELDS = {"district": "sample_point__district_id", "category": "sample_point__category_id"}
MODELS = {"district": District, "category": Category}


def default_start(today: date) -> date:
    """The first day of the month eleven months before this one: a year of months by default."""
    index = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


def _trend(inspections, *, by: str, period: str) -> dict:
    """{district or category id: [(period start, average), …]} in time order."""
    field = FIELDS[by]
    trunc = {"week": TruncWeek, "month": TruncMonth}[period]
    rows = (inspections.annotate(period=trunc("submitted_at")).values(field, "period")
            .annotate(average=Avg("score")).order_by(field, "period"))
    trend = defaultdict(list)
    for row in rows:
        trend[row[field]].append((row["period"], row["average"]))
    return trend


def _averages(*, user, by: str, start, end, kind, period) -> list[dict]:
    """Average and count per district or category with their trend and name, worst first."""
    rows = selectors.average_scores(user=user, by=by, start=start, end=end, kind=kind)
    inspections = selectors.submitted_inspections(user=user, start=start, end=end, kind=kind)
    trend = _trend(inspections, by=by, period=period)
    names = {obj.pk: str(obj) for obj in MODELS[by].objects.filter(pk__in=[row["id"] for row in rows])}
    result = [{**row, "name": names.get(row["id"], row["name"]), "trend": trend.get(row["id"], [])} for row in rows]
    return sorted(result, key=lambda row: (row["average"] is None, row["average"] or 0, row["name"]))


@campaign_staff_required
def score_overview(request):
    user = request.user
    form = ScoreFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"period": "month", "sort": "worst"}
    start = data.get("start") if form.is_bound else None
    if not form.is_bound or "start" not in request.GET:
        start = default_start(timezone.localdate())
    end, kind = data.get("end"), data.get("kind") or None
    period, sort = data.get("period") or "month", data.get("sort") or "worst"
    if not form.is_bound:
        form = ScoreFilterForm(initial={"start": start, "period": period, "sort": sort})

    points = selectors.point_scores(user=user, start=start, end=end, kind=kind)
    page = Paginator(points.order_by(*SCORE_SORTS[sort][1]), POINTS_PER_PAGE).get_page(request.GET.get("page"))
    worst = list(points.order_by("latest_score", "average_score", "code")[:WORST_SHOWN])
    context = {
        "form": form,
        "start": start,
        "end": end,
        "page": page,
        "worst": worst,
        "districts": _averages(user=user, by="district", start=start, end=end, kind=kind, period=period),
        "categories": _averages(user=user, by="category", start=start, end=end, kind=kind, period=period),
        "period": period,
        "trend_periods": TREND_PERIODS,
        "querystring": _without_page(request.GET),
    }
    return render(request, "inspections/score_overview.html", context)


def _without_page(params) -> str:
    copy = params.copy()
    copy.pop("page", None)
    return copy.urlencode()


routes = [
    path("scores/", score_overview, name="score_overview"),
]
