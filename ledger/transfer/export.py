"""Write problems as the ledger template (.xlsx) or as CSV, streaming: memory stays flat
however many rows.

The workbook streams through ``spreadsheets.XlsxStream`` (rust_xlsxwriter in constant-memory
mode, chosen on the measurements in bench/README.md); the rows come from the database in
chunks (``.values_list()`` over the joined names, ``iterator(chunk_size=…)``), so neither model instances nor the whole sheet are ever held in memory. Every cell goes through
the safe writer (campaign/spreadsheets.py): no control character breaks the file and no text
becomes a formula.

On PostgreSQL ``iterator()`` reads through a named (server-side) cursor. It is closed as soon
as the rows are written or the writing fails (``closing``): left to the garbage collector, it
would be closed in the middle of a later query on the same connection, and that ``close``
waits forever on the connection's lock.
"""

import queue
import threading
from collections.abc import Callable
from contextlib import closing, suppress
from typing import BinaryIO, TextIO

from django.db import connections
from django.db.models.functions import TruncDate
from django.utils import timezone, translation

from campaign import exporting as list_exports
from campaign import spreadsheets
from campaign.exporting import HEADER_FILL, display_width

from ..choices import Severity, Source, Status
from ..models import ProblemEvent
from . import columns

CHUNK_SIZE = 2000
PROGRESS_EVERY = 2000

# The columns read, as tuples (``values_list``): the found and closed dates computed by the
# database in the campaign's time zone (a date loads several times faster than a timestamp).
VALUES = (
    "code", "found_on", "district__name", "district__name_en", "category__name_zh", "category__name_en",
    "sample_point__name", "address", "description", "source", "severity", "responsible_unit__name",
    "responsible_unit__name_en", "deadline", "status", "rectification_note", "invalid_reason", "closed_on",
)
(CODE, FOUND_ON, DISTRICT, DISTRICT_EN, CATEGORY, CATEGORY_EN, POINT, ADDRESS, DESCRIPTION, SOURCE, SEVERITY, UNIT,
 UNIT_EN, DEADLINE, STATUS, RECTIFICATION, INVALID_REASON, CLOSED_ON) = range(len(VALUES))


def export_rows(queryset):
    """``queryset``'s problems as the tuples of ``VALUES`` (the export's one SELECT)."""
    return queryset.annotate(found_on=TruncDate("found_at"), closed_on=TruncDate("closed_at")).values_list(*VALUES)


# Widths in Excel's units (about one Latin character; a Chinese character takes two).
WIDTHS = {
    "no": 7, "code": 14, "found_on": 12, "district": 12, "category": 16, "sample_point": 24, "address": 30,
    "description": 50, "source": 14, "severity": 8, "responsible_unit": 24, "deadline": 12, "status": 12,
    "rectification": 40, "closed_on": 12,
}


def labels() -> dict[str, dict[str, str]]:
    """Status, source and severity labels in the active language, looked up once per export."""
    return {name: {value: str(label) for value, label in choices.choices}
            for name, choices in (("status", Status), ("source", Source), ("severity", Severity))}


def problem_cells(number: int, row: tuple, english: bool, names: dict[str, dict[str, str]]) -> list:
    """One problem (a tuple of ``VALUES``) as the template's cells, in the order of
    ``columns.FIELDS``."""
    status = row[STATUS]
    rectification = row[RECTIFICATION] or (row[INVALID_REASON] if status == Status.INVALID else "")
    if english:
        district, category = row[DISTRICT_EN] or row[DISTRICT], row[CATEGORY_EN] or row[CATEGORY]
        unit = (row[UNIT_EN] or row[UNIT]) if row[UNIT] else ""
    else:
        district, category, unit = row[DISTRICT], row[CATEGORY], row[UNIT] or ""
    return [
        number,
        row[CODE],
        row[FOUND_ON],
        district,
        category,
        row[POINT] or "",
        row[ADDRESS],
        row[DESCRIPTION],
        names["source"].get(row[SOURCE], row[SOURCE]),
        names["severity"].get(row[SEVERITY], row[SEVERITY]),
        unit,
        row[DEADLINE],
        names["status"].get(status, status),
        rectification,
        row[CLOSED_ON],
    ]


def _read_ahead(queryset):
    """``export_rows(queryset)``, tuple by tuple. On PostgreSQL a reader thread fetches the
    next chunk through the server-side cursor while this thread writes the last one (psycopg
    waits for the server without holding the GIL), so the database's work and the writing
    overlap; the SQL is the ORM's and no converter is needed (the dates come as dates). The
    thread is stopped and the cursor closed before this generator ends, however it ends."""
    rows = export_rows(queryset)
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        with closing(rows.iterator(chunk_size=CHUNK_SIZE)) as plain:
            yield from plain
        return
    sql, params = rows.query.sql_with_params()
    chunks: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        server_cursor = cursor.cursor

        def read() -> None:
            try:
                while not stop.is_set():
                    chunk = server_cursor.fetchmany(CHUNK_SIZE)
                    chunks.put(chunk)
                    if not chunk:
                        return
            except BaseException as exc:  # handed to the writing thread, raised there
                chunks.put(exc)

        reader = threading.Thread(target=read, name="ledger-export-reader", daemon=True)
        reader.start()
        try:
            while True:
                chunk = chunks.get()
                if isinstance(chunk, BaseException):
                    raise chunk
                if not chunk:
                    break
                yield from chunk
        finally:
            stop.set()
            while reader.is_alive():  # unblock a reader waiting to put its chunk
                with suppress(queue.Empty):
                    chunks.get(timeout=0.05)
            reader.join()


def _problem_rows(queryset, english: bool, progress: Callable[[int], None] | None):
    """The template's rows of ``queryset``, read in chunks through a cursor that is closed
    as soon as the rows are written or the writing fails (close this generator, as the
    writers do with ``closing``); yields (number, cells)."""
    names = labels()
    written = 0
    with closing(_read_ahead(queryset)) as rows:
        for written, row in enumerate(rows, start=1):
            yield written, problem_cells(written, row, english, names)
            if progress and written % PROGRESS_EVERY == 0:
                progress(written)
    if progress:
        progress(written)


def write_ledger(queryset, out: BinaryIO | str, *, language: str,
                 progress: Callable[[int], None] | None = None) -> int:
    """Write ``queryset`` (problems, already scoped and filtered) to ``out`` as the template
    with headers and values in ``language``; returns the number of rows written.

    The sheet streams through ``spreadsheets.XlsxStream`` (constant memory, the safe writer's
    rules): the header frozen, bold on light blue, the columns as wide as the template's."""
    english = not columns.is_chinese(language)
    written = 0
    with translation.override(language):
        sheet = spreadsheets.XlsxStream("问题台账" if not english else "Problem ledger")
        titles = columns.headers(language)
        for index, field in enumerate(columns.FIELDS):
            sheet.set_width(index, max(WIDTHS[field], display_width(titles[index]) + 2))
        sheet.freeze_rows(1)
        sheet.header(titles, bold=True, fill=HEADER_FILL)
        with closing(_problem_rows(queryset, english, progress)) as rows:
            for written, cells in rows:  # noqa: B007 (the count is returned)
                sheet.append(cells)
    sheet.save(out)
    return written


def write_ledger_csv(queryset, out: TextIO, *, language: str,
                     progress: Callable[[int], None] | None = None, bom: bool = True) -> int:
    """The same rows and headers as ``write_ledger``, as CSV (``out`` opened with
    ``newline=""``): UTF-8 with a byte order mark, so that Excel in Chinese opens it as
    UTF-8; formula-like text behind an apostrophe (``spreadsheets.csv_writer``), dates ISO.
    For the largest lists: about four times faster than the workbook and half the size."""
    english = not columns.is_chinese(language)
    written = 0
    with translation.override(language):
        writer = spreadsheets.csv_writer(out, bom=bom)
        writer.writerow(columns.headers(language))
        with closing(_problem_rows(queryset, english, progress)) as rows:
            for written, cells in rows:  # noqa: B007 (the count is returned)
                writer.writerow(cells)
    return written


FORMATS, CONTENT_TYPES = list_exports.FORMATS, list_exports.CONTENT_TYPES


def write_export(queryset, out: BinaryIO, *, language: str, file_format: str = "xlsx",
                 progress: Callable[[int], None] | None = None) -> int:
    """Write the ledger export in ``file_format`` (``FORMATS``) to the binary file ``out``."""
    if file_format == "csv":
        with list_exports.text_out(out) as text:
            return write_ledger_csv(queryset, text, language=language, progress=progress)
    if file_format != "xlsx":
        raise ValueError(f"unknown export format {file_format!r}")
    return write_ledger(queryset, out, language=language, progress=progress)


# --- History (opt-in) ------------------------------------------------------------------------

HISTORY_COLUMNS = (
    "code", "seq", "at", "action", "from_status", "to_status", "unit", "deadline", "sheet", "team",
    "rebound_of", "note",
)


def write_history(queryset, out: TextIO, *, progress: Callable[[int], None] | None = None,
                  bom: bool = True) -> int:
    """Write the history of ``queryset``'s problems (already scoped and filtered) as CSV, one row
    per event in chain order: when (ISO 8601 with the campaign's offset), the action and the
    move, the unit and deadline an assignment gave, the assignment sheet an event listed the
    problem on, and on each problem's first row its special team and the problem it rebounds.
    The ledger template leaves these out; with them the ledger can be re-counted period by
    period. UTF-8, with a byte order mark unless ``bom`` is false (Excel needs it to read
    UTF-8). Returns the number of events written."""
    writer = spreadsheets.csv_writer(out, bom=bom)
    writer.writerow(HISTORY_COLUMNS)
    events = (
        ProblemEvent.objects.filter(problem__in=queryset.order_by().values("pk"))
        .order_by("problem_id", "seq")
        .values_list("problem__code", "seq", "at", "action", "from_status", "to_status", "data", "note",
                     "problem__team__name", "problem__rebound_of__code")
    )
    written = 0
    with closing(events.iterator(chunk_size=CHUNK_SIZE)) as rows:
        for written, (code, seq, at, action, from_status, to_status, data, note, team, rebound_of) in enumerate(
                rows, start=1):
            first = seq == 1
            writer.writerow([
                code, seq, timezone.localtime(at).isoformat(), action, from_status, to_status,
                data.get("unit_name", ""), data.get("deadline", ""), data.get("sheet", ""),
                (team or "") if first else "", (rebound_of or "") if first else "", note,
            ])
            if progress and written % PROGRESS_EVERY == 0:
                progress(written)
    return written
