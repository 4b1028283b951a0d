"""The accountability records and supervision notices lists in Excel, with the list's filters,
streamed through the safe writer (``campaign.spreadsheets.XlsxStream``, as the ledger export):
rows come from the database in chunks, so memory stays flat."""

from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.spreadsheets import XlsxStream

from .choices import RecordStatus

CHUNK_SIZE = 2000
HEADER_FILL = "DDEBF7"


def _stream(title: str, headers: list, widths: list[int]) -> XlsxStream:
    sheet = XlsxStream(title)
    for column, width in enumerate(widths):
        sheet.set_width(column, width)
    sheet.header(headers, fill=HEADER_FILL)
    sheet.freeze_rows()
    return sheet


def records_write(records, out: BinaryIO) -> int:
    """``records`` (a scoped, filtered queryset) as one sheet; returns the number of rows."""
    sheet = _stream(_("Accountability records"), [
        _("No."), _("Decided on"), _("Kind"), _("Unit"), _("District"), _("Person"), _("Grounds"),
        _("Problems"), _("Decided by"), _("Status"), _("Reason revoked"),
    ], [6, 12, 14, 24, 12, 14, 50, 30, 14, 10, 30])
    statuses = dict(RecordStatus.choices)
    rows = (records.select_related("kind", "unit", "district", "decided_by")
            .prefetch_related("problems").order_by("-decided_on", "-id"))
    count = 0
    for count, record in enumerate(rows.iterator(chunk_size=CHUNK_SIZE), start=1):
        sheet.append([
            count, record.decided_on, record.kind.label, record.unit.label,
            record.district.label if record.district else "", record.person_name, record.reason,
            " ".join(p.code for p in record.problems.all()), str(record.decided_by),
            str(statuses[record.status]), record.revoke_reason,
        ])
    sheet.save(out)
    return count


def notices_write(notices, out: BinaryIO) -> int:
    """``notices`` as one sheet, one row per problem on a notice; returns the number of notices."""
    sheet = _stream(_("Supervision notices"), [
        _("Number"), _("Issued on"), _("Unit"), _("District"), _("No."), _("Problem"), _("Description"),
        _("Deadline"), _("Days overdue"),
    ], [24, 12, 24, 12, 6, 14, 50, 12, 10])
    rows = notices.select_related("unit", "district").prefetch_related("items__problem").order_by(
        "-issued_on", "-serial")
    count = 0
    for notice in rows.iterator(chunk_size=CHUNK_SIZE):
        count += 1
        for item in notice.items.all():
            sheet.append([
                notice.number, notice.issued_on, notice.unit.label, notice.district.label if notice.district else "",
                item.line, item.problem.code, item.problem.description, item.deadline, item.days_overdue,
            ])
    sheet.save(out)
    return count


def export_filename(name: str) -> str:
    return f"{name}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"
