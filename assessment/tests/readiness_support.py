"""Places and inspections for the readiness tests, written through the inspection services."""

from datetime import timedelta

from django.utils import timezone

from campaign.tests.factories import make_sample_point
from inspections import services
from inspections.choices import InspectionKind, Outcome
from inspections.tests.factories import MARKET_ITEMS

RESTAURANT_ITEMS = [
    {"code": "R01", "text_zh": "三防设施到位", "text_en": "Pest proofing in place", "points": 10, "severity": "serious"},
    {"code": "R02", "text_zh": "地面清洁", "text_en": "Floor clean", "points": 5},
]


def checklists(city) -> None:
    services.checklist_revise(category=city.market, items=MARKET_ITEMS, by=city.hq, name="农贸市场检查表")
    services.checklist_revise(category=city.restaurant, items=RESTAURANT_ITEMS, by=city.hq, name="餐馆检查表")


def places(city, category, count: int, district=None, prefix: str = "点") -> list:
    district = district or city.district_a
    return [make_sample_point(district=district, category=category, name=f"{prefix}{category.code}{n}")
            for n in range(count)]


def inspect(city, point, *, ok: bool, days_ago: float = 1.0, kind=InspectionKind.UNANNOUNCED, round_point=None):
    """A submitted inspection: all items pass, or (ok False) the serious item fails."""
    at = timezone.now() - timedelta(days=days_ago)
    inspection = services.inspection_start(sample_point=point, kind=kind, by=city.hq, started_at=at,
                                           round_point=round_point)
    for item in inspection.checklist_version.items.all():
        failed = not ok and item.severity == "serious"
        services.inspection_record_result(inspection=inspection, item=item, by=city.hq,
                                          outcome=Outcome.FAIL if failed else Outcome.PASS)
    return services.inspection_submit(inspection=inspection, by=city.hq, at=at, ended_at=at)[0]


def history(city, points, *, ok_every: int, weeks: int = 4) -> None:
    """Weekly inspections of each point; with ok_every=1 every one passes, with 0 none, with n
    one in n passes."""
    for week in range(weeks):
        for index, point in enumerate(points):
            ok = ok_every == 1 or (ok_every > 1 and (week + index) % ok_every == 0)
            inspect(city, point, ok=ok, days_ago=1 + 7 * week + index * 0.01)
