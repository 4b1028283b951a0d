"""Figures the weekly exposure and the monthly comparison need beyond reports/figures.py:
inspection score averages by district or unit, kept exactly (sum and count), in one GROUP BY,
the accountability records and the pair tasks done on time by district or unit."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from accountability.models import AccountabilityRecord
from inspections.choices import InspectionStatus
from inspections.models import Inspection
from programme.selectors.pairing import pairing_on_time

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


_RECORD_FIELD = {"district": "district_id", "unit": "unit_id"}


def record_count(count: int) -> dict:
    """A count as a component (it always has a value: none is 0)."""
    return {"numerator": count, "denominator": 1, "value": count}


def accountability_counts(*, period: Period, group: str, district=None) -> dict:
    """{district or unit id: records}: accountability records decided in the period against the
    unit (by the unit's district), not revoked before the period's end (published rule)."""
    records = AccountabilityRecord.objects.order_by().filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gte=period.ends_at),
        decided_on__gte=period.start, decided_on__lte=period.end)
    district_id = district_id_of(district)
    if district_id is not None:
        records = records.filter(district_id=district_id)
    key = _RECORD_FIELD[group]
    return {row[key]: row["count"] for row in records.values(key).annotate(count=Count("id")) if row[key]}


def pairing_counts(*, period: Period, group: str, district=None) -> dict:
    """{district or unit id: (pair tasks done on time, due)} for the tasks due in the period
    (programme/selectors/pairing.py ``pairing_on_time``: the published rule)."""
    return pairing_on_time(start=period.start, end=period.end, group=group, district_id=district_id_of(district))
