"""Reads of the vector-control surveys: the latest level per district and species (the readiness
page calls ``vector_levels_latest``), the monthly trend, and the names the ledger shows for a
problem raised from a survey."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Sum

from campaign.models import District

from ..models import VectorCount, VectorSurvey
from ..vectors.indicators import PASSING, SPECS, Species, specs_of, worst


def vector_levels_latest(*, as_of: date, district_id: int | None = None) -> list[dict]:
    """One row per district x species that has a survey on or before ``as_of``: the latest
    survey's level (the worst of its indicators; the latest by date, then by id)."""
    surveys = VectorSurvey.objects.filter(surveyed_on__lte=as_of).select_related("district")
    if district_id is not None:
        surveys = surveys.filter(district_id=district_id)
    latest: dict[tuple[int, str], VectorSurvey] = {}
    for survey in surveys.order_by("district_id", "species", "-surveyed_on", "-id"):
        latest.setdefault((survey.district_id, survey.species), survey)
    rows = []
    for (_district, species), survey in sorted(latest.items(), key=lambda item: (
            item[1].district.code, list(Species.values).index(item[0][1]))):
        rows.append({
            "district_id": survey.district_id, "district": str(survey.district),
            "species": species, "species_label": str(Species(species).label),
            "level": str(survey.level), "passed": survey.level in PASSING,
            "survey_id": survey.pk, "date": survey.surveyed_on.isoformat(),
        })
    return rows


def _month(day: date) -> date:
    return day.replace(day=1)


def months_back(end: date, count: int) -> list[date]:
    month = _month(end)
    months = []
    for _i in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def vector_trend(*, user, species: str, months: list[date], district_id: int | None = None) -> dict:
    """Per district and month (of the districts the user may see): the month's level (the worst
    of that month's surveys) and, per indicator of the species, the month's pooled value (all the
    month's positives over all its checked)."""
    surveys = VectorSurvey.objects.visible_to(user).filter(
        species=species, surveyed_on__gte=months[0], surveyed_on__lt=_next_month(months[-1]))
    if district_id is not None:
        surveys = surveys.filter(district_id=district_id)
    levels: dict[tuple[int, date], list[str]] = defaultdict(list)
    counts_of: dict[tuple[int, date], int] = defaultdict(int)
    for district, day, level in surveys.values_list("district_id", "surveyed_on", "level"):
        levels[(district, _month(day))].append(level)
        counts_of[(district, _month(day))] += 1
    pooled = (VectorCount.objects.filter(survey__in=surveys)
              .values("survey__district_id", "survey__surveyed_on__year", "survey__surveyed_on__month", "indicator")
              .annotate(checked=Sum("checked"), positive=Sum("positive")))
    values: dict[tuple[int, date, str], object] = {}
    for row in pooled:
        month = date(row["survey__surveyed_on__year"], row["survey__surveyed_on__month"], 1)
        values[(row["survey__district_id"], month, row["indicator"])] = SPECS[row["indicator"]].value(
            row["checked"], row["positive"])
    district_ids = {district for district, _m in levels}
    districts = District.objects.visible_to(user).filter(pk__in=district_ids).order_by("code") if district_id is None \
        else District.objects.visible_to(user).filter(pk=district_id)
    specs = specs_of(species)
    rows = []
    for district in districts:
        cells = []
        for month in months:
            key = (district.pk, month)
            cells.append({
                "month": month, "level": worst(levels.get(key, [])), "surveys": counts_of.get(key, 0),
                "values": {spec.code: values.get((district.pk, month, spec.code)) for spec in specs},
            })
        rows.append({"district": district, "cells": cells})
    return {"species": species, "months": months, "rows": rows, "specs": specs}


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def describe_vector_surveys(user, ids: list[int]) -> dict[int, str]:
    """The ledger's names for the surveys a problem came from (those the user may see)."""
    surveys = VectorSurvey.objects.visible_to(user).filter(pk__in=ids).select_related("district")
    return {s.pk: f"{s.get_species_display()} · {s.district} · {s.surveyed_on.isoformat()}" for s in surveys}

