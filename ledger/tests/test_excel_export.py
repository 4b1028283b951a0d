"""Exporting the filtered ledger: the template's headers in the reader's language, values as
people read them, flat memory, and large exports in the worker for the requester only."""

import io
import tracemalloc
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from campaign.choices import ImportStatus
from ledger import tasks
from ledger.choices import Status
from ledger.models import LedgerExport, Problem, ProblemEvent
from ledger.tests.excel_helpers import EN, ZH, read_rows
from ledger.tests.factories import problem_in, record
from ledger.transfer import services as transfer
from ledger.transfer.export import write_ledger

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_export_headers_and_values_read_in_english(city, login):
    closed = problem_in(city, Status.CLOSED)
    client = login(city.hq)

    client.cookies["django_language"] = "en"
    response = client.get("/ledger/problems/export/")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    rows = read_rows(body(response))
    assert rows[0] == EN
    row = rows[1]
    assert row[0] == 1 and row[1] == closed.code
    assert row[3] == "District A" and row[4] == "Farmers' markets" and row[5] == "甲农贸市场"
    assert row[8] == "Unannounced visit" and row[9] == "General" and row[10] == "甲街道办"
    assert row[12] == "Closed" and row[13] == "已封闭并清洗"
    assert row[14].date() == timezone.localdate()


def test_export_headers_in_chinese_for_a_chinese_reader(city):
    record(city)
    buffer = io.BytesIO()
    with translation.override("zh-hans"):
        write_ledger(Problem.objects.all(), buffer, language="zh-hans")
    rows = read_rows(buffer.getvalue())
    assert rows[0] == ZH
    assert rows[1][3] == "甲区" and rows[1][4] == "农贸市场"


def test_export_follows_the_list_filters_and_the_readers_scope(city, login):
    in_a = problem_in(city, Status.ASSIGNED)
    found_a = record(city)
    in_b = record(city, point=city.points_b[0])

    codes = {r[1] for r in read_rows(body(login(city.hq).get("/ledger/problems/export/?status=assigned")))[1:]}
    assert codes == {in_a.code}
    codes = {r[1] for r in read_rows(body(login(city.other_district_lead).get("/ledger/problems/export/")))[1:]}
    assert codes == {in_b.code}
    codes = {r[1] for r in read_rows(body(login(city.unit_handler).get("/ledger/problems/export/")))[1:]}
    assert codes == {in_a.code, found_a.code}  # the street office's problems (the point names it)


def test_export_needs_a_signed_in_member_of_staff(city, login):
    record(city)
    assert login(None).get("/ledger/problems/export/").status_code == 302
    assert login(city.public).get("/ledger/problems/export/").status_code == 403


def _many_problems(city, count: int) -> None:
    """``count`` problems written in bulk (the services would take minutes); history is not needed here."""
    now = timezone.now()
    Problem.objects.bulk_create(
        [Problem(code=f"BULK-{n:06d}", description=f"第{n}号问题：垃圾乱堆放，捕蝇笼饵料干", category=city.market,
                 sample_point=city.points_a[0], district=city.district_a, address="甲路 1 号",
                 source="unannounced", found_at=now - timedelta(minutes=n), found_by=city.inspector,
                 responsible_unit=city.office_a, deadline=now.date(), status=Status.ASSIGNED)
         for n in range(count)],
        batch_size=2000,
    )


def test_streaming_export_of_20000_rows_keeps_memory_flat(city):
    _many_problems(city, 20_000)
    with open("/dev/null", "wb") as sink:
        tracemalloc.start()
        try:
            written = write_ledger(Problem.objects.order_by("-found_at", "-id"), sink, language="zh-hans")
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert written == 20_000
    # 20,000 model rows with their strings would take well over this; the stream stays small.
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_a_large_export_runs_in_the_worker_and_only_the_requester_or_hq_downloads_it(
        city, login, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.LEDGER_EXPORT_BACKGROUND_ROWS = 5
    _many_problems(city, 12)
    queued = []
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda export_id: queued.append(export_id))
    client = login(city.district_lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/ledger/problems/export/?status=assigned")
    export = LedgerExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledger/exports/{export.pk}/"
    assert queued == [export.pk]
    page = client.get(f"/ledger/exports/{export.pk}/")
    assert b"hx-get" in page.content  # the progress bar polls while queued

    assert tasks.ledger_export_run(export.pk) == ImportStatus.DONE
    assert tasks.ledger_export_run(export.pk) == ImportStatus.DONE  # delivered twice: runs once
    export.refresh_from_db()
    assert (export.total_rows, export.processed_rows, export.progress_percent) == (12, 12, 100)
    rows = read_rows(body(client.get(f"/ledger/exports/{export.pk}/download/")))
    assert len(rows) == 13

    assert login(city.hq).get(f"/ledger/exports/{export.pk}/download/").status_code == 200
    assert login(city.other_district_lead).get(f"/ledger/exports/{export.pk}/download/").status_code == 404
    assert login(city.other_district_lead).get(f"/ledger/exports/{export.pk}/").status_code == 404
    assert login(city.unit_handler).get(f"/ledger/exports/{export.pk}/progress/").status_code == 404
    assert login(None).get(f"/ledger/exports/{export.pk}/download/").status_code == 302


def test_the_worker_writes_only_what_the_requester_may_see(city):
    record(city)
    record(city, point=city.points_b[0])
    export = LedgerExport.objects.create(requested_by=city.other_district_lead, filters={}, language="en")

    done = transfer.ledger_export_run(export_id=export.pk)

    rows = read_rows(done.file.open("rb").read())
    assert [r[3] for r in rows[1:]] == ["District B"]


def test_export_writes_no_history(city, login):
    problem_in(city, Status.RECTIFYING)
    before = ProblemEvent.objects.count()
    login(city.hq).get("/ledger/problems/export/")
    assert ProblemEvent.objects.count() == before
