"""A large ledger file is checked by the worker, as a large import is written: the upload
answers at once, the page shows the check's progress and then the preview; and a job whose
worker stopped shows the takeover on its page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from campaign import jobs
from campaign.choices import ImportStatus
from ledger import tasks
from ledger.models import LedgerExport, LedgerImport, Problem
from ledger.tests.excel_helpers import ZH, ledger_row, xlsx_bytes
from ledger.transfer import services as transfer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sent(monkeypatch):
    """The jobs handed to the worker (the broker is not needed to see that)."""
    handed = []
    monkeypatch.setattr(tasks.ledger_import_run, "delay", handed.append)
    monkeypatch.setattr(tasks.ledger_export_run, "delay", handed.append)
    return handed


@pytest.fixture
def checks_in_this_process(monkeypatch):
    """Counts the file checks made outside the worker's task."""
    real, calls = transfer.build_plan, []

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(transfer, "build_plan", counted)
    monkeypatch.setattr("ledger.views.transfer.build_plan", counted)
    return calls


def four_problems() -> bytes:
    return xlsx_bytes([ZH, *(ledger_row(description=f"问题{n}") for n in range(4))])


def test_a_large_preview_is_checked_by_the_worker_and_the_page_shows_progress_then_the_preview(
        city, login, settings, sent, checks_in_this_process, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 3
    client = login(city.hq)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ledger/problems/import/", {"file": SimpleUploadedFile("big.xlsx", four_problems())})

    upload = LedgerImport.objects.get()
    assert checks_in_this_process == [], "the web request checked the large file itself"
    assert (upload.status, upload.preview_only, sent) == (ImportStatus.QUEUED, True, [upload.pk])
    waiting = client.get(response["Location"]).content.decode()
    assert f'hx-get="/ledger/problems/import/{upload.pk}/progress/"' in waiting
    assert 'id="import-confirm"' not in waiting

    checks_in_this_process.clear()
    assert tasks.ledger_import_run(upload.pk) == ImportStatus.PREVIEWED  # the worker's check
    checked = client.get(f"/ledger/problems/import/{upload.pk}/progress/", HTTP_HX_REQUEST="true")
    assert checked.headers["HX-Refresh"] == "true"
    preview = client.get(response["Location"]).content.decode()
    assert 'id="import-confirm"' in preview and '<dd class="col-sm-7 col-lg-9" id="to-create">4</dd>' in preview
    assert checks_in_this_process == [1], "only the worker's own check ran"  # (the task runs here in the test)
    assert Problem.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/ledger/problems/import/{upload.pk}/")
    assert sent == [upload.pk, upload.pk]  # the write is the worker's too
    assert tasks.ledger_import_run(upload.pk) == ImportStatus.DONE
    assert Problem.objects.count() == 4


def test_a_large_preview_with_errors_ends_previewed_with_them_and_offers_no_import(city, login, settings, sent):
    settings.IMPORT_BACKGROUND_ROWS = 3
    data = xlsx_bytes([ZH, *(ledger_row(description=f"问题{n}") for n in range(3)), ledger_row(district="丙区")])
    upload, plan = transfer.ledger_import_preview(user=city.hq, file_name="big.xlsx", data=data)
    assert plan is None

    tasks.ledger_import_run(upload.pk)

    upload.refresh_from_db()
    assert upload.status == ImportStatus.PREVIEWED
    assert [(e["row"], e["column"]) for e in upload.errors] == [(5, "区县")]
    assert not upload.file  # refused: its file is deleted at once, as for a preview in the request
    page = login(city.hq).get(f"/ledger/problems/import/{upload.pk}/").content.decode()
    assert 'id="import-confirm"' not in page and "丙区" in page


def test_api_large_dry_run_is_queued_and_its_status_gives_the_preview(city, login, settings, sent,
                                                                     checks_in_this_process,
                                                                     django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 3
    client = login(city.hq)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/problems/import/",
                               {"file": SimpleUploadedFile("big.xlsx", four_problems()), "dry_run": "1"})

    assert response.status_code == 202 and response.json()["status"] == ImportStatus.QUEUED
    assert checks_in_this_process == []
    tasks.ledger_import_run(sent[0])
    status = client.get(response.json()["status_url"]).json()
    assert (status["status"], status["to_create"], status["errors"]) == ("previewed", 4, [])
    assert Problem.objects.count() == 0


def test_api_large_upload_is_checked_and_written_by_the_worker(city, login, settings, sent, checks_in_this_process,
                                                               django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 3

    with django_capture_on_commit_callbacks(execute=True):
        response = login(city.hq).post("/api/problems/import/", {"file": SimpleUploadedFile("big.xlsx", four_problems())})

    assert response.status_code == 202 and checks_in_this_process == []
    assert tasks.ledger_import_run(sent[0]) == ImportStatus.DONE
    assert Problem.objects.count() == 4


# --- A worker that stopped ---------------------------------------------------------------------


def _silent_since(model, pk, minutes=11):
    model.objects.filter(pk=pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_an_import_whose_worker_stopped_shows_the_takeover_then_reads_clearly_when_given_up(
        city, login, settings, sent):
    settings.JOB_LEASE_SECONDS, settings.JOB_MAX_ATTEMPTS = 600, 2
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="big.xlsx", data=four_problems())
    LedgerImport.objects.filter(pk=upload.pk).update(status=ImportStatus.QUEUED)
    jobs.job_claim(LedgerImport, upload.pk)  # a worker takes it…
    _silent_since(LedgerImport, upload.pk)  # …and stops
    client = login(city.hq)
    progress_url = f"/ledger/problems/import/{upload.pk}/progress/"
    assert "took the job over" not in client.get(progress_url, HTTP_HX_REQUEST="true").content.decode()

    assert tasks.ledger_jobs_sweep() == 1 and sent == [upload.pk]
    jobs.job_claim(LedgerImport, upload.pk)  # the job sent again: another worker takes it over

    taken_over_at = timezone.localtime(LedgerImport.objects.get(pk=upload.pk).taken_over_at)
    expected = ("Attempt 2 of 2: the worker stopped; another worker took the job over at "
                f"{taken_over_at:%Y-%m-%d %H:%M:%S} and started it again.")
    assert expected in " ".join(client.get(progress_url, HTTP_HX_REQUEST="true").content.decode().split())
    assert expected in " ".join(client.get(f"/ledger/problems/import/{upload.pk}/").content.decode().split())

    _silent_since(LedgerImport, upload.pk)  # that worker stops too: the sweep gives up
    assert tasks.ledger_jobs_sweep() == 0
    page = " ".join(client.get(f"/ledger/problems/import/{upload.pk}/").content.decode().split())
    assert "Given up after 2 attempts: the worker stopped each time before finishing. Nothing was written." in page
    assert f"the job was taken over at {taken_over_at:%Y-%m-%d %H:%M:%S}" in page


def test_an_export_whose_worker_stopped_shows_the_takeover(city, login, settings):
    settings.JOB_LEASE_SECONDS = 600
    export = LedgerExport.objects.create(requested_by=city.hq, status=ImportStatus.RUNNING, attempts=1,
                                         total_rows=9000, processed_rows=4000,
                                         claimed_at=timezone.now() - dt.timedelta(minutes=11))

    jobs.job_claim(LedgerExport, export.pk)

    page = " ".join(login(city.hq).get(f"/ledger/exports/{export.pk}/").content.decode().split())
    assert "Attempt 2 of 3: the worker stopped; another worker took the job over at" in page
