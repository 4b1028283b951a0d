"""The special actions' progress (专项行动, programme/selectors/actions.py), a section of the
weekly assignment report: per action and per district, as of the week's end, the objects
listed, done (or verified), verified and overdue, and those done and verified in the week.

Counts only, like the progress tables; a district's report has its own district's objects.
"""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from campaign.spreadsheets import write_cell
from programme.selectors.actions import actions_progress_section

from ..excel import sheet_title, write_table
from ..figures import district_id_of
from ..periods import Period

KEY = "special_actions"
FIGURES = ("total", "done", "verified", "overdue", "done_in_week", "verified_in_week")


def section(*, period: Period, district=None) -> dict:
    """Two queries (programme.selectors.actions.actions_progress_section)."""
    return actions_progress_section(starts_at=period.starts_at, ends_at=period.ends_at, end=period.end,
                                    district_id=district_id_of(district))


def _headers(first: str) -> list[str]:
    return [first, _("Objects"), _("Done"), _("Verified"), _("Overdue"), _("Done this week"),
            _("Verified this week")]


def write_sheet(workbook: Workbook, *, data: dict, label: str) -> None:
    """One sheet "Special actions": a row per action, the total, then a row per district.
    Nothing for a report made before the section existed."""
    block = data.get(KEY)
    if not block or not block["actions"]:
        return
    title = _("Special actions")
    ws = workbook.create_sheet(sheet_title(title))
    _header, last = write_table(ws, title=f"{label} {title}", headers=_headers(_("Special action")), rows=[
        [row["name"], *(row[name] for name in FIGURES)] for row in block["actions"]
    ])
    write_cell(ws, row=last + 1, column=1, value=_("Total")).font = Font(bold=True)
    for column, name in enumerate(FIGURES, start=2):
        write_cell(ws, row=last + 1, column=column, value=block["total"][name])
    start = last + 3
    for offset, header in enumerate(_headers(_("District")), start=1):
        write_cell(ws, row=start, column=offset, value=header).font = Font(bold=True)
    for index, row in enumerate(block["districts"], start=1):
        write_cell(ws, row=start + index, column=1, value=row["name"])
        for column, name in enumerate(FIGURES, start=2):
            write_cell(ws, row=start + index, column=column, value=row[name])
