"""The downloadable import template: an .xlsx with both-language headers and an example row."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..spreadsheets import append_row
from .layouts import TEMPLATE_COLUMNS

EXAMPLE = {
    "code": "",
    "name": "南桥集贸市场",
    "category": "农贸市场",
    "district": "奉贤区",
    "grid": "",
    "road": "",
    "address": "南桥镇解放中路 1 号",
    "latitude": 30.918612,
    "longitude": 121.473827,
    "responsible_unit": "南桥镇人民政府",
    "team": "",
}


def _display_width(text: str) -> int:
    # A Chinese character takes about two Latin characters' width in Excel.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def build_template(*, notes: list[str]) -> bytes:
    """The template as .xlsx bytes; ``notes`` (already translated) go on a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "样本点 Sample points"
    headers = [f"{chinese} {english}" for english, chinese, _others in TEMPLATE_COLUMNS.values()]
    append_row(sheet, headers)
    append_row(sheet, [EXAMPLE[name] for name in TEMPLATE_COLUMNS])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center")
        example = sheet.cell(row=2, column=column).value or ""
        width = max(_display_width(header), _display_width(example), 8) + 4
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    # Coordinates in range, as the importer checks them (Excel warns while typing).
    for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        letter = get_column_letter(list(TEMPLATE_COLUMNS).index(name) + 1)
        rule = DataValidation(type="decimal", operator="between", formula1=str(low), formula2=str(high),
                              allow_blank=True)
        rule.add(f"{letter}2:{letter}10000")
        sheet.add_data_validation(rule)
    help_sheet = workbook.create_sheet("说明 Notes")
    for line in notes:
        append_row(help_sheet, [line])
    help_sheet.column_dimensions["A"].width = max([_display_width(line) for line in notes] + [20]) + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
