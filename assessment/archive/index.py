"""The archive index (档案目录) in the assessors' order -- part / article / material / latest
accepted file -- as rows for its A4 page and as a workbook written by the shared safe writer
(campaign/spreadsheets.py). The ZIP carries the same workbook at its root."""

from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import spreadsheets
from campaign.exporting import HEADER_FILL, display_width

from ..choices import MaterialStatus


def index_row(requirement, today) -> dict:
    article = requirement.article
    part = article.part
    state = getattr(requirement, "archive_state", None) if hasattr(requirement, "archive_state") else None
    status = state.status if state else MaterialStatus.MISSING
    accepted = state.accepted_file if state else None
    overdue = bool(requirement.due_date and requirement.due_date < today and status != MaterialStatus.ACCEPTED)
    return {
        "requirement": requirement,
        "part": f"{part.number}. {part.label}",
        "article": f"{article.number} {article.label}".strip(),
        "code": requirement.code,
        "material": requirement.label,
        "unit": str(requirement.responsible_unit or ""),
        "due_date": requirement.due_date,
        "status": status,
        "status_label": str(MaterialStatus(status).label),
        "overdue": overdue,
        "accepted": accepted,
        "accepted_name": f"v{accepted.version} {accepted.original_name}" if accepted else "",
    }


def index_headers() -> list[str]:
    return [_("Part"), _("Article"), _("Code"), _("Material"), _("Responsible unit"), _("Due date"), _("Status"),
            _("Overdue"), _("Accepted file")]


def write_index(requirements, out: BinaryIO) -> int:
    """The index workbook of ``requirements`` (already in the assessors' order) to ``out``."""
    today = timezone.localdate()
    headers = index_headers()
    sheet = spreadsheets.XlsxStream(_("Archive index"))
    widths = [24, 28, 12, 36, 20, 12, 18, 8, 36]
    for column, width in enumerate(widths):
        sheet.set_width(column, max(width, display_width(headers[column]) + 2))
    sheet.freeze_rows(1)
    sheet.header(headers, bold=True, fill=HEADER_FILL)
    written = 0
    for written, requirement in enumerate(requirements, start=1):  # noqa: B007 (the count is returned)
        row = index_row(requirement, today)
        sheet.append([row["part"], row["article"], row["code"], row["material"], row["unit"], row["due_date"],
                      row["status_label"], _("Yes") if row["overdue"] else "", row["accepted_name"]])
    sheet.save(out)
    return written
