"""Reads of the standard as data: the edition in use, each part's core indicators against
their targets (the readiness page and report call ``indicators_by_part``), and the standard's
page (parts with team, indicators, articles and materials)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from campaign.models import Indicator, IndicatorValue

from ..models import MaterialRequirement, StandardArticle, StandardEdition, StandardPart


def edition_in_use() -> StandardEdition | None:
    """The edition the campaign works to (None before one is loaded and put in use)."""
    return StandardEdition.objects.filter(in_use=True).first()


def _part_indicators(parts: list[StandardPart]) -> dict[int, list[Indicator]]:
    """Each part's core indicators: those of its standard category and those its articles hold."""
    category_ids = {part.category_id for part in parts if part.category_id}
    by_category: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(category_id__in=category_ids).order_by("code"):
        by_category.setdefault(indicator.category_id, []).append(indicator)
    through = StandardArticle.indicators.through.objects.filter(
        standardarticle__part__in=parts, standardarticle__active=True
    ).values_list("standardarticle__part_id", "indicator_id")
    extra: dict[int, set[int]] = {}
    for part_id, indicator_id in through:
        extra.setdefault(part_id, set()).add(indicator_id)
    extra_indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={i for s in extra.values() for i in s})}
    result = {}
    for part in parts:
        indicators = {i.pk: i for i in by_category.get(part.category_id, [])}
        for indicator_id in extra.get(part.pk, ()):
            indicators.setdefault(indicator_id, extra_indicators[indicator_id])
        result[part.pk] = sorted(indicators.values(), key=lambda i: i.code)
    return result


def latest_values(indicator_ids, *, as_of: dt.date) -> dict[int, IndicatorValue]:
    """Each indicator's latest monthly value with month <= as_of."""
    latest: dict[int, IndicatorValue] = {}
    for value in IndicatorValue.objects.filter(indicator_id__in=indicator_ids, month__lte=as_of).order_by("month"):
        latest[value.indicator_id] = value
    return latest


def indicators_by_part(*, edition: StandardEdition, as_of: dt.date) -> dict[int, dict]:
    """{part id: {"total", "met", "unmet", "no_value"}}: each part's core indicators (its
    category's and its active articles'), judged by their latest value with month <= as_of
    against their target."""
    parts = list(StandardPart.objects.filter(edition=edition).order_by("number"))
    indicators = _part_indicators(parts)
    latest = latest_values({i.pk for items in indicators.values() for i in items}, as_of=as_of)
    result = {}
    for part in parts:
        counts = {"total": 0, "met": 0, "unmet": 0, "no_value": 0}
        for indicator in indicators[part.pk]:
            counts["total"] += 1
            value = latest.get(indicator.pk)
            met = indicator.is_met(value.value if value else None)
            counts["no_value" if met is None else "met" if met else "unmet"] += 1
        result[part.pk] = counts
    return result


@dataclass
class IndicatorRow:
    indicator: Indicator
    value: IndicatorValue | None
    met: bool | None


@dataclass
class PartView:
    part: StandardPart
    indicators: list[IndicatorRow] = field(default_factory=list)
    articles: list[StandardArticle] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for row in self.indicators if row.met)

    @property
    def materials(self) -> int:
        return sum(len(article.required) for article in self.articles)


def standard_overview(*, edition: StandardEdition, as_of: dt.date, materials=None, part_number: int | None = None,
                      articles=None) -> list[PartView]:
    """The standard's page: each part with its team, core indicators (target, latest value,
    met or not), its active articles and their required materials (``materials``: a filtered
    queryset of MaterialRequirement, default every required one; ``articles`` likewise)."""
    if materials is None:
        materials = MaterialRequirement.objects.filter(active=True)
    materials = materials.select_related("responsible_unit").order_by("order", "code")
    if articles is None:
        articles = StandardArticle.objects.filter(active=True)
    articles = articles.select_related("team").prefetch_related(
        "indicators", Prefetch("materials", queryset=materials, to_attr="required")).order_by("order", "number")
    parts = StandardPart.objects.filter(edition=edition).select_related("category", "team").order_by("number")
    if part_number:
        parts = parts.filter(number=part_number)
    parts = list(parts.prefetch_related(Prefetch("articles", queryset=articles, to_attr="listed")))
    indicators = _part_indicators(parts)
    latest = latest_values({i.pk for items in indicators.values() for i in items}, as_of=as_of)
    views = []
    for part in parts:
        rows = []
        for indicator in indicators[part.pk]:
            value = latest.get(indicator.pk)
            rows.append(IndicatorRow(indicator, value, indicator.is_met(value.value if value else None)))
        views.append(PartView(part=part, indicators=rows, articles=part.listed))
    return views

