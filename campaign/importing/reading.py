"""Turn an uploaded file's bytes into sheets of cell values, judging the file by its content.

An .xlsx is a zip holding a workbook; a CSV is text in UTF-8 (with or without BOM) or
GB18030 (what Chinese Excel writes). The file name is never trusted. Text comes back as our
exports wrote it: the safe writer's escape of formula-like text is undone
(``campaign.spreadsheets.unescape``).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from campaign.control_characters import first_control_character, refusal, visible
from campaign.spreadsheets import unescape

# A real sample-point workbook inflates to a few MB; refuse zip bombs before openpyxl reads.
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and other OLE files)


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read; the message says why, for the user."""


@dataclass
class Sheet:
    title: str
    # (spreadsheet row number as Excel shows it, cell values)
    rows: list[tuple[int, list]] = field(default_factory=list)


def upload_too_large(size: int) -> str | None:
    """Why an upload of ``size`` bytes is refused (over MAX_UPLOAD_MB), or None: the same
    limit and message for every import."""
    if size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        return _("The file is larger than %(size)s MB.") % {"size": settings.MAX_UPLOAD_MB}
    return None


def read_sheets(data: bytes) -> list[Sheet]:
    """Read every sheet of an .xlsx, or the one table of a CSV."""
    if not data or not data.strip():
        raise UnreadableFile(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == OLE_MAGIC:
        raise UnreadableFile(
            _("This is an old Excel 97-2003 (.xls) file: open it in Excel and save it as .xlsx.")
        )
    return [_read_csv(data)]


def _read_xlsx(data: bytes) -> list[Sheet]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise UnreadableFile(_("This zip file is not an Excel workbook (.xlsx)."))
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise UnreadableFile(_("The workbook is too large once unpacked."))
    except zipfile.BadZipFile:
        raise UnreadableFile(_("The file is damaged: it is not a readable Excel workbook.")) from None
    try:
        # data_only: a formula cell gives the value Excel last computed, not "=SUM(…)".
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken workbook
        raise UnreadableFile(_("The file is damaged: it is not a readable Excel workbook.")) from None
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            sheet = Sheet(title=worksheet.title)
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if any(_filled(v) for v in values):
                    sheet.rows.append((number, [unescape(v) for v in values]))
            sheets.append(sheet)
    except Exception:
        raise UnreadableFile(_("The file is damaged: it is not a readable Excel workbook.")) from None
    finally:
        workbook.close()
    return sheets


def _read_csv(data: bytes) -> Sheet:
    if b"\x00" in data[:4096]:
        raise UnreadableFile(_("This is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file."))
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise UnreadableFile(_("The CSV file's text encoding is not UTF-8 or GB18030."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    sheet = Sheet(title="CSV")
    # Only double quotes quote a field (as Excel and WPS write): the sniffer may take the
    # apostrophe our exports put before formula-like text for a quote character.
    rows = csv.reader(io.StringIO(text, newline=""), dialect, quotechar='"', doublequote=True)
    try:
        for number, values in enumerate(rows, start=1):
            if any(_filled(v) for v in values):
                sheet.rows.append((number, [unescape(v) for v in values]))
    except csv.Error:
        raise UnreadableFile(_("The CSV file is malformed.")) from None
    return sheet


@dataclass
class RefusedCell:
    row: int  # as Excel shows it
    column: str  # the column's letter, as Excel shows it
    value: str  # the cell's text with its control characters made visible (\\x07)
    message: str


def control_character_cells(sheets: list[Sheet]) -> list[RefusedCell]:
    """Every cell holding a control character (campaign/control_characters.py). Every
    importer refuses a file with any: the whole file, each cell named by row and column."""
    from openpyxl.utils import get_column_letter

    refused = []
    for sheet in sheets:
        for number, values in sheet.rows:
            for index, value in enumerate(values):
                character = first_control_character(value) if isinstance(value, str) else None
                if character:
                    column = get_column_letter(index + 1)
                    if len(sheets) > 1:
                        column = f"{sheet.title}!{column}"
                    refused.append(RefusedCell(number, column, visible(value), refusal(character)))
    return refused


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


_XLSX_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")


def count_rows(data: bytes) -> int:
    """About how many rows a file holds, without parsing it (to decide whether checking it is
    the worker's job): the row elements of an .xlsx's worksheets, within the same unpacked-size
    limit as ``read_sheets``, or the lines of a CSV. 0 when it cannot tell: reading the file
    then says what is wrong with it."""
    if data[:4] != b"PK\x03\x04":
        return data.count(b"\n") + 1 if data.strip() else 0
    rows = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if sum(info.file_size for info in parts) > MAX_UNZIPPED_BYTES:
                return 0
            for info in parts:
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(1 << 20):
                        window = tail + chunk
                        # A match lying wholly in the kept tail was counted with the chunk before.
                        rows += sum(1 for found in _XLSX_ROW.finditer(window) if found.end() > len(tail))
                        tail = window[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
        return 0
    return rows
