"""Checklists and inspections built through the inspection services."""

from inspections import services
from inspections.choices import InspectionKind, Outcome

MARKET_ITEMS = [
    {"code": "M01", "text_zh": "活禽销售区域独立设置并封闭", "text_en": "Live poultry area separate and closed",
     "points": 10, "severity": "serious"},
    {"code": "M02", "text_zh": "摊位整洁，无乱堆乱放", "text_en": "Stalls clean and tidy", "points": 5},
    {"code": "M03", "text_zh": "防蝇防鼠设施完好", "text_en": "Fly and rodent proofing in place", "points": 5},
    {"code": "M04", "text_zh": "捕蝇笼饵料有效", "text_en": "Fly cages baited", "points": 3},
    {"code": "M05", "text_zh": "市场内无活禽宰杀", "text_en": "No live poultry slaughter on site", "points": 0,
     "severity": "urgent", "veto": True},
]


def market_checklist(city):
    return services.checklist_revise(category=city.market, items=MARKET_ITEMS, by=city.hq, name="农贸市场检查表")


def inspect(city, *, outcomes: dict, point=None, by=None, kind=InspectionKind.UNANNOUNCED, submit=True, notes=None):
    """An inspection of district A's market with the given outcome per item code (others pass)."""
    by = by or city.inspector
    point = point or city.points_a[0]
    inspection = services.inspection_start(sample_point=point, kind=kind, by=by)
    for item in inspection.checklist_version.items.all():
        services.inspection_record_result(inspection=inspection, item=item, by=by,
                                          outcome=outcomes.get(item.code, Outcome.PASS),
                                          note=(notes or {}).get(item.code, ""))
    if submit:
        return services.inspection_submit(inspection=inspection, by=by)
    return inspection, []


def this_weeks_round(city, *, inspectors=None, quota=2):
    """A round of district A's markets running this week, drawn and shared among ``inspectors``
    (the city's inspector by default)."""
    from datetime import timedelta

    from django.utils import timezone

    market_checklist(city)
    today = timezone.localdate()
    inspection_round = services.round_create(
        name="本周暗访", kind=InspectionKind.UNANNOUNCED, starts_on=today, ends_on=today + timedelta(days=6),
        quotas={city.market: quota}, by=city.hq)
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=1)
    services.round_assign(inspection_round=inspection_round, inspectors=inspectors or [city.inspector], by=city.hq)
    return inspection_round
