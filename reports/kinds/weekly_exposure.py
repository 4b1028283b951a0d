"""The weekly exposure (周曝光): the week's worst problems with their before-photos and named
units, and the red list (best) and black list (worst) of units and districts by the published
rule (settings REPORT_EXPOSURE_*). HQ reviews the draft and publishes it (Report.published_at).

The worst problems, for the ISO week P (problems marked invalid before the week's end are
never exposed):
- serious: severity serious or urgent, found in P; urgent first;
- overdue: overdue at the week's end (published rule), the longest overdue first;
- rebounds: found in P as a rebound of a closed problem;
- unannounced: found in P by an unannounced visit (暗访), urgent and serious first.
Each list shows its first REPORT_EXPOSURE_PROBLEMS problems and counts all of them.
"""

import operator
from collections.abc import Callable
from fractions import Fraction
from functools import reduce

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment

from campaign.models import District
from ledger.choices import PhotoKind, Severity, Source
from ledger.models import EvidencePhoto, Problem

from ..excel import add_chart, sheet_title, write_table
from ..figures import breakdowns, district_id_of, invalidated_before, open_at, unit_team_ids
from ..periods import Period

KIND = "weekly_exposure"
LABEL = gettext_lazy("Weekly exposure")
PERIOD = "week"
ORDER = 20
PUBLISHED_BY_HQ = True
PUBLIC_BOARD = True
TEMPLATE = "reports/kinds/weekly_exposure.html"

PROBLEM_LISTS = ("serious", "overdue", "rebounds", "unannounced")
PHOTOS_PER_PROBLEM = 3

_SEVERITY_ORDER = Case(
    When(severity=Severity.URGENT, then=Value(0)),
    When(severity=Severity.SERIOUS, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def rule() -> dict:
    """The published red and black list rule, with its text, as the report keeps it."""
    figures = {
        "min_due": settings.REPORT_EXPOSURE_MIN_DUE,
        "units": settings.REPORT_EXPOSURE_UNITS,
        "districts": settings.REPORT_EXPOSURE_DISTRICTS,
        "problems": settings.REPORT_EXPOSURE_PROBLEMS,
    }
    figures["text"] = rule_text(figures)
    return figures


def rule_text(figures: dict) -> str:
    return _(
        "Units and districts with at least %(min_due)s problems due in the week are listed. They are "
        "ordered by the on-time closure rate (按期结案率: closed by the deadline ÷ due), higher first, "
        "then by fewer problems overdue at the week's end, then by more problems due. The red list is "
        "the first %(units)s units and %(districts)s districts; the black list is the last %(units)s "
        "units and %(districts)s districts of the others, leaving out any whose due problems were all "
        "closed on time with none overdue."
    ) % figures


# --- Figures ---------------------------------------------------------------------------------------


def _list_conditions(period: Period) -> dict[str, Q]:
    found = Q(found_at__gte=period.starts_at, found_at__lt=period.ends_at)
    exposable = found & ~invalidated_before(period.ends_at)
    return {
        "serious": exposable & Q(severity__in=(Severity.SERIOUS, Severity.URGENT)),
        "overdue": open_at(period.ends_at) & Q(deadline__lte=period.end),
        "rebounds": exposable & Q(rebound_of__isnull=False),
        "unannounced": exposable & Q(source=Source.UNANNOUNCED_VISIT),
    }


_LIST_ORDER = {
    "serious": (_SEVERITY_ORDER, "found_at", "pk"),
    "overdue": ("deadline", _SEVERITY_ORDER, "found_at", "pk"),
    "rebounds": ("found_at", "pk"),
    "unannounced": (_SEVERITY_ORDER, "found_at", "pk"),
}


def _problem_item(problem: Problem, period: Period) -> dict:
    days_late = None
    if problem.deadline and problem.deadline <= period.end and not (
        problem.closed_at and problem.closed_at < period.ends_at
    ):
        days_late = (period.end - problem.deadline).days + 1
    unit, district, team = problem.responsible_unit, problem.district, problem.team
    return {
        "id": problem.pk,
        "code": problem.code,
        "description": problem.description,
        "address": problem.address or (problem.sample_point.name if problem.sample_point else ""),
        "category": problem.category.name_zh,
        "category_en": problem.category.name_en,
        "severity": problem.severity,
        "source": problem.source,
        "status": problem.status,
        "found_on": timezone.localdate(problem.found_at).isoformat(),
        "deadline": problem.deadline.isoformat() if problem.deadline else None,
        "closed_on": timezone.localdate(problem.closed_at).isoformat() if problem.closed_at else None,
        "days_overdue_at_end": days_late,
        "rebound_of": problem.rebound_of.code if problem.rebound_of_id else None,
        "district_id": district.pk,
        "district": district.name,
        "district_en": district.name_en,
        "unit_id": unit.pk if unit else None,
        "unit": unit.name if unit else "",
        "unit_en": unit.name_en if unit else "",
        "team_id": team.pk if team else None,
        "team": team.name if team else "",
        "team_en": team.name_en if team else "",
        "team_ids": [],  # the teams of its unit, for team leads' narrowing
        "photos": [],
    }


def worst_problems(*, period: Period, district=None, overdue_total: int | None = None) -> list[dict]:
    """The four lists: each with its total and its first REPORT_EXPOSURE_PROBLEMS problems.

    ``overdue_total``: the overdue count already known from reports/figures.py (same rule), which
    spares a scan of every problem due by the week's end; the other totals are counted over the
    week's findings only."""
    district_id = district_id_of(district)
    problems = Problem.objects.all() if district_id is None else Problem.objects.filter(district_id=district_id)
    conditions = _list_conditions(period)
    counted = {key: condition for key, condition in conditions.items()
               if not (key == "overdue" and overdue_total is not None)}
    totals = problems.filter(reduce(operator.or_, counted.values())).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in counted.items()}
    )
    if overdue_total is not None:
        totals["overdue"] = overdue_total
    limit = settings.REPORT_EXPOSURE_PROBLEMS
    related = ("category", "district", "responsible_unit", "team", "sample_point", "rebound_of")
    lists = []
    for key in PROBLEM_LISTS:
        # The first ``limit`` ids, sorted on the problem table alone; then those few rows with their names.
        ids = list(problems.filter(conditions[key]).order_by(*_LIST_ORDER[key]).values_list("pk", flat=True)[:limit])
        rows = Problem.objects.select_related(*related).in_bulk(ids)
        lists.append({"key": key, "total": totals[key], "items": [_problem_item(rows[pk], period) for pk in ids]})
    _attach_before_photos(lists)
    _attach_unit_teams(lists)
    return lists


def _attach_unit_teams(lists: list[dict]) -> None:
    items = [item for entry in lists for item in entry["items"]]
    teams = unit_team_ids({item["unit_id"] for item in items if item["unit_id"]})
    for item in items:
        item["team_ids"] = teams.get(item["unit_id"], [])


def _attach_before_photos(lists: list[dict]) -> None:
    """The listed problems' before-photos (first PHOTOS_PER_PROBLEM each), in one query; served
    by the ledger's photo view, which checks the viewer may see the problem."""
    items = [item for entry in lists for item in entry["items"]]
    photos: dict[int, list[dict]] = {}
    listed = {item["id"] for item in items}
    for pk, problem_id in (
        EvidencePhoto.objects.filter(problem_id__in=listed, kind=PhotoKind.BEFORE)
        .order_by("problem_id", "uploaded_at", "pk")
        .values_list("pk", "problem_id")
    ):
        mine = photos.setdefault(problem_id, [])
        if len(mine) < PHOTOS_PER_PROBLEM:
            mine.append({
                "id": pk,
                "url": reverse("ledger:photo", args=[pk]),
                "thumbnail_url": reverse("ledger:photo_thumbnail", args=[pk]),
            })
    for item in items:
        item["photos"] = photos.get(item["id"], [])


_LISTED_FIGURES = ("due", "closed_of_due", "closed_on_time", "overdue", "on_time_rate", "closure_rate")


def _list_row(row: dict, id_field: str) -> dict:
    """A breakdown row (reports/figures.py) as the red and black lists keep it."""
    return {
        "id": row[id_field],
        "name": row["name"],
        "name_en": row["name_en"],
        "district_id": row.get("district_id"),
        "unit_id": row.get("unit_id"),
        "team_ids": row.get("team_ids", []),
        **{name: row[name] for name in _LISTED_FIGURES},
    }


def red_and_black(rows: list[dict], *, size: int, min_due: int) -> tuple[list, list, list]:
    """Apply the published rule to standing rows: (red list, black list, rows below the minimum)."""
    eligible = [row for row in rows if row["due"] >= min_due]
    below = sorted((row for row in rows if row["due"] < min_due), key=lambda row: (row["name"], row["id"]))

    def on_time(row):
        return Fraction(row["closed_on_time"], row["due"])  # due >= min_due >= 1

    best_first = sorted(eligible, key=lambda row: (-on_time(row), row["overdue"], -row["due"], row["name"], row["id"]))
    red = best_first[:size]
    chosen = {row["id"] for row in red}
    blameworthy = [row for row in eligible if row["id"] not in chosen and (on_time(row) < 1 or row["overdue"] > 0)]
    # The published order read from its end: lower rate, then more overdue, then fewer due.
    black = sorted(blameworthy, key=lambda row: (on_time(row), -row["overdue"], row["due"], row["name"], row["id"]))
    black = black[:size]
    for position, row in enumerate(red, start=1):
        row["position"] = position
    for position, row in enumerate(black, start=1):
        row["position"] = position
    return red, black, below


def compute(*, period: Period, district: District | None = None,
            progress: Callable[[int], None] = lambda percent: None) -> dict:
    published = rule()
    figures = breakdowns(period=period, district=district)
    progress(40)
    lists = worst_problems(period=period, district=district, overdue_total=figures.city["overdue"])
    progress(80)
    units = [_list_row(row, "unit_id") for row in figures.units if row["unit_id"] is not None]
    districts = [_list_row(row, "district_id") for row in figures.districts]
    red_units, black_units, below_units = red_and_black(units, size=published["units"], min_due=published["min_due"])
    red_districts, black_districts, below_districts = red_and_black(
        districts, size=published["districts"], min_due=published["min_due"])
    return {
        "kind": "weekly_exposure",
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "scope": {"district_id": district.pk if district else None, "district": district.name if district else None},
        "rule": published,
        "problem_lists": lists,
        "red_list": {"units": red_units, "districts": red_districts},
        "black_list": {"units": black_units, "districts": black_districts},
        "below_minimum": {"units": len(below_units), "districts": len(below_districts)},
    }



def named_in(data: dict) -> tuple[set[int], set[int]]:
    """(unit ids, district ids) on the red and black lists: told when the exposure is published."""
    units, districts = set(), set()
    for listed in ("red_list", "black_list"):
        lists = data.get(listed) or {}
        units |= {row["id"] for row in lists.get("units", []) if row.get("id")}
        districts |= {row["id"] for row in lists.get("districts", []) if row.get("id")}
    return units, districts

# --- Workbook --------------------------------------------------------------------------------------


def list_title(key: str) -> str:
    return {
        "serious": _("Serious and urgent problems found"),
        "overdue": _("Overdue at the week's end"),
        "rebounds": _("Rebounds"),
        "unannounced": _("Found by unannounced visits"),
    }[key]


def write_workbook(*, workbook: Workbook, report) -> None:
    data = report.data
    headers = [
        _("No."), _("Code"), _("Problem"), _("Place"), _("Category"), _("Severity"), _("Found on"), _("Deadline"),
        _("Days overdue at week end"), _("District"), _("Responsible unit"), _("Before-photos"),
    ]
    for entry in data["problem_lists"]:
        ws = workbook.create_sheet(sheet_title(list_title(entry["key"])))
        rows = [
            [
                n, item["code"], item["description"], item["address"], item["category"],
                str(Severity(item["severity"]).label), item["found_on"], item["deadline"],
                item["days_overdue_at_end"], item["district"], item["unit"],
                " ".join(photo["url"] for photo in item["photos"]),
            ]
            for n, item in enumerate(entry["items"], start=1)
        ]
        title = _("%(title)s: %(shown)s of %(total)s") % {
            "title": list_title(entry["key"]), "shown": len(rows), "total": entry["total"]}
        write_table(ws, headers=headers, rows=rows, title=f"{data['period']['label']} {title}")
    for key, title in (("red_list", _("Red list")), ("black_list", _("Black list"))):
        ws = workbook.create_sheet(sheet_title(title))
        table_headers = [_("Rank"), _("Kind"), _("Name"), _("Due"), _("Closed on time"), _("On-time closure rate"),
                         _("Overdue at week end")]
        rows = [
            [row["position"], label, row["name"], row["due"], row["closed_on_time"],
             row["on_time_rate"]["value"], row["overdue"]]
            for group, label in (("units", _("Unit")), ("districts", _("District")))
            for row in data[key][group]
        ]
        header_row, last_row = write_table(ws, headers=table_headers, rows=rows, title=f"{data['period']['label']} {title}",
                                           number_formats={6: "0.0%"})
        add_chart(ws, title=_("On-time closure rate"), header_row=header_row, last_row=last_row, category_column=3,
                  value_columns=[6], anchor=f"I{header_row}")
    ws = workbook.create_sheet(sheet_title(_("Rule")))
    write_table(ws, headers=[_("Published rule")], rows=[[data["rule"]["text"]]], title=_("Red and black lists"))
    ws.column_dimensions["A"].width = 100
    ws["A4"].alignment = Alignment(wrap_text=True, vertical="top")
