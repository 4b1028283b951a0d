"""Workbook building blocks shared by the report kinds: a table with a styled, frozen header
and widths that fit Chinese text, and native Excel charts over a table's columns. Every value
goes through the safe writer (``campaign.spreadsheets``): text is never a formula."""

from collections.abc import Iterable, Sequence

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from campaign.spreadsheets import write_cell

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="BFBFBF")
MAX_WIDTH = 60


def display_width(value) -> int:
    """Excel column width a value needs: a CJK character takes about two Latin ones."""
    if value is None:
        return 0
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(value))


def sheet_title(text: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text[:31]


def write_table(
    ws: Worksheet,
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    title: str = "",
    number_formats: dict[int, str] | None = None,
) -> tuple[int, int]:
    """Write an optional title line, a header row and the rows; freeze everything above the
    first data row; fit the column widths. Returns (header_row, last_row), 1-based, so a
    chart can point at the table."""
    row = 1
    if title:
        write_cell(ws, row=1, column=1, value=title).font = TITLE_FONT
        row = 3
    header_row = row
    widths = [display_width(h) for h in headers]
    for column, header in enumerate(headers, start=1):
        cell = write_cell(ws, row=header_row, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = Border(bottom=THIN)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    last = header_row
    for values in rows:
        last += 1
        for column, value in enumerate(values, start=1):
            cell = write_cell(ws, row=last, column=column, value=value)
            if number_formats and column in number_formats:
                cell.number_format = number_formats[column]
            if column <= len(widths):
                widths[column - 1] = max(widths[column - 1], display_width(value))
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = min(max(width, 6) + 3, MAX_WIDTH)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return header_row, last


def add_chart(
    ws: Worksheet,
    *,
    title: str,
    header_row: int,
    last_row: int,
    category_column: int,
    value_columns: Sequence[int],
    anchor: str,
    kind: str = "bar",
    y_title: str = "",
) -> None:
    """A native Excel chart of ``value_columns`` against the labels in ``category_column``,
    reading the series names from the header row. Nothing is drawn for an empty table."""
    if last_row <= header_row:
        return
    chart = LineChart() if kind == "line" else BarChart()
    if kind != "line":
        chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 8, 18
    for column in value_columns:
        data = Reference(ws, min_col=column, min_row=header_row, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=category_column, min_row=header_row + 1, max_row=last_row))
    ws.add_chart(chart, anchor)
