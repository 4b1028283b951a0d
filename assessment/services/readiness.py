"""Changes to readiness: the pass line, the assessors' draw sizes, and mock assessments (a round of
inspections' own kind "mock", drawn by inspections' draw). Each change is a new row naming who,
when and why; nothing is edited in place or deleted."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import Role
from campaign.models import Category, District, SamplePoint
from inspections import services as inspections
from inspections.choices import InspectionKind

from ..models import DrawSize, MockAssessment, PassLine, PassRule
from ..selectors.readiness import (
    DEFAULT_DRAW_SIZE,
    draw_sizes,
    pass_line_current,
    readiness_by_category,
)


class ReadinessError(Exception):
    """A refused readiness change; ``field`` names the input at fault, str(error) says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _require_hq(user) -> None:
    if not (user.is_active and (user.is_superuser or user.role == Role.HQ_STAFF)):
        raise ReadinessError(_("Only HQ staff change readiness settings and run mock assessments."))


def _decimal(value, field: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ReadinessError(_("%(field)s: not a number: %(value)s.") % {"field": field, "value": value}, field) from None
    if not number.is_finite() or not low <= number <= high:
        raise ReadinessError(_("%(field)s must lie between %(low)s and %(high)s.")
                             % {"field": field, "low": low, "high": high}, field)
    return number.quantize(Decimal("0.1"))


def _whole(value, field: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ReadinessError(_("%(field)s: not a whole number: %(value)s.") % {"field": field, "value": value},
                             field) from None
    if not low <= number <= high:
        raise ReadinessError(_("%(field)s must lie between %(low)s and %(high)s.")
                             % {"field": field, "low": low, "high": high}, field)
    return number


def pass_line_set(*, by, rule: str, min_share, min_average, window_days: int, half_life_days: int,
                  reason: str) -> PassLine:
    """Set the pass line (HQ): a new row in force from now, the old one kept as history."""
    _require_hq(by)
    if rule not in PassRule.values:
        raise ReadinessError(_("Unknown pass rule %(value)s.") % {"value": rule}, "rule")
    if not (reason or "").strip():
        raise ReadinessError(_("Say why the pass line changes."), "reason")
    line = PassLine(
        rule=rule, min_share=_decimal(min_share, "min_share", 0, 100),
        min_average=_decimal(min_average, "min_average", 0, 100),
        window_days=_whole(window_days, "window_days", 7, 730),
        half_life_days=_whole(half_life_days, "half_life_days", 1, 365),
        reason=reason.strip()[:300], set_by=by, set_at=timezone.now(),
    )
    with transaction.atomic():
        line.save()
    return line


def draw_size_set(*, by, category: Category, size, source: str = "") -> DrawSize:
    """Set how many places of a category the assessors draw (HQ); the previous size is kept."""
    _require_hq(by)
    size = _whole(size, "size", 1, 10_000)
    with transaction.atomic():
        return DrawSize.objects.create(category=category, size=size, source=(source or "").strip()[:300], set_by=by)


def mock_assessment_create(*, by, starts_on: datetime.date, ends_on: datetime.date | None = None,
                           district: District | None = None, name: str = "", seed: int | None = None,
                           categories=None, predicted_as_of: datetime.date | None = None) -> MockAssessment:
    """Plan and draw a mock assessment: an inspections round of kind "mock" whose quota per
    category is the assessors' draw size (capped at the category's active places), drawn at
    random by inspections' draw, with the readiness predicted at this moment kept beside it.
    ``categories``: only these (default every key-place category with active places).
    The prediction is made as of ``predicted_as_of`` (default: today, or the start if earlier)."""
    _require_hq(by)
    ends_on = ends_on or starts_on + datetime.timedelta(days=6)
    places = SamplePoint.objects.filter(active=True, category__kind="key_place")
    if district is not None:
        places = places.filter(district=district)
    if categories is not None:
        places = places.filter(category__in=list(categories))
    counts: dict[int, int] = {}
    for category_id in places.values_list("category_id", flat=True):
        counts[category_id] = counts.get(category_id, 0) + 1
    if not counts:
        raise ReadinessError(_("No active places to draw from."), "district" if district else "categories")
    sizes = draw_sizes()
    quotas = {}
    for category in Category.objects.filter(pk__in=counts).order_by("order", "code"):
        size = sizes[category.pk].size if category.pk in sizes else DEFAULT_DRAW_SIZE
        quotas[category] = min(size, counts[category.pk])
    name = (name or "").strip() or _("Mock assessment %(date)s") % {"date": starts_on.isoformat()}
    with transaction.atomic():
        inspection_round = inspections.round_create(
            name=name[:200], kind=InspectionKind.MOCK, starts_on=starts_on, ends_on=ends_on, quotas=quotas,
            by=by, district=district)
        inspections.round_draw(inspection_round=inspection_round, by=by, seed=seed)
        line = pass_line_current()
        predicted = [
            {key: row[key] for key in ("category_id", "category", "draw_size", "readiness", "low", "high")}
            for row in readiness_by_category(as_of=predicted_as_of or min(timezone.localdate(), starts_on),
                                             district_id=district.pk if district else None)
            if row["category_id"] in counts
        ]
        return MockAssessment.objects.create(round=inspection_round, pass_line=line if line.pk else None,
                                             predicted=predicted, created_by=by)
