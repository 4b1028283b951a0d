"""The quarterly appraisal (季度考核): districts and units ranked over a calendar quarter by the
monthly comparison's published formula (reports/kinds/monthly_comparison.py: the same weights,
minimum due, rules and code, applied to the quarter), beside last quarter's rank; and the
quarter's appraisal and cross-inspection rounds (programme's supervision cycle) with their
points, those inspected and the average score, a cross round with who inspected whom.
"""

from collections.abc import Callable

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.models import District
from inspections.choices import InspectionStatus
from inspections.models import Round
from inspections.selectors import rounds_cross_pairs
from programme.choices import RoundPlanKind

from ..excel import sheet_title, write_table
from ..periods import Period
from . import monthly_comparison

KIND = "quarterly_appraisal"
LABEL = gettext_lazy("Quarterly appraisal")
PERIOD = "quarter"
ORDER = 40
PUBLISHED_BY_HQ = True
TEMPLATE = "reports/kinds/quarterly_appraisal.html"

# The places a published appraisal names: the same as the comparison's (its ranking).
named_in = monthly_comparison.named_in


def _period(period: Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}


def appraisal_rounds(*, period: Period, district: District | None = None) -> list[dict]:
    """The rounds of the quarter that appraise: made by an appraisal plan, or cross-inspections
    (互查), starting in the quarter, in the scope. A district's report has its rounds and those of
    the city's that hold points of it, counting only its points, and of who inspected whom only
    the pairs where it inspects or is inspected."""
    submitted = Q(points__inspection__status=InspectionStatus.SUBMITTED)
    mine = Q() if district is None else Q(points__sample_point__district=district)
    rounds = (Round.objects.filter(starts_on__gte=period.start, starts_on__lte=period.end)
              .filter(Q(plan_round__plan__kind=RoundPlanKind.APPRAISAL) | Q(cross_inspection=True))
              .select_related("district", "plan_round__plan")
              .annotate(point_count=Count("points", filter=mine, distinct=True),
                        done=Count("points", filter=mine & submitted, distinct=True),
                        average=Avg("points__inspection__score", filter=mine & submitted))
              .order_by("starts_on", "id"))
    if district is not None:
        rounds = rounds.filter(Q(district=district) | Q(district__isnull=True))
    rounds = [inspection_round for inspection_round in rounds
              if district is None or inspection_round.district_id or inspection_round.point_count]
    pairs = rounds_cross_pairs(rounds=[r.pk for r in rounds if r.cross_inspection],
                               district_id=district.pk if district else None)
    rows = []
    for inspection_round in rounds:
        plan_round = getattr(inspection_round, "plan_round", None)
        rows.append({
            "id": inspection_round.pk, "name": inspection_round.name,
            "starts_on": inspection_round.starts_on.isoformat(), "ends_on": inspection_round.ends_on.isoformat(),
            "plan": plan_round.plan.name if plan_round else None,
            "cross_inspection": inspection_round.cross_inspection,
            "district": inspection_round.district.name if inspection_round.district_id else None,
            "points": inspection_round.point_count, "done": inspection_round.done,
            "average": None if inspection_round.average is None else float(inspection_round.average),
            "pairs": [{key: (float(value) if key == "average" and value is not None else value)
                       for key, value in pair.items()}
                      for pair in pairs.get(inspection_round.pk, [])],
        })
    return rows


def compute(*, period: Period, district: District | None = None,
            progress: Callable[[int], None] = lambda percent: None) -> dict:
    published = monthly_comparison.formula(span=monthly_comparison.QUARTER)
    data = {
        "kind": KIND,
        "period": _period(period),
        "previous_period": _period(period.previous()),
        "scope": {"district_id": district.pk if district else None, "district": district.name if district else None},
        "formula": published,
    }
    data.update(monthly_comparison.ranked_standings(period=period, district=district, published=published,
                                                    progress=progress))
    data["rounds"] = appraisal_rounds(period=period, district=district)
    return data


def write_workbook(*, workbook, report) -> None:
    data = report.data
    label = data["period"]["label"]
    monthly_comparison.write_ranking_sheets(workbook, data=data, previous_header=_("Last quarter's rank"))
    ws = workbook.create_sheet(sheet_title(_("Appraisal rounds")))
    write_table(ws, headers=[_("Round"), _("Plan"), _("Starts on"), _("Ends on"), _("Points"), _("Done"),
                             _("Average score"), _("Who inspects whom")],
                title=f"{label} {_('Appraisal rounds')}", number_formats={7: "0.0"}, rows=[
                    [row["name"], row["plan"] or (_("Cross-inspection") if row["cross_inspection"] else ""),
                     row["starts_on"], row["ends_on"], row["points"], row["done"], row["average"],
                     "; ".join(_("%(inspecting)s inspects %(inspected)s") % pair for pair in row["pairs"])]
                    for row in data.get("rounds", [])
                ])
    monthly_comparison.write_formula_sheet(workbook, data=data)
