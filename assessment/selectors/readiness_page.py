"""The readiness page's and report's figures (迎检准备): per part of the standard, the materials
complete, the indicators met and (part 8) the vector-control levels; the public satisfaction;
readiness per category of place with its interval, trend and drag places, and the open problems
of those categories; the mock assessments. Each figure comes from its area's read function
(contracts: assessment/selectors/standard.py, archive.py, vectors.py, satisfaction.py,
readiness.py)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from campaign.choices import Role
from ledger.models import Problem

from .archive import archive_completeness
from .readiness import readiness_by_category, readiness_trend
from .satisfaction import satisfaction_summary
from .standard import edition_in_use, indicators_by_part
from .vectors import vector_levels_latest

VECTOR_PART = 8  # part 8 of the 2021 standard: vector control
SATISFACTION_DAYS = 90


def may_see_readiness(user) -> bool:
    """HQ staff, leaders and district leads (the latter their own district's figures)."""
    return bool(user and user.is_authenticated and user.is_active and (
        user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER)
        or (user.role == Role.DISTRICT_LEAD and user.district_id)))


def readiness_district(user) -> int | None:
    """The district a person's figures are limited to (None: the whole city)."""
    if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
        return None
    return user.district_id


def sparkline(points: list[dict], *, width: int = 120, height: int = 28) -> str:
    """An SVG polyline's points for a trend of readiness values (0..1); gaps left out."""
    count = len(points)
    if count < 2:
        return ""
    coordinates = []
    for index, point in enumerate(points):
        value = point.get("readiness")
        if value is None:
            continue
        x = round(index * width / (count - 1), 1)
        y = round(height - value * height, 1)
        coordinates.append(f"{x},{y}")
    return " ".join(coordinates)


def readiness_figures(*, as_of: datetime.date, district_id: int | None = None, user=None,
                      open_at: datetime.datetime | None = None) -> dict:
    """Everything the page and the report show, as plain values. ``user`` limits the open
    problems to what they may see (None: all, as the report engine computes for a scope);
    ``open_at``: count the problems open at that moment (a report's end) instead of now."""
    edition = edition_in_use()
    parts = []
    if edition is not None:
        materials = archive_completeness(edition=edition, as_of=as_of, by="part")
        indicators = indicators_by_part(edition=edition, as_of=as_of)
        for part in edition.parts.order_by("number"):
            parts.append({
                "part_id": part.pk, "number": part.number, "title": part.label,
                "materials": materials.get(part.pk),
                "indicators": indicators.get(part.pk),
            })
    vectors = vector_levels_latest(as_of=as_of, district_id=district_id)
    vector_summary = {"surveys": len(vectors), "passed": sum(1 for row in vectors if row["passed"])}
    for part in parts:
        part["vectors"] = vector_summary if part["number"] == VECTOR_PART else None
    satisfaction = satisfaction_summary(since=as_of - datetime.timedelta(days=SATISFACTION_DAYS - 1), until=as_of,
                                        district_id=district_id)
    categories = readiness_by_category(as_of=as_of, district_id=district_id)
    trend = readiness_trend(as_of=as_of, district_id=district_id)
    trend_by_category = {row["category_id"]: row["points"] for row in trend["categories"]}
    problems = Problem.objects.filter(category_id__in=[row["category_id"] for row in categories])
    if open_at is None:
        problems = problems.open()
    else:
        problems = problems.filter(found_at__lt=open_at).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=open_at))
    if user is not None:
        problems = problems.visible_to(user)
    if district_id is not None:
        problems = problems.filter(district_id=district_id)
    open_counts = dict(problems.order_by().values("category_id").annotate(n=Count("id")).values_list("category_id", "n"))
    for row in categories:
        row["trend"] = trend_by_category.get(row["category_id"], [])
        row["open_problems"] = open_counts.get(row["category_id"], 0)
    rated = [row for row in categories if row["readiness"] is not None]
    return {
        "as_of": as_of.isoformat(),
        "district_id": district_id,
        "edition": {"id": edition.pk, "code": edition.code} if edition else None,
        "parts": parts,
        "vectors": vectors,
        "satisfaction": satisfaction | {"since": (as_of - datetime.timedelta(days=SATISFACTION_DAYS - 1)).isoformat(),
                                        "until": as_of.isoformat()},
        "categories": categories,
        "weeks": trend["weeks"],
        "weakest": min(rated, key=lambda row: row["readiness"])["category_id"] if rated else None,
    }
