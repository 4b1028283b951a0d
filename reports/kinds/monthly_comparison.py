"""The monthly comparison (月比拼): districts and units ranked by the published formula over the
standard indicators of the month, each component shown, beside last month's rank.

The formula (settings REPORT_COMPARISON_WEIGHTS, REPORT_COMPARISON_MIN_DUE). Each indicator is
turned into points out of 100:
- inspection score average: the mean score (already out of 100);
- 结案率 (closure rate) and 按期结案率 (on-time closure rate): the rate × 100;
- rebound rate and rejection rate (lower is better): (1 − the rate, at least 0) × 100.
The weighted score is Σ weight × points ÷ Σ weight over the indicators that have a value (a rate
with nothing to divide by is left out, not counted as 0). Places with fewer than the minimum
number of problems due in the month are not ranked and are listed with the reason, and so is a
district with no inspection submitted in the month while the inspection score has a weight ("not
assessed: no inspections"): its other indicators alone could otherwise put it first. Equal scores
share a rank (1, 2, 2, 4). Last month's rank is computed afresh from the ledger by the same
formula, so the report is the same whenever it is produced.

Beside the rankings, unranked, one row per grid cell and per road with its chief: problems
found in the month, due, closed on time, the on-time rate and overdue at the month's end (the
figures' own rules, by the problem's current grid or road).

Accountability (weight 0 by default, REPORT_WEIGHT_ACCOUNTABILITY): the accountability records
decided in the month against the place's units and not revoked by the month's end; points =
100 − ACCOUNTABILITY_POINTS_PER_RECORD × records, at least 0 (a place with none has 100).
"""

from collections.abc import Callable
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment

from campaign.models import District, Unit
from campaign.spreadsheets import write_cell

from ..excel import add_chart, sheet_title, write_table
from ..figures import (
    RATES,
    breakdowns,
    chief_cell_figures,
    district_id_of,
    unit_team_ids,
    with_rates,
    zero_counts,
)
from ..periods import Period
from . import public_channel
from .standings import accountability_counts, average, inspection_scores, record_count

KIND = "monthly_comparison"
LABEL = gettext_lazy("Monthly comparison")
PERIOD = "month"
ORDER = 30
PUBLISHED_BY_HQ = True
PUBLIC_BOARD = True
TEMPLATE = "reports/kinds/monthly_comparison.html"

COMPONENTS = ("inspection_score", "closure_rate", "on_time_rate", "rebound_rate", "rejection_rate",
              "accountability")
LOWER_IS_BETTER = ("rebound_rate", "rejection_rate")
ACCOUNTABILITY_POINTS_PER_RECORD = 10
# Why a place is listed unranked (the reasons the page, the workbook and the API carry).
FEW_DUE, NO_INSPECTIONS, NO_FIGURES = "few_due", "no_inspections", "no_figures"


MONTH, QUARTER = "month", "quarter"


def formula(*, span: str = MONTH) -> dict:
    """The published formula, applied to a period of ``span`` ("month"; the quarterly appraisal
    applies the same formula to a "quarter": reports/kinds/quarterly_appraisal.py)."""
    weights = {name: settings.REPORT_COMPARISON_WEIGHTS.get(name, 0) for name in COMPONENTS}
    published = {"weights": weights, "min_due": settings.REPORT_COMPARISON_MIN_DUE,
                 "districts_need_inspections": weights["inspection_score"] > 0,
                 "points_per_record": ACCOUNTABILITY_POINTS_PER_RECORD, "span": span}
    published["text"] = formula_text(published)
    return published


def component_label(name: str) -> str:
    return {
        "inspection_score": _("Inspection score average"),
        "closure_rate": _("Closure rate (结案率)"),
        "on_time_rate": _("On-time closure rate (按期结案率)"),
        "rebound_rate": _("Rebound rate"),
        "rejection_rate": _("Rejection rate"),
        "accountability": _("Accountability records"),
    }[name]


def shown_components(weights: dict) -> list[str]:
    """The indicators a report shows: accountability only when HQ has given it a weight."""
    return [name for name in COMPONENTS if name != "accountability" or weights.get(name)]


def formula_text(published: dict) -> str:
    weights = ", ".join(f"{component_label(name)} {weight}" for name, weight in published["weights"].items())
    quarter = published.get("span") == QUARTER
    if quarter:
        text = _(
            "Weighted score = Σ weight × points ÷ Σ weight, over the indicators that have a value. Points "
            "out of 100: the inspection score average as it is; the closure and on-time closure rates × 100; "
            "(1 − rate) × 100 for the rebound and rejection rates, where lower is better. Weights: %(weights)s. "
            "Ranked: districts and units with at least %(min_due)s problems due in the quarter; equal scores "
            "share a rank."
        )
    else:
        text = _(
            "Weighted score = Σ weight × points ÷ Σ weight, over the indicators that have a value. Points "
            "out of 100: the inspection score average as it is; the closure and on-time closure rates × 100; "
            "(1 − rate) × 100 for the rebound and rejection rates, where lower is better. Weights: %(weights)s. "
            "Ranked: districts and units with at least %(min_due)s problems due in the month; equal scores "
            "share a rank."
        )
    return text % {"weights": weights, "min_due": published["min_due"]} + _rules_text(published)


def _rules_text(published: dict) -> str:
    text = ""
    quarter = published.get("span") == QUARTER
    if published.get("districts_need_inspections"):
        text += " " + (_("A district with no inspection submitted in the quarter is not ranked (not assessed: "
                         "no inspections).") if quarter else
                       _("A district with no inspection submitted in the month is not ranked (not assessed: "
                         "no inspections)."))
    if published["weights"].get("accountability"):
        text += " " + (_("Accountability records: 100 − %(points)s points per record decided in the quarter "
                         "and not revoked by its end, at least 0.") if quarter else
                       _("Accountability records: 100 − %(points)s points per record decided in the month and "
                         "not revoked by its end, at least 0.")) % {"points": published["points_per_record"]}
    return text


# --- Figures ---------------------------------------------------------------------------------------


def _points(name: str, component: dict) -> Fraction | None:
    if component["value"] is None:
        return None
    if name == "accountability":
        return Fraction(max(0, 100 - ACCOUNTABILITY_POINTS_PER_RECORD * component["numerator"]))
    value = Fraction(str(component["numerator"])) / Fraction(component["denominator"])
    if name == "inspection_score":
        return value
    if name in LOWER_IS_BETTER:
        return max(Fraction(0), 1 - value) * 100
    return value * 100


def weighted_score(components: dict, weights: dict) -> tuple[dict, Fraction | None]:
    """Each indicator's points and the weighted score, exactly (None when no weighted indicator has a value)."""
    points = {name: _points(name, components[name]) for name in COMPONENTS}
    used = [name for name in COMPONENTS if points[name] is not None and weights[name] > 0]
    total_weight = sum(weights[name] for name in used)
    if not total_weight:
        return points, None
    return points, sum(weights[name] * points[name] for name in used) / total_weight


def _row(group: str, pk: int, names: dict, counts: dict, scores: dict, records: dict, weights: dict) -> dict:
    figures = with_rates(counts)
    score = scores.get(pk, {"total": 0, "count": 0})
    components = {name: figures[name] for name in COMPONENTS if name not in ("inspection_score", "accountability")}
    components["inspection_score"] = average(score["total"], score["count"])
    components["accountability"] = record_count(records.get(pk, 0))
    points, total = weighted_score(components, weights)
    return {
        "id": pk,
        "name": names.get("name", ""),
        "name_en": names.get("name_en", ""),
        "district_id": names.get("district_id"),
        "unit_id": pk if group == "unit" else None,
        "team_ids": names.get("team_ids", []),
        "due": figures["due"],
        "found": figures["found"],
        "inspections": score["count"],
        "components": {name: components[name] for name in COMPONENTS},
        "points": {name: None if value is None else float(value) for name, value in points.items()},
        "score": None if total is None else float(total),
        "score_exact": None if total is None else [total.numerator, total.denominator],
        "_score": total,
    }


def standings(*, period: Period, district=None, weights: dict) -> dict[str, list[dict]]:
    """Every district (or the one in scope) and every unit with something in the period, with
    their components and weighted scores (unranked yet)."""
    figures = breakdowns(period=period, district=district)
    district_id = district_id_of(district)
    result = {}
    for group, rows, model in (("district", figures.districts, District), ("unit", figures.units, Unit)):
        counts = {row[f"{group}_id"]: row for row in rows if row[f"{group}_id"] is not None}
        scores = inspection_scores(period=period, group=group, district=district)
        records = accountability_counts(period=period, group=group, district=district)
        if group == "district":
            places = District.objects.all() if district_id is None else District.objects.filter(pk=district_id)
            names = {row["id"]: row for row in places.values("id", "name", "name_en")}
            for row in names.values():
                row["district_id"] = row["id"]
        else:
            wanted = {pk for pk in [*counts, *scores, *records] if pk is not None}
            names = {row["id"]: row for row in model.objects.filter(pk__in=wanted).values(
                "id", "name", "name_en", "district_id")}
            for pk, teams in unit_team_ids(names).items():
                names[pk]["team_ids"] = teams
        result[group] = [
            _row(group, pk, names[pk], _counts_of(counts.get(pk)), scores, records, weights) for pk in names
        ]
    return result


def _counts_of(row: dict | None) -> dict:
    counts = zero_counts()
    if row:
        counts.update({name: row[name] for name in counts})
    return counts


def unranked_reason(row: dict, *, min_due: int, need_inspections: bool = False) -> str | None:
    """Why ``row`` is not ranked, or None: the published rule, in one place for the page, the
    workbook and the API (they all read the report's data)."""
    if row["due"] < min_due:
        return FEW_DUE
    if need_inspections and not row["inspections"]:
        return NO_INSPECTIONS
    if row["_score"] is None:
        return NO_FIGURES
    return None


def rank(rows: list[dict], *, min_due: int, need_inspections: bool = False) -> tuple[list[dict], list[dict]]:
    """(ranked best first with competition ranks, unranked with the reason). ``need_inspections``:
    a place with no inspection in the period is not assessed (the districts' rule)."""
    reasons = {row["id"]: unranked_reason(row, min_due=min_due, need_inspections=need_inspections) for row in rows}
    ranked = [row for row in rows if reasons[row["id"]] is None]
    ranked_ids = {row["id"] for row in ranked}
    unranked = [row for row in rows if row["id"] not in ranked_ids]
    ranked.sort(key=lambda row: (-row["_score"], row["name"], row["id"]))
    previous_score, previous_rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row["_score"] != previous_score:
            previous_score, previous_rank = row["_score"], position
        row["rank"] = previous_rank
    for row in unranked:
        row["rank"] = None
        row["reason"] = reasons[row["id"]]
    unranked.sort(key=lambda row: (-row["due"], row["name"], row["id"]))
    return ranked, unranked


def ranked_standings(*, period: Period, district: District | None, published: dict,
                     progress: Callable[[int], None] = lambda percent: None) -> dict:
    """{"districts": …, "units": …}: each ranked by the published formula over ``period`` (a month,
    or the quarterly appraisal's quarter), beside its rank in the period before, and those not
    ranked with the reason."""
    weights, min_due = published["weights"], published["min_due"]
    current = standings(period=period, district=district, weights=weights)
    progress(50)
    before = standings(period=period.previous(), district=district, weights=weights)
    progress(90)
    data = {}
    for group, key in (("district", "districts"), ("unit", "units")):
        need_inspections = group == "district" and published["districts_need_inspections"]
        last_ranked, _unranked = rank(before[group], min_due=min_due, need_inspections=need_inspections)
        last_rank = {row["id"]: row["rank"] for row in last_ranked}
        ranked, unranked = rank(current[group], min_due=min_due, need_inspections=need_inspections)
        for row in ranked + unranked:
            row["previous_rank"] = last_rank.get(row["id"])
            row["change"] = (
                row["previous_rank"] - row["rank"] if row["rank"] and row["previous_rank"] else None
            )
            del row["_score"]
        data[key] = {"ranked": ranked, "unranked": unranked}
    return data


def compute(*, period: Period, district: District | None = None,
            progress: Callable[[int], None] = lambda percent: None) -> dict:
    published = formula()
    previous_period = period.previous()
    data = {
        "kind": "monthly_comparison",
        "period": _period(period),
        "previous_period": _period(previous_period),
        "scope": {"district_id": district.pk if district else None, "district": district.name if district else None},
        "formula": published,
    }
    data.update(ranked_standings(period=period, district=district, published=published, progress=progress))
    data["grids"] = chief_cell_figures(period=period, cell="grid", district=district)
    data["roads"] = chief_cell_figures(period=period, cell="road", district=district)
    # Beside the ranking, never in its formula (reports/kinds/public_channel.py).
    data[public_channel.KEY] = public_channel.section(period=period, district=district)
    return data


def _period(period: Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}



def named_in(data: dict) -> tuple[set[int], set[int]]:
    """(unit ids, district ids) in the ranking: told when the comparison is published."""
    ranked = {key: (data.get(key) or {}).get("ranked") or [] for key in ("units", "districts")}
    return ({row["id"] for row in ranked["units"] if row.get("id")},
            {row["id"] for row in ranked["districts"] if row.get("id")})

# --- Workbook --------------------------------------------------------------------------------------


def reason_text(row: dict, min_due: int, span: str = MONTH) -> str:
    if row["reason"] == FEW_DUE:
        return _("%(due)s problems due; at least %(min_due)s needed to be ranked") % {
            "due": row["due"], "min_due": min_due}
    if row["reason"] == NO_INSPECTIONS:
        return (_("not assessed: no inspections in the quarter") if span == QUARTER
                else _("not assessed: no inspections in the month"))
    return _("no indicator with a value")


def chief_text(row: dict) -> str:
    """The chief as printed on the cell, and the people who sign in as its chief if others."""
    names = [row["chief_name"]] if row["chief_name"] else []
    names += [name for name in row["chiefs"] if name not in names]
    return "、".join(names)


def _change(row: dict) -> int | str:
    """A number Excel can sort and chart (places gained); "new" for a place unranked last month."""
    if row["change"] is None:
        return _("new") if row["rank"] and row["previous_rank"] is None else ""
    return row["change"]


def write_workbook(*, workbook: Workbook, report) -> None:
    data = report.data
    label = data["period"]["label"]
    write_ranking_sheets(workbook, data=data, previous_header=_("Last month's rank"))
    chief_headers = [_("District"), _("Name"), _("Chief"), _("Found"), _("Due"), _("Closed on time"),
                     _("On-time closure rate"), _("Overdue")]
    for key, title in (("grids", _("Grid chiefs")), ("roads", _("Road chiefs"))):
        if key not in data:  # a report made before the chiefs' tables existed
            continue
        ws = workbook.create_sheet(sheet_title(title))
        write_table(ws, headers=chief_headers, title=f"{label} {title}", number_formats={7: "0.0%"}, rows=[
            [row["district"], row["name"], chief_text(row), row["found"], row["due"], row["closed_on_time"],
             row["on_time_rate"]["value"], row["overdue"]]
            for row in data[key]
        ])
    public_channel.write_sheet(workbook, data=data, label=label)
    write_formula_sheet(workbook, data=data)


def write_ranking_sheets(workbook: Workbook, *, data: dict, previous_header: str) -> None:
    """The districts' and units' rankings (with a chart each) and those not ranked, from ``data``
    as ``ranked_standings`` made it (the monthly comparison's and the quarterly appraisal's)."""
    label = data["period"]["label"]
    shown = shown_components(data["formula"]["weights"])
    headers = [
        _("Rank"), _("Name"), *[component_label(name) for name in shown], _("Weighted score"),
        previous_header, _("Change"), _("Due"), _("Inspections"),
    ]
    score_column = 3 + len(shown)
    formats = {3 + shown.index(name): "0.0%" for name in shown if name in RATES}
    formats.update({3: "0.0", score_column: "0.00", score_column + 2: "+0;-0;0"})
    for key, title in (("districts", _("Districts")), ("units", _("Units"))):
        ws = workbook.create_sheet(sheet_title(title))
        rows = [
            [row["rank"], row["name"], *[row["components"][name]["value"] for name in shown], row["score"],
             row["previous_rank"], _change(row), row["due"], row["inspections"]]
            for row in data[key]["ranked"]
        ]
        header_row, last_row = write_table(ws, headers=headers, rows=rows, title=f"{label} {title}",
                                           number_formats=formats)
        add_chart(ws, title=_("Weighted score"), header_row=header_row, last_row=last_row, category_column=2,
                  value_columns=[score_column], anchor=f"B{last_row + 3}")
    ws = workbook.create_sheet(sheet_title(_("Not ranked")))
    min_due, span = data["formula"]["min_due"], data["formula"].get("span", MONTH)
    write_table(ws, headers=[_("Kind"), _("Name"), _("Due"), _("Reason")], title=f"{label} {_('Not ranked')}", rows=[
        [kind, row["name"], row["due"], reason_text(row, min_due, span)]
        for key, kind in (("districts", _("District")), ("units", _("Unit")))
        for row in data[key]["unranked"]
    ])


def write_formula_sheet(workbook: Workbook, *, data: dict) -> None:
    shown = shown_components(data["formula"]["weights"])
    ws = workbook.create_sheet(sheet_title(_("Formula")))
    weights = data["formula"]["weights"]
    write_table(ws, headers=[_("Indicator"), _("Weight")], title=_("Published formula"), rows=[
        [component_label(name), weights[name]] for name in shown
    ])
    text_row = len(shown) + 5
    write_cell(ws, row=text_row, column=1, value=data["formula"]["text"]).alignment = Alignment(
        wrap_text=True, vertical="top")
    ws.merge_cells(start_row=text_row, start_column=1, end_row=text_row, end_column=6)
    ws.row_dimensions[text_row].height = 90
