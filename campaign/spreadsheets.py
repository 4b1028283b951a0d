"""The one safe writer for every workbook and CSV file the site produces, and its inverse for
the one reader (``campaign/importing/reading.py``).

Text that came from people (a description, an address, a unit's name) is written so that no
spreadsheet program ever runs it and openpyxl never refuses it:

- Control characters (C0 and C1 except tab, line feed and carriage return; DEL; U+FFFE,
  U+FFFF and lone surrogates) are removed: XML cannot hold them, openpyxl raises "cannot be
  used in worksheets" on the C0 ones, and no person typed them on purpose.
- Formula-like text (starting with ``= + - @``, their full-width forms, or a tab or line
  break) is never a formula. In .xlsx it is a string cell (never openpyxl's formula type)
  with Excel's "quote prefix" style: Excel and WPS show the original text, and editing the
  cell keeps it text, exactly as if a person had typed ``'`` before it. A CSV file has no
  types, so there the text gets a leading apostrophe (OWASP's advice): Excel shows
  ``'=SUM(A1)`` as text instead of computing it.
- Numbers, dates and times stay native cells: ``-5`` is a number, not a formula; only
  ``str`` values are escaped.

The reader undoes exactly what the writer added: one apostrophe before text that is (after
any further apostrophes) formula-like. Text that really begins with apostrophes before a
formula character gets one more, so every text survives export and import unchanged, and a
cell a person wrote as ``'=x`` in a CSV file comes back as ``=x``, as they meant it.
"""

import csv
import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, BinaryIO, TextIO

import rvgsrust_xlsxwriter as rust_xlsx
from django.utils.functional import Promise
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.worksheet.worksheet import Worksheet

# What a spreadsheet cell cannot hold: C0 but tab, LF, CR; DEL and C1; XML's non-characters;
# lone surrogates (no UTF-8 for them).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# A cell starting with one of these may be read as a formula by Excel, WPS or LibreOffice, or
# after a program trims the leading tab or line break. The full-width forms too: East Asian
# input may turn them into ASCII, and escaping them costs nothing.
FORMULA_STARTS = "=+-@\t\r\n＝＋－＠"
_ESCAPE = "'"
# The first characters that make a text need a look (formula-like, or an apostrophe).
_LOOK_AT = frozenset(FORMULA_STARTS + _ESCAPE)
# Values the streaming writer passes on as they are (naive date-times are checked).
_NATIVE = frozenset({int, float, bool, type(None), dt.date})
# What the writer escaped: any apostrophes, then a formula character.
_NEEDS_ESCAPE = re.compile("'*[" + re.escape(FORMULA_STARTS) + "]")
_ESCAPED = re.compile("'+[" + re.escape(FORMULA_STARTS) + "]")


def clean_text(text: str) -> str:
    """``text`` without the characters a spreadsheet cannot hold (tab and line breaks stay)."""
    # Every character removed is unprintable: most text is printable, and this test is cheap.
    return text if text.isprintable() else CONTROL_CHARACTERS.sub("", text)


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet program take ``text`` (as typed, or read from a CSV) for a formula?"""
    return text[:1] in FORMULA_STARTS if text else False


def _as_text(value: Any) -> Any:
    # Lazy translations are text too.
    return str(value) if isinstance(value, Promise) else value


# --- xlsx ------------------------------------------------------------------------------------


def put(cell: Cell, value: Any) -> Cell:
    """Set ``cell``'s value safely: text cleaned and never a formula, other values native."""
    value = _as_text(value)
    if not isinstance(value, str):
        cell.value = value
        return cell
    text = clean_text(value)
    if text[:1] == _ESCAPE and _NEEDS_ESCAPE.match(text):
        # Already begins with apostrophes before a formula character: one more, which the
        # reader takes off again (the quote-prefix style alone would not survive a CSV).
        text = _ESCAPE + text
    cell.value = text
    # openpyxl infers a formula from "=…" and an error from "#N/A": this is text.
    cell.data_type = "s"
    if is_formula_like(text) or text[:1] == _ESCAPE:
        # Editing the cell in Excel keeps it text, and keeps a leading apostrophe.
        cell.quotePrefix = True
    return cell


def safe_cell(ws: Worksheet, value: Any) -> Cell:
    """A detached cell holding ``value`` safely, for ``append_row`` (style it before appending;
    in a write-only sheet this is how a styled cell is written)."""
    return put(Cell(ws, row=1, column=1), value)


def _row_value(ws: Worksheet, value: Any) -> Any:
    if isinstance(value, Cell):
        # A cell built elsewhere is text, whatever openpyxl inferred from "=…".
        return put(value, value.value) if value.data_type in ("f", "e") else value
    value = _as_text(value)
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    # Plain text goes straight through (fast for a streaming export); the rest as a text cell.
    if is_formula_like(text) or text[:1] == _ESCAPE or text in ERROR_CODES:
        return safe_cell(ws, text)
    return text


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append one row of values to a normal or write-only sheet, every text safe."""
    ws.append([_row_value(ws, value) for value in values])


def write_cell(ws: Worksheet, *, row: int, column: int, value: Any) -> Cell:
    """``ws.cell(row=…, column=…, value=…)`` for a normal sheet, the value written safely."""
    return put(ws.cell(row=row, column=column), value)


def choice_lists(ws: Worksheet, lists: dict[str, Sequence[Any]], *, first_row: int, last_row: int,
                 columns: dict[str, int], sheet_title: str = "lists") -> Worksheet:
    """Dropdowns (Excel data validation lists) on ``ws``: for each name in ``lists``, the cells
    of its column (``columns[name]``, 1-based) from ``first_row`` to ``last_row`` offer that
    list's values. The values are written, safely, to one hidden sheet and referenced from
    there (an inline list is limited to 255 characters, too short for a city's units). A
    value typed outside the list is warned about, not refused: the importer checks it anyway,
    and an old ledger's spelling stays possible."""
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    holder = ws.parent.create_sheet(sheet_title)
    holder.sheet_state = "hidden"
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        write_cell(holder, row=1, column=index, value=name)
        for row, value in enumerate(values, start=2):
            write_cell(holder, row=row, column=index, value=value)
        if not values:
            continue
        source = f"{quote_sheetname(holder.title)}!${letter}$2:${letter}${len(values) + 1}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                                    errorStyle="warning")
        target = get_column_letter(columns[name])
        validation.add(f"{target}{first_row}:{target}{last_row}")
        ws.add_data_validation(validation)
    return holder


# --- xlsx, streaming (large exports) --------------------------------------------------------


class XlsxStream:
    """One sheet written row by row in constant memory, for the largest files (the ledger
    export): rust_xlsxwriter (through ``rvgsrust-xlsxwriter``) keeps only the current row and
    spills the rest to a temporary file, about six times faster than openpyxl's write-only
    mode (bench/README.md). The rules are ``put``'s: control characters removed, formula-like
    text (and text beginning with an apostrophe) a string cell with the quote-prefix style,
    an apostrophe added before apostrophes that precede a formula character, numbers and
    dates native. Dates get the ``yyyy-mm-dd`` format, date-times ``yyyy-mm-dd hh:mm:ss``.

    One difference: line breaks are written as Excel's own, a line feed (``\r\n`` and a lone
    ``\r`` become ``\n``). rust_xlsxwriter writes a carriage return as OOXML's ``_x000D_``,
    which Excel decodes but openpyxl (and so the importer) would read as those seven
    characters; text typed in a browser's text area ends its lines with ``\r\n``.

    ``append`` the rows, then ``save`` once; a stream that is not saved leaves nothing."""

    def __init__(self, title: str):
        self._workbook = rust_xlsx.Workbook()
        self._sheet = self._workbook.add_worksheet(clean_text(str(title))[:31], constant_memory=True)
        self._quoted = rust_xlsx.Format().set_quote_prefix()
        self._row = 0

    def set_width(self, column: int, width: float) -> None:
        """Column ``column`` (0 for A) ``width`` characters wide (Excel's unit)."""
        self._sheet.set_column_width(column, width)

    def freeze_rows(self, rows: int = 1) -> None:
        """Keep the first ``rows`` rows in view when scrolling (the header)."""
        self._sheet.freeze_panes(rows, 0)

    def header(self, titles: Sequence[Any], *, bold: bool = True, fill: str | None = None,
               vertical_center: bool = True) -> None:
        """Append a header row, styled: bold, on ``fill`` (``"DDEBF7"``), centred vertically."""
        style, quoted = rust_xlsx.Format(), rust_xlsx.Format().set_quote_prefix()
        for fmt in (style, quoted):
            if bold:
                fmt.set_bold()
            if fill:
                fmt.set_background_color("#" + fill.lstrip("#"))
            if vertical_center:
                fmt.set_vertical_align("vcenter")
        values, escaped = self._prepare(titles)
        for column, value in enumerate(values):
            if value is not None:
                self._sheet.write(self._row, column, value, quoted if column in escaped else style)
        self._row += 1

    def append(self, values: Iterable[Any]) -> None:
        """Append one row of values, every text safe."""
        row, escaped = self._prepare(values)
        self._sheet.write_row(self._row, 0, row)
        for column in escaped:  # rare: rewrite those cells, same row, with the quote prefix
            self._sheet.write(self._row, column, row[column], self._quoted)
        self._row += 1

    @staticmethod
    def _prepare(values: Iterable[Any]) -> tuple[list, list[int]]:
        row, escaped = [], []
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str or (kind not in _NATIVE and isinstance(value, str)):
                if not value.isprintable():
                    value = CONTROL_CHARACTERS.sub("", value)
                    if "\r" in value:
                        value = value.replace("\r\n", "\n").replace("\r", "\n")
                if value and value[0] in _LOOK_AT:
                    if value[0] == _ESCAPE and _NEEDS_ESCAPE.match(value):
                        value = _ESCAPE + value
                    escaped.append(column)
            elif kind in _NATIVE:
                pass
            elif isinstance(value, Promise):
                (value,), more = XlsxStream._prepare([str(value)])
                if more:
                    escaped.append(column)
            elif isinstance(value, Decimal):
                value = float(value)
            elif isinstance(value, dt.datetime) and value.tzinfo is not None:
                raise TypeError("Excel has no time zones: write local, naive date-times")
            row.append(value)
        return row, escaped

    def save(self, out: BinaryIO | str) -> None:
        """Write the workbook to ``out``, a path or a binary file (copied from a temporary
        file in blocks, so memory stays flat)."""
        if isinstance(out, str | os.PathLike):
            self._workbook.close(os.fspath(out))
            return
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        try:
            self._workbook.close(path)
            with open(path, "rb") as written:
                shutil.copyfileobj(written, out, 1024 * 1024)
        finally:
            os.unlink(path)


# --- CSV -------------------------------------------------------------------------------------


def csv_value(value: Any) -> Any:
    """A value for a CSV cell: text cleaned and, if formula-like, behind an apostrophe;
    numbers and dates as ``csv`` writes them; None empty."""
    if type(value) is not str:
        value = _as_text(value)
        if value is None:
            return ""
        if not isinstance(value, str):
            return value
    text = clean_text(value)
    return _ESCAPE + text if text[:1] in _LOOK_AT and _NEEDS_ESCAPE.match(text) else text


class CsvWriter:
    """``csv.writer`` whose every row goes through ``csv_value``."""

    def __init__(self, out: TextIO, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow([csv_value(value) for value in values])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)


def csv_writer(out: TextIO, *, bom: bool = True, **options) -> CsvWriter:
    """A safe CSV writer on ``out`` (opened with ``newline=""``); ``bom`` writes the UTF-8 byte
    order mark first, by which Excel knows the file is UTF-8 (Chinese Excel guesses GB18030)."""
    if bom:
        out.write("\ufeff")
    return CsvWriter(out, **options)


# --- Reading back ----------------------------------------------------------------------------


def unescape(value: Any) -> Any:
    """The text a cell meant, undoing exactly the writer's escape: one apostrophe taken off
    text that begins with apostrophes before a formula character. Other values unchanged."""
    if isinstance(value, str) and value[:1] == _ESCAPE and _ESCAPED.match(value):
        return value[1:]
    return value
