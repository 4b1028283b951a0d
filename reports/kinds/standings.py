"""Figures the weekly exposure and the monthly comparison need beyond reports/figures.py:
inspection score averages by district or unit, kept exactly (sum and count), in one GROUP BY."""

from decimal import Decimal

from django.db.models import Count, Sum

from inspections.choices import InspectionStatus
from inspections.models import Inspection

from ..figures import district_id_of
from ..periods import Period

_INSPECTION_FIELD = {"district": "sample_point__district_id", "unit": "sample_point__responsible_unit_id"}


def average(total, count: int) -> dict:
    """A mean kept as its sum and count (scores have one decimal, so the sum is exact)."""
    total = Decimal(total or 0)
    return {"numerator": float(total), "denominator": count, "value": float(total / count) if count else None}


def inspection_scores(*, period: Period, group: str, district=None) -> dict:
    """{district or unit id: {"total": Decimal, "count": int}}: the scores of inspections submitted in
    the period, by the sample point's district or responsible unit (published rule)."""
    inspections = Inspection.objects.order_by().filter(
        status=InspectionStatus.SUBMITTED, submitted_at__gte=period.starts_at, submitted_at__lt=period.ends_at,
        score__isnull=False,
    )
    district_id = district_id_of(district)
    if district_id is not None:
        inspections = inspections.filter(sample_point__district_id=district_id)
    key = _INSPECTION_FIELD[group]
    rows = inspections.values(key).annotate(total=Sum("score"), count=Count("id"))
    return {row[key]: {"total": row["total"] or Decimal("0"), "count": row["count"]} for row in rows}
