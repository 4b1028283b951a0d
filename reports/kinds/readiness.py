"""The weekly readiness report (迎检准备周报), for the ISO week P just ended, produced every Monday
with the other reports: as of P's last day, per part of the standard the materials accepted,
the indicators met and (part 8) the vector-control levels; the public satisfaction of the last
90 days; per category of place the readiness for the assessors' draw with its interval, its
12-week trend and the places that drag it down, and the problems of the category open at P's
end (assessment/selectors/readiness_page.py; the model: README "Readiness").

Every figure is read as of P's end, so the report computed again later shows the same (the
readiness simulation is seeded). A district's report holds its district's places, surveys and
problems; the parts' materials and indicators are the city's (they are kept for the city).
"""

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from assessment.selectors.readiness_page import readiness_figures

from ..excel import add_chart, sheet_title, write_table
from ..models import Report
from ..periods import Period
from ..selectors import row_in_scope

KIND = "readiness"
LABEL = gettext_lazy("Readiness for the assessment")
PERIOD = "week"
ORDER = 40
TEMPLATE = "reports/kinds/readiness.html"
DASHBOARD_TEMPLATE = "reports/kinds/readiness_card.html"  # the leaders' dashboard links to it
LOWEST = 3


def compute(*, period: Period, district=None, progress: Callable[[int], None] = lambda percent: None) -> dict:
    progress(10)
    data = readiness_figures(as_of=period.end, district_id=district.pk if district is not None else None,
                             open_at=period.ends_at)
    progress(95)
    data["period"] = {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}
    rated = [row for row in data["categories"] if row["readiness"] is not None]
    data["lowest"] = [{key: row[key] for key in ("category_id", "category", "readiness", "low", "high")}
                      for row in sorted(rated, key=lambda row: row["readiness"])[:LOWEST]]
    return data


def narrow(data: dict, scope: dict) -> dict:
    """A district, team or unit lead reads the city's figures, with the drag places and the
    vector surveys cut to their scope."""
    narrowed = dict(data)
    narrowed["categories"] = [
        {**row, "drag": [place for place in row.get("drag", []) if row_in_scope(place, scope)]}
        for row in data.get("categories", [])
    ]
    if scope.get("district_id"):
        narrowed["vectors"] = [row for row in data.get("vectors", []) if row.get("district_id") == scope["district_id"]]
    return narrowed


def _percent(value):
    return None if value is None else round(value * 100, 1)


def write_workbook(*, workbook: Workbook, report: Report) -> None:
    data = report.data
    label = data["period"]["label"]

    ws = workbook.create_sheet(sheet_title(_("Readiness by category")))
    rows = [[row["category"], _percent(row["readiness"]), _percent(row["low"]), _percent(row["high"]),
             row["draw_size"], row["places"], row["inspected_places"], row["open_problems"]]
            for row in data["categories"]]
    header_row, last = write_table(ws, title=_("Readiness per category of place, as of %(day)s (%(week)s)")
                                   % {"day": data["as_of"], "week": label}, headers=[
        _("Category"), _("Readiness %"), _("Low %"), _("High %"), _("Places drawn"), _("Places"),
        _("Inspected places"), _("Open problems")], rows=rows)
    add_chart(ws, title=_("Readiness per category (%)"), header_row=header_row, last_row=last, category_column=1,
              value_columns=[2, 3, 4], anchor="J3", y_title="%")

    ws = workbook.create_sheet(sheet_title(_("Readiness trend")))
    categories = data["categories"]
    weeks = data.get("weeks", [])
    trend_rows = []
    for index, week in enumerate(weeks):
        trend_rows.append([week, *[_percent(row["trend"][index]["readiness"]) if index < len(row["trend"]) else None
                                   for row in categories]])
    header_row, last = write_table(ws, title=_("Readiness per category over 12 weeks (%)"),
                                   headers=[_("Week ending"), *[row["category"] for row in categories]],
                                   rows=trend_rows)
    add_chart(ws, title=_("Readiness over 12 weeks (%)"), header_row=header_row, last_row=last, category_column=1,
              value_columns=list(range(2, len(categories) + 2)), anchor="B18", kind="line", y_title="%")

    ws = workbook.create_sheet(sheet_title(_("Places dragging")))
    write_table(ws, title=_("The places that pull each category down"), headers=[
        _("Category"), _("Code"), _("Place"), _("Pass probability"), _("Inspections counted")], rows=[
        [row["category"], place["code"], place["name"], place["pass_probability"], place["inspections"]]
        for row in categories for place in row["drag"]])

    ws = workbook.create_sheet(sheet_title(_("Parts of the standard")))
    part_rows = []
    for part in data["parts"]:
        materials, indicators = part.get("materials") or {}, part.get("indicators") or {}
        part_rows.append([f"{part['number']}. {part['title']}", materials.get("required"), materials.get("accepted"),
                          materials.get("percent"), materials.get("overdue"), indicators.get("total"),
                          indicators.get("met"), indicators.get("unmet")])
    header_row, last = write_table(ws, title=_("The standard, part by part, as of %(day)s") % {"day": data["as_of"]},
                                   headers=[_("Part"), _("Materials required"), _("Accepted"), _("Accepted %"),
                                            _("Overdue"), _("Indicators"), _("Met"), _("Not met")], rows=part_rows)
    add_chart(ws, title=_("Materials accepted per part (%)"), header_row=header_row, last_row=last,
              category_column=1, value_columns=[4], anchor="J3", y_title="%")

    ws = workbook.create_sheet(sheet_title(_("Vector control")))
    write_table(ws, title=_("Latest vector-control level per district and species"), headers=[
        _("District"), _("Species"), _("Level"), _("Passed"), _("Date")], rows=[
        [row["district"], row["species_label"], row["level"], _("yes") if row["passed"] else _("no"), row["date"]]
        for row in data["vectors"]])
    satisfaction = data["satisfaction"]
    write_table(workbook.create_sheet(sheet_title(_("Public satisfaction"))),
                title=_("Public satisfaction %(since)s – %(until)s") % satisfaction,
                headers=[_("Answers"), _("Satisfaction %"), _("Target %"), _("Met")],
                rows=[[satisfaction["responses"], satisfaction["rate"], satisfaction["target"],
                       None if satisfaction["met"] is None else (_("yes") if satisfaction["met"] else _("no"))]])
