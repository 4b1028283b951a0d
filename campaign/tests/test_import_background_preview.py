"""A large sample-point file is checked by the worker, as a large import is written: the upload
answers at once, the page shows the check's progress and then the preview; a job whose worker
stopped shows the takeover on its page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from campaign import jobs, tasks
from campaign.choices import ImportStatus
from campaign.models import SamplePoint, SamplePointImport
from campaign.services import imports as import_service
from campaign.tests.files.builders import ZH, point_row, upload, xlsx_bytes


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sent(monkeypatch):
    handed = []
    monkeypatch.setattr(tasks.sample_point_import_run, "delay", handed.append)
    return handed


def three_points() -> bytes:
    return xlsx_bytes([ZH, *(point_row(ZH, name=f"后台点{n}", category="MKT", district="A") for n in range(3))])


@pytest.mark.django_db
def test_a_large_preview_is_checked_by_the_worker_and_the_page_shows_progress_then_the_preview(
        city, login, settings, sent, monkeypatch, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 2
    checks = []
    real = import_service.build_plan
    monkeypatch.setattr(import_service, "build_plan", lambda *a, **k: checks.append(1) or real(*a, **k))
    monkeypatch.setattr("campaign.views.imports.build_plan", lambda *a, **k: checks.append(1) or real(*a, **k))
    client = login(city.hq)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaign:sample_point_import"), {"file": upload("points.xlsx", three_points())})

    record = SamplePointImport.objects.get()
    assert checks == [], "the web request checked the large file itself"
    assert (record.status, sent) == (ImportStatus.QUEUED, [record.pk])
    progress_url = reverse("campaign:sample_point_import_progress", args=[record.pk])
    waiting = client.get(response["Location"]).content.decode()
    assert f'hx-get="{progress_url}"' in waiting and "Import 3 points" not in waiting

    assert tasks.sample_point_import_run(record.pk) == ImportStatus.PREVIEWED  # the worker's check
    assert client.get(progress_url, HTTP_HX_REQUEST="true").headers["HX-Refresh"] == "true"
    preview = " ".join(client.get(response["Location"]).content.decode().split())
    assert "Import 3 points" in preview
    assert checks == [1], "only the worker's own check ran"  # (the task runs here in the test)
    assert not SamplePoint.objects.filter(name__startswith="后台点").exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"])
    assert sent == [record.pk, record.pk]
    assert tasks.sample_point_import_run(record.pk) == ImportStatus.DONE
    assert SamplePoint.objects.filter(name__startswith="后台点").count() == 3


@pytest.mark.django_db
def test_api_large_dry_run_is_queued_and_its_status_gives_the_preview(city, login, settings, sent,
                                                                     django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 2
    client = login(city.hq)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/sample-points/import/",
                               {"file": upload("points.xlsx", three_points()), "dry_run": "true"})

    assert response.status_code == 202
    tasks.sample_point_import_run(sent[0])
    status = client.get(response.json()["progress_url"]).json()
    assert (status["status"], status["summary"]["to_create"], status["errors"]) == ("previewed", 3, [])
    assert not SamplePoint.objects.filter(name__startswith="后台点").exists()


@pytest.mark.django_db
def test_an_import_whose_worker_stopped_shows_the_takeover(city, login, settings):
    settings.JOB_LEASE_SECONDS = 600
    record, _plan = import_service.sample_point_import_preview(user=city.hq, file_name="points.xlsx",
                                                               data=three_points())
    SamplePointImport.objects.filter(pk=record.pk).update(
        status=ImportStatus.RUNNING, attempts=1, claimed_at=timezone.now() - dt.timedelta(minutes=11))

    jobs.job_claim(SamplePointImport, record.pk)  # the sweep sent it again; another worker took it

    page = " ".join(login(city.hq).get(reverse("campaign:sample_point_import_detail", args=[record.pk]))
                    .content.decode().split())
    assert "Attempt 2 of 3: the worker stopped; another worker took the job over at" in page


def test_rows_are_counted_without_parsing_the_file():
    from campaign.importing.reading import count_rows

    assert count_rows(three_points()) == 4  # the header and three points
    assert count_rows("名称,类别\n甲,MKT\n乙,MKT\n".encode()) == 4  # lines (a last empty one included)
    assert count_rows(b"PK\x03\x04 not really a zip") == 0  # unknown: checked at once, which says why
    assert count_rows(b"") == 0
