"""Readiness reads: per category of place, the chance a draw of the assessors' size inspected
today meets the pass line (assessment/readiness/model.py states the model), the places that drag
it down, its trend over weeks, and what mock assessments found against what was predicted.

Queries are bounded: readiness_by_category and readiness_trend read the pass line, the draw
sizes, the places and the inspections once each (one pass over the inspections, whatever the
number of weeks)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from campaign.choices import CategoryKind
from campaign.models import Category, SamplePoint
from inspections.choices import InspectionKind, InspectionStatus, Outcome
from inspections.models import Inspection, ItemResult, RoundPoint
from ledger.choices import Severity

from ..models import DrawSize, MockAssessment, PassLine, PassRule
from ..readiness import model

DEFAULT_DRAW_SIZE = 5  # until HQ sets a category's size (assessment/admin, the readiness page)
DRAG_LIMIT = 5
# The units' own self-checks are not counted: the assessors do not see the place that way.
COUNTED_KINDS = [k for k in InspectionKind.values if k != InspectionKind.SELF_CHECK]
SEED = 2021


def pass_line_current() -> PassLine:
    """The pass line in force: the latest one set, else the defaults (not saved)."""
    return PassLine.objects.order_by("-set_at", "-id").first() or PassLine()


def draw_sizes() -> dict[int, DrawSize]:
    """category id -> the draw size in force (the latest set)."""
    current = {}
    for row in DrawSize.objects.order_by("category_id", "-set_at", "-id"):
        current.setdefault(row.category_id, row)
    return current


def _day(moment: datetime.datetime) -> float:
    return moment.timestamp() / 86400.0


def _day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` (site time)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def failed_badly():
    """An inspection with a failed veto item or a failed serious or urgent item."""
    return Exists(ItemResult.objects.filter(inspection=OuterRef("pk"), outcome=Outcome.FAIL).filter(
        Q(item__veto=True) | Q(item__severity__in=[Severity.SERIOUS, Severity.URGENT])))


def readiness_observations(*, since: datetime.datetime, until: datetime.datetime, category_ids=None,
                           district_id: int | None = None) -> list[model.Observation]:
    """The submitted inspections (not self-checks) between two moments, one query."""
    rows = Inspection.objects.filter(status=InspectionStatus.SUBMITTED, kind__in=COUNTED_KINDS,
                                     submitted_at__gte=since, submitted_at__lt=until)
    if category_ids is not None:
        rows = rows.filter(sample_point__category_id__in=list(category_ids))
    if district_id is not None:
        rows = rows.filter(sample_point__district_id=district_id)
    rows = rows.annotate(bad=failed_badly()).order_by("submitted_at", "pk").values_list(
        "sample_point_id", "sample_point__category_id", "submitted_at", "score", "bad")
    return [model.Observation(point=point, category=category, day=_day(at),
                              score=None if score is None else float(score), ok=not bad)
            for point, category, at, score, bad in rows]


def _places(district_id: int | None):
    """Key-place categories with active places (in the district), and their places."""
    points = SamplePoint.objects.filter(active=True, category__kind=CategoryKind.KEY_PLACE)
    if district_id is not None:
        points = points.filter(district_id=district_id)
    by_category = defaultdict(list)
    info = {}
    for pk, code, name, category_id, district, unit, team in points.order_by("pk").values_list(
            "pk", "code", "name", "category_id", "district_id", "responsible_unit_id", "team_id"):
        by_category[category_id].append(pk)
        info[pk] = (code, name, district, unit, team)
    categories = list(Category.objects.filter(pk__in=by_category).order_by("order", "code"))
    return categories, by_category, info


def _settings(line: PassLine) -> dict:
    return {"rule": line.rule, "min_share": float(line.min_share) / 100.0, "min_average": float(line.min_average),
            "half_life": float(line.half_life_days), "window": float(line.window_days)}


def _seed(category_id: int, as_of: datetime.date, district_id: int | None) -> int:
    return SEED * 1_000_003 + category_id * 7919 + as_of.toordinal() * 31 + (district_id or 0)


def readiness_by_category(*, as_of: datetime.date, district_id: int | None = None) -> list[dict]:
    """Per key-place category with active places: readiness (0..1, None while none of its places
    has a counted inspection), its 10th–90th percentile interval, the draw size, the places and
    how many were inspected in the window, and the places that drag it down. Inspections up to
    the end of ``as_of`` count; deterministic for the same data."""
    line = pass_line_current()
    options = _settings(line)
    sizes = draw_sizes()
    categories, by_category, info = _places(district_id)
    until = _day_end(as_of)
    observations = readiness_observations(
        since=until - datetime.timedelta(days=line.window_days), until=until,
        category_ids=[c.pk for c in categories], district_id=district_id)
    per_category = defaultdict(list)
    for obs in observations:
        per_category[obs.category].append(obs)
    rows = []
    for category in categories:
        size = sizes[category.pk].size if category.pk in sizes else DEFAULT_DRAW_SIZE
        fit = model.category_readiness(
            category=category.pk, points=by_category[category.pk], observations=per_category[category.pk],
            as_of_day=_day(until), draw_size=size, seed=_seed(category.pk, as_of, district_id), **options)
        rows.append({
            "category_id": category.pk, "category": category.label, "category_code": category.code,
            "draw_size": fit.draw_size, "draw_size_set": category.pk in sizes,
            "readiness": _round(fit.readiness), "low": _round(fit.low), "high": _round(fit.high),
            "places": fit.places, "inspected_places": fit.inspected_places,
            "drag": [{"sample_point_id": p.point, "code": info[p.point][0], "name": info[p.point][1],
                      "pass_probability": round(p.pass_probability, 3), "inspections": p.inspections,
                      "district_id": info[p.point][2], "unit_id": info[p.point][3], "team_id": info[p.point][4]}
                     for p in model.drag(fit, DRAG_LIMIT)],
        })
    return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def readiness_trend(*, as_of: datetime.date, weeks: int = 12, district_id: int | None = None) -> dict:
    """Readiness per category as of the end of each of the last ``weeks`` weeks (Sundays, the
    last one the week holding ``as_of``), each from the inspections before it: one read of the
    inspections for all the weeks. Fewer simulations per week than the page's figure (the
    trend shows the direction). Returns {"weeks": [ISO dates], "categories": [{"category_id",
    "category", "points": [{"week", "readiness", "low", "high"}...]}]}."""
    line = pass_line_current()
    options = _settings(line)
    sizes = draw_sizes()
    categories, by_category, _info = _places(district_id)
    last = as_of + datetime.timedelta(days=6 - as_of.weekday())
    ends = [last - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    until = _day_end(ends[-1])
    since = _day_end(ends[0]) - datetime.timedelta(days=line.window_days)
    observations = readiness_observations(since=since, until=until, category_ids=[c.pk for c in categories],
                                          district_id=district_id)
    per_category = defaultdict(list)
    for obs in observations:
        per_category[obs.category].append(obs)
    result = {"weeks": [end.isoformat() for end in ends], "categories": []}
    for category in categories:
        size = sizes[category.pk].size if category.pk in sizes else DEFAULT_DRAW_SIZE
        points = []
        for end in ends:
            fit = model.category_readiness(
                category=category.pk, points=by_category[category.pk], observations=per_category[category.pk],
                as_of_day=_day(_day_end(end)), draw_size=size, seed=_seed(category.pk, end, district_id),
                samples=80, draws=60, **options)
            points.append({"week": end.isoformat(), "readiness": _round(fit.readiness), "low": _round(fit.low),
                           "high": _round(fit.high)})
        result["categories"].append({"category_id": category.pk, "category": category.label, "points": points})
    return result


def mock_assessment_findings(mock: MockAssessment) -> list[dict]:
    """Per category of a mock assessment: the places drawn, inspected, passing (no veto or
    serious failure), their average score, whether the pass line was met on what was inspected,
    and the readiness predicted when it was drawn. Two queries."""
    line = mock.pass_line or pass_line_current()
    predicted = {row.get("category_id"): row for row in (mock.predicted or [])}
    rows = (RoundPoint.objects.filter(round=mock.round_id).order_by("category__order", "category__code")
            .values_list("category_id", "inspection__status", "inspection__score", "inspection__pk"))
    rows = list(rows)
    submitted = [pk for _c, status, _s, pk in rows if status == InspectionStatus.SUBMITTED]
    bad = set(Inspection.objects.filter(pk__in=submitted).annotate(bad=failed_badly()).filter(bad=True)
              .values_list("pk", flat=True))
    categories = {c.pk: c for c in Category.objects.filter(pk__in={r[0] for r in rows})}
    table: dict[int, dict] = {}
    for category_id, status, score, pk in rows:
        row = table.setdefault(category_id, {"category_id": category_id, "category": categories[category_id].label,
                                             "drawn": 0, "inspected": 0, "passing": 0, "scores": []})
        row["drawn"] += 1
        if status == InspectionStatus.SUBMITTED:
            row["inspected"] += 1
            row["passing"] += pk not in bad
            if score is not None:
                row["scores"].append(float(score))
    out = []
    for row in table.values():
        scores = row.pop("scores")
        row["share"] = round(100.0 * row["passing"] / row["inspected"], 1) if row["inspected"] else None
        row["average"] = round(sum(scores) / len(scores), 1) if scores else None
        if line.rule == PassRule.AVERAGE:
            row["met"] = None if row["average"] is None else row["average"] >= float(line.min_average)
        else:
            row["met"] = None if row["share"] is None else row["share"] >= float(line.min_share)
        row["complete"] = row["inspected"] == row["drawn"]
        guess = predicted.get(row["category_id"]) or {}
        row["predicted"] = guess.get("readiness")
        out.append(row)
    return out


def draw_size_rows() -> list[dict]:
    """Per key-place category with active places: the draw size in force (or the default), its
    source, who set it and the number of active places. Three queries."""
    sizes = draw_sizes()
    categories, by_category, _info = _places(None)
    rows = []
    for category in categories:
        current = sizes.get(category.pk)
        rows.append({"category_id": category.pk, "category": category.label, "places": len(by_category[category.pk]),
                     "draw_size": current.size if current else DEFAULT_DRAW_SIZE, "set": current is not None,
                     "source": current.source if current else ""})
    return rows


def mock_assessments_visible_to(user):
    return (MockAssessment.objects.visible_to(user)
            .select_related("round", "round__district", "pass_line", "created_by").order_by("-round__starts_on", "-id"))
