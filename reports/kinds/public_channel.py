"""The public channel's figures (脏乱差有奖举报) per district, a section the weekly assignment and
the monthly comparison show beside their own figures: reports received, accepted, merged and
rejected, the median hours from reporting to acceptance, and the reporters' satisfaction
(public_reports.selectors.ChannelFigures gives the rules).

They are never part of a ranking's formula: the monthly comparison ranks by the ledger and the
inspections alone (reports/kinds/monthly_comparison.py), and this section only sits beside it.
Like the progress tables, the section is city-wide figures for every reader of a city-wide
report (counts only, nothing about a report or its reporter); a district's report has its own
district's.
"""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from campaign.models import District
from campaign.spreadsheets import write_cell
from public_reports.selectors import ChannelFigures, public_channel_by_district

from ..excel import sheet_title, write_table
from ..figures import district_id_of, rate
from ..periods import Period

KEY = "public_channel"


def _figures(figures: ChannelFigures) -> dict:
    row = figures.as_dict()
    row["satisfaction"] = rate(figures.satisfied, figures.rated)
    return row


def section(*, period: Period, district=None, districts: dict[int, tuple] | None = None) -> dict:
    """Every district of the scope (those with nothing too, so a quiet district shows as such),
    a row for reports placed in no district when there are any, and the scope's total. Three
    queries; two when ``districts`` gives the districts' names, ``{id: (code, name, name_en)}``
    in the order of their codes (reports.figures.directory)."""
    figures = public_channel_by_district(start=period.starts_at, end=period.ends_at, district=district)
    district_id = district_id_of(district)
    if districts is None:
        places = District.objects.order_by("code")
        if district_id is not None:
            places = places.filter(pk=district_id)
        districts = {pk: (code, name, name_en) for pk, code, name, name_en
                     in places.values_list("id", "code", "name", "name_en")}
    elif district_id is not None:
        districts = {pk: names for pk, names in districts.items() if pk == district_id}
    rows = [
        {"district_id": pk, "code": code, "name": name, "name_en": name_en,
         **_figures(figures.districts.get(pk, ChannelFigures()))}
        for pk, (code, name, name_en) in districts.items()
    ]
    if None in figures.districts:
        rows.append({"district_id": None, "code": "", "name": "", "name_en": "", **_figures(figures.districts[None])})
    return {"rows": rows, "city": _figures(figures.city)}


# --- Workbook ------------------------------------------------------------------------------------


def _cells(row: dict) -> list:
    return [row["received"], row["accepted"], row["merged"], row["rejected"], row["median_hours"], row["rated"],
            row["satisfied"], row["satisfaction"]["value"]]


def write_sheet(workbook: Workbook, *, data: dict, label: str) -> None:
    """One sheet "Public reports": a row per district and the total, through the safe writer.
    Nothing for a report made before the section existed."""
    public = data.get(KEY)
    if not public:
        return
    title = pgettext("public channel", "Public reports")
    ws = workbook.create_sheet(sheet_title(title))
    headers = [
        _("District"), pgettext("public channel", "Received"), pgettext("public channel", "Accepted"),
        pgettext("public channel", "Merged"), pgettext("public channel", "Rejected"), _("Median hours to acceptance"),
        pgettext("public channel", "Rated"), pgettext("public channel", "Satisfied"),
        pgettext("public channel", "Satisfaction"),
    ]
    formats = {6: "0.0", 9: "0.0%"}
    _header, last = write_table(ws, title=f"{label} {title}", headers=headers, number_formats=formats, rows=[
        [row["name"] or _("(no district)"), *_cells(row)] for row in public["rows"]
    ])
    write_cell(ws, row=last + 1, column=1, value=_("Total")).font = Font(bold=True)
    for column, value in enumerate(_cells(public["city"]), start=2):
        cell = write_cell(ws, row=last + 1, column=column, value=value)
        if column in formats:
            cell.number_format = formats[column]
    write_cell(ws, row=last + 3, column=1, value=rules_text())


def rules_text() -> str:
    """The rules under the table (the page says the same, reports/kinds/_public_channel.html)."""
    return " ".join((
        _("Received: reports sent in the period (imported history excluded). Accepted, merged, rejected: "
          "decisions taken in the period. Median hours: from reporting to acceptance, over the reports accepted "
          "in the period. Satisfaction: satisfied of the ratings given in the period."),
        _("Shown beside the figures, not part of any ranking's formula."),
    ))
