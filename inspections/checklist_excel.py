"""A checklist as an Excel sheet, both ways.

Columns: Code/编号, Item/检查内容, Item (English)/检查内容（英文）, Points/扣分, Severity/等级,
Veto/否决项. Written with the reader's language's headers; read with either language's (or
both, as in "编号/Code"). Reading checks every row and returns the items only when the whole
file is right: the errors name the Excel row and the column, and nothing is written.
"""

import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from campaign.importing.reading import (
    OLE_MAGIC,
    UnreadableFile,
    control_character_cells,
    read_sheets,
    upload_too_large,
)
from campaign.spreadsheets import append_row
from ledger.choices import Severity
from ledger.transfer.columns import is_chinese, match_key, severity_index

# field → (English header, Chinese header). Order = sheet order.
COLUMNS = {
    "code": ("Code", "编号"),
    "text_zh": ("Item", "检查内容"),
    "text_en": ("Item (English)", "检查内容（英文）"),
    "points": ("Points", "扣分"),
    "severity": ("Severity", "等级"),
    "veto": ("Veto", "否决项"),
}
REQUIRED = ("code", "text_zh", "points")
MAX_ROWS = 500
ZIP_MAGIC = b"PK\x03\x04"
WIDTHS = {"code": 10, "text_zh": 48, "text_en": 48, "points": 8, "severity": 10, "veto": 8}
YES = {"yes", "y", "true", "1", "是", "√", "✓", "✔", "x", "否决"}
NO = {"", "no", "n", "false", "0", "否", "-", "—"}


@dataclass
class CellError:
    row: int
    column: str
    message: str


class ChecklistFileError(Exception):
    """The file cannot be imported; ``errors`` lists what is wrong where."""

    def __init__(self, errors: list[CellError]):
        super().__init__("; ".join(f"{e.row}/{e.column}: {e.message}" for e in errors))
        self.errors = errors


def header(field: str, language: str | None = None) -> str:
    english, chinese = COLUMNS[field]
    return chinese if is_chinese(language or translation.get_language()) else english


def _field_for_header(value) -> str | None:
    """The field a header names, in either language or both ("编号/Code", "Code 编号")."""
    if value is None:
        return None
    text = str(value)
    parts = [text, *re.split(r"[/|\n]+", text)]
    keys = {match_key(part) for part in parts if match_key(part)}
    for field, spellings in COLUMNS.items():
        if keys & {match_key(s) for s in spellings}:
            return field
    # Both headers side by side without a separator: "编号 Code".
    for field, (english, chinese) in COLUMNS.items():
        if match_key(text) in {match_key(f"{chinese}{english}"), match_key(f"{english}{chinese}")}:
            return field
    return None


def write_checklist(version, *, language: str | None = None) -> bytes:
    """The version's items as an .xlsx workbook, headers and labels in ``language``."""
    language = language or translation.get_language()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "检查表" if is_chinese(language) else "Checklist"
    with translation.override(language):
        append_row(sheet, [header(field, language) for field in COLUMNS])
        yes = _("Yes")
        for item in version.items.order_by("order", "code"):
            append_row(sheet, [
                item.code, item.text_zh, item.text_en, float(item.points),
                str(Severity(item.severity).label), yes if item.veto else "",
            ])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, field in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = WIDTHS[field]
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:3]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _points(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite() or number < 0 or number > 100 or number != number.quantize(Decimal("0.1")):
        raise ValueError
    return number.quantize(Decimal("0.1"))


def read_checklist(upload) -> list[dict]:
    """The items of an uploaded checklist sheet (the first sheet), or ChecklistFileError with
    every problem found: a missing column, a missing code or item, points that are not a
    number from 0 to 100 with at most one decimal, an unknown severity or veto word, a code
    used twice, a control character in any cell.

    The file is read by the one guarded reader of every import (campaign/importing/reading.py):
    the same upload limit, unpacked-size guard against zip and XML bombs, and messages."""
    refusal = upload_too_large(getattr(upload, "size", 0) or 0)
    if refusal:
        raise ChecklistFileError([CellError(0, "", refusal)])
    data = upload.read()
    if data and data[:4] != ZIP_MAGIC and data[:8] != OLE_MAGIC:
        raise ChecklistFileError([CellError(0, "", _("This is not an Excel (.xlsx) file."))])
    try:
        sheets = read_sheets(data)
    except UnreadableFile as error:
        raise ChecklistFileError([CellError(0, "", str(error))]) from None
    refused = control_character_cells(sheets[:1])
    if refused:
        raise ChecklistFileError([CellError(cell.row, cell.column, cell.message) for cell in refused])
    numbered = sheets[0].rows if sheets else []
    if not numbered:
        raise ChecklistFileError([CellError(1, "", _("The sheet is empty."))])
    header_row, header_values = numbered[0]
    columns: dict[str, int] = {}
    for index, value in enumerate(header_values):
        field = _field_for_header(value)
        if field and field not in columns:
            columns[field] = index
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise ChecklistFileError([
            CellError(header_row, f"{COLUMNS[field][1]} {COLUMNS[field][0]}", _("This column is missing."))
            for field in missing
        ])
    if len(numbered) > MAX_ROWS + 1:
        raise ChecklistFileError([CellError(0, "", _("A checklist has at most %(max)s items.") % {"max": MAX_ROWS})])

    severities = severity_index()
    errors: list[CellError] = []
    items: list[dict] = []
    first_row: dict[str, int] = {}
    for row_number, row in numbered[1:]:
        def cell(field, row=row):
            index = columns.get(field)
            return row[index] if index is not None and index < len(row) else None

        if all(_text(value) == "" for value in row):
            continue

        def fail(field, message, row_number=row_number):
            errors.append(CellError(row_number, header(field), message))

        item = {"code": _text(cell("code")), "text_zh": _text(cell("text_zh")), "text_en": _text(cell("text_en"))}
        if not item["code"]:
            fail("code", _("The code is missing."))
        elif len(item["code"]) > 30:
            fail("code", _("The code is longer than 30 characters."))
        elif item["code"] in first_row:
            fail("code", _("The code %(code)s is used in row %(row)s already.")
                 % {"code": item["code"], "row": first_row[item["code"]]})
        else:
            first_row[item["code"]] = row_number
        if not item["text_zh"]:
            fail("text_zh", _("The item's text is missing."))
        for field in ("text_zh", "text_en"):
            if len(item[field]) > 500:
                fail(field, _("The text is longer than 500 characters."))
        raw_points = cell("points")
        try:
            item["points"] = _points(raw_points)
        except ValueError:
            fail("points", _("“%(value)s” is not a number of points from 0 to 100 (one decimal at most).")
                 % {"value": _text(raw_points)})
        severity = _text(cell("severity"))
        item["severity"] = severities.get(match_key(severity)) if severity else Severity.GENERAL
        if item["severity"] is None:
            fail("severity", _("Unknown severity “%(value)s”: use general, serious or urgent (一般、严重、紧急).")
                 % {"value": severity})
        veto = match_key(_text(cell("veto")))
        if veto in YES or veto == match_key(_("Yes")):
            item["veto"] = True
        elif veto in NO or veto == match_key(_("No")):
            item["veto"] = False
        else:
            fail("veto", _("Write “yes” or leave it empty (是/否)."))
        items.append(item)
    if not items and not errors:
        errors.append(CellError(2, "", _("The sheet has no items.")))
    if errors:
        raise ChecklistFileError(errors)
    return items
