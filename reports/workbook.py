"""A report's Excel workbook: a cover sheet (what, which period, which scope, which version,
when it was produced) and then the kind's own sheets, one per section."""

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from campaign.spreadsheets import write_cell

from .excel import TITLE_FONT, display_width, sheet_title
from .kinds import kind_module
from .models import Report


def write_cover(ws, report: Report) -> None:
    ws.title = sheet_title(_("Cover"))
    generated = timezone.localtime(report.finished_at or timezone.now())
    title = f"{report.get_kind_display()} {report.period.label}"
    write_cell(ws, row=1, column=1, value=title).font = TITLE_FONT
    rows = [
        (_("Report"), str(report.get_kind_display())),
        (_("Period"), f"{report.period_start:%Y-%m-%d} – {report.period_end:%Y-%m-%d} ({report.period.label})"),
        (_("Scope"), str(report.district) if report.district_id else _("Whole city")),
        (_("Version"), report.version),
        (_("Generated at"), generated.strftime("%Y-%m-%d %H:%M")),
        (_("Produced on schedule") if report.scheduled else _("Requested by"),
         _("Yes") if report.scheduled else str(report.requested_by or "—")),
    ]
    for offset, (label, value) in enumerate(rows, start=3):
        write_cell(ws, row=offset, column=1, value=label).font = Font(bold=True)
        write_cell(ws, row=offset, column=2, value=value).alignment = Alignment(horizontal="left")
    ws.column_dimensions["A"].width = max(display_width(label) for label, _v in rows) + 4
    ws.column_dimensions["B"].width = max(display_width(title), *(display_width(v) for _l, v in rows)) + 4
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def build_workbook(report: Report, *, language: str | None = None) -> bytes:
    """The report's .xlsx file as bytes, in ``language`` (default: the site's language)."""
    from django.conf import settings

    with translation.override(language or settings.LANGUAGE_CODE):
        workbook = Workbook()
        write_cover(workbook.active, report)
        kind_module(report.kind).write_workbook(workbook=workbook, report=report)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
