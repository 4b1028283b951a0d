"""Reads for the inspection pages, API and reports: scores and a round's progress.
Every function takes the user and reads through the scoping querysets."""

from collections import defaultdict
from datetime import date

from django.db.models import Avg, Count, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext

from campaign.choices import Role
from campaign.models import SamplePoint
from ledger.models import Problem

from .choices import InspectionStatus, RoundStatus
from .models import ChecklistItem, ChecklistVersion, Inspection, Round, RoundPoint


def round_points_to_start(*, user):
    """The points given to ``user`` in drawn rounds that nobody has started yet, soonest first."""
    return (
        RoundPoint.objects.filter(inspector=user, inspection__isnull=True, round__status=RoundStatus.DRAWN)
        .select_related("round", "sample_point__district", "sample_point__category")
        .order_by("round__ends_on", "round_id", "category__order", "draw_order")
    )


def checklist_with_items(version):
    """A checklist version with its category and its items in order (one query for each)."""
    return (ChecklistVersion.objects.select_related("checklist__category")
            .prefetch_related(Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "code")))
            .get(pk=version.pk))


def my_drafts(*, user):
    """The inspections ``user`` takes part in that are not submitted yet, latest first."""
    return (
        Inspection.objects.filter(inspectors=user, status=InspectionStatus.DRAFT)
        .select_related("sample_point__district", "sample_point__category").order_by("-started_at", "-id")
    )


def round_point_grant(user) -> Q | None:
    """The sample points given to a person by their round points (campaign/grants.py): an
    inspector (or a district lead) assigned a point of a drawn round has that point for the
    round, whatever their district: they see it, start it and submit it. A planned round has
    no points and a closed one gives nothing any more."""
    if user.is_superuser or user.role not in (Role.INSPECTOR, Role.DISTRICT_LEAD):
        return None
    assigned = RoundPoint.objects.filter(inspector=user, round__status=RoundStatus.DRAWN).values("sample_point_id")
    return Q(pk__in=assigned)


def submitted_inspections(*, user, start: date | None = None, end: date | None = None, kind: str | None = None):
    qs = Inspection.objects.visible_to(user).filter(status=InspectionStatus.SUBMITTED)
    if start:
        qs = qs.filter(submitted_at__date__gte=start)
    if end:
        qs = qs.filter(submitted_at__date__lte=end)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def point_scores(*, user, start=None, end=None, kind=None):
    """Each visible sample point's latest score, average score and number of inspections."""
    inspections = submitted_inspections(user=user, start=start, end=end, kind=kind)
    latest = inspections.filter(sample_point=OuterRef("pk")).order_by("-submitted_at", "-id").values("score")[:1]
    return (
        SamplePoint.objects.visible_to(user)
        .filter(inspections__in=inspections)
        .annotate(
            latest_score=Subquery(latest),
            average_score=Avg("inspections__score", filter=Q(inspections__in=inspections)),
            inspection_count=Count("inspections", filter=Q(inspections__in=inspections), distinct=True),
            last_inspected=Max("inspections__submitted_at", filter=Q(inspections__in=inspections)),
        )
        .select_related("district", "category")
    )


def average_scores(*, user, by: str, start=None, end=None, kind=None) -> list[dict]:
    """Average score and count per district or category ("district" / "category")."""
    field = {"district": "sample_point__district", "category": "sample_point__category"}[by]
    rows = (
        submitted_inspections(user=user, start=start, end=end, kind=kind)
        .values(f"{field}_id", f"{field}__name" if by == "district" else f"{field}__name_zh")
        .annotate(average=Avg("score"), inspections=Count("id"))
        .order_by(f"{field}_id")
    )
    return [
        {"id": row[f"{field}_id"], "name": row.get(f"{field}__name") or row.get(f"{field}__name_zh"),
         "average": row["average"], "inspections": row["inspections"]}
        for row in rows
    ]


def score_trend(*, user, by: str, period: str = "month", start=None, end=None) -> dict:
    """Average score per district or category per week or month: {name: [(period, avg), …]}."""
    field = {"district": "sample_point__district__name", "category": "sample_point__category__name_zh"}[by]
    trunc = {"week": TruncWeek, "month": TruncMonth}[period]
    rows = (
        submitted_inspections(user=user, start=start, end=end)
        .annotate(period=trunc("submitted_at"))
        .values(field, "period")
        .annotate(average=Avg("score"))
        .order_by(field, "period")
    )
    trend = defaultdict(list)
    for row in rows:
        trend[row[field]].append((row["period"], row["average"]))
    return dict(trend)


def worst_points(*, user, limit: int = 10, start=None, end=None):
    return point_scores(user=user, start=start, end=end).order_by("latest_score", "average_score")[:limit]


def round_progress(*, inspection_round: Round) -> dict:
    """Done and to-do per inspector and per category."""
    board = {"inspectors": defaultdict(lambda: {"done": 0, "todo": 0}),
             "categories": defaultdict(lambda: {"done": 0, "todo": 0})}
    points = inspection_round.points.select_related("inspector", "category", "inspection")
    for point in points:
        inspection = getattr(point, "inspection", None)
        done = inspection is not None and inspection.status == InspectionStatus.SUBMITTED
        key = "done" if done else "todo"
        board["inspectors"][str(point.inspector) if point.inspector else ""][key] += 1
        board["categories"][str(point.category)][key] += 1
    return {"inspectors": dict(board["inspectors"]), "categories": dict(board["categories"])}


def round_problems(*, inspection_round: Round, user):
    refs = [f"inspection:{pk}" for pk in Inspection.objects.filter(round_point__round=inspection_round)
            .values_list("pk", flat=True)]
    return Problem.objects.visible_to(user).filter(
        Q(source_ref__in=refs) | Q(events__data__source_ref__in=refs)
    ).distinct()


def describe_inspections(user, ids):
    """The inspections among ``ids`` that ``user`` may see, by a human name (for the ledger's
    source links: a problem found by an inspection links to it)."""
    found = Inspection.objects.visible_to(user).filter(pk__in=ids).select_related("sample_point")
    return {
        inspection.pk: gettext("Inspection of %(point)s on %(date)s") % {
            "point": inspection.sample_point.name,
            "date": timezone.localtime(inspection.ended_at or inspection.started_at).date().isoformat(),
        }
        for inspection in found
    }


def round_cross_pairs(*, inspection_round: Round) -> list[dict]:
    """Who inspected whom in a round (互查): one row per inspecting district and inspected
    district, with the points given, those done and the average score of the submitted ones.
    Points not assigned yet are left out; the inspector's district is read at the time asked."""
    return rounds_cross_pairs(rounds=[inspection_round]).get(inspection_round.pk, [])


def rounds_cross_pairs(*, rounds, district_id: int | None = None) -> dict[int, list[dict]]:
    """round_cross_pairs for many rounds in one query: {round id: its rows}. With ``district_id``,
    only the rows where that district inspects or is inspected."""
    points = RoundPoint.objects.filter(round__in=rounds, inspector__isnull=False)
    if district_id is not None:
        points = points.filter(Q(inspector__district_id=district_id) | Q(sample_point__district_id=district_id))
    rows = (
        points.values("round_id", "inspector__district_id", "inspector__district__name",
                      "sample_point__district_id", "sample_point__district__name")
        .annotate(points=Count("id"),
                  done=Count("id", filter=Q(inspection__status=InspectionStatus.SUBMITTED)),
                  average=Avg("inspection__score", filter=Q(inspection__status=InspectionStatus.SUBMITTED)))
        .order_by("round_id", "inspector__district__name", "sample_point__district__name")
    )
    pairs: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        pairs[row["round_id"]].append({
            "inspecting_id": row["inspector__district_id"], "inspecting": row["inspector__district__name"] or "",
            "inspected_id": row["sample_point__district_id"], "inspected": row["sample_point__district__name"],
            "points": row["points"], "done": row["done"], "average": row["average"],
            "own_district": row["inspector__district_id"] == row["sample_point__district_id"]})
    return dict(pairs)
