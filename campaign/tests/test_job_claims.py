"""A background import whose worker died is taken over after the lease, written once, and
failed after JOB_MAX_ATTEMPTS; a worker given up on writes nothing (campaign/jobs.py)."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from campaign import jobs, tasks
from campaign.choices import ImportStatus
from campaign.models import District, SamplePoint, SamplePointImport
from campaign.services import imports as import_service
from campaign.tests.files.builders import FENGXIAN, fengxian_listing


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    settings.JOB_LEASE_SECONDS = 600
    settings.JOB_MAX_ATTEMPTS = 3
    with translation.override("en"):
        yield


@pytest.fixture
def queued(city, settings, monkeypatch):
    District.objects.create(code="FX", name="奉贤区", name_en="Fengxian")
    settings.IMPORT_BACKGROUND_ROWS = 100
    record, _plan = import_service.sample_point_import_preview(
        user=city.hq, file_name="sample_points_list.xlsx", data=FENGXIAN.read_bytes(),
        defaults={"district": "奉贤区", "create_categories": True},
    )
    monkeypatch.setattr(tasks.sample_point_import_run, "delay", lambda import_id: None)
    return import_service.sample_point_import_confirm(user=city.hq, record=record)


def distinct_fengxian_points() -> int:
    return sum(len(names) for _row, _listed, names in fengxian_listing().values())


def fengxian_points() -> int:
    return SamplePoint.objects.filter(district__code="FX").count()


def worker_died(record: SamplePointImport, *, minutes_ago: int) -> None:
    """What a worker killed after its claim leaves behind: running, claimed, nothing written."""
    jobs.job_claim(SamplePointImport, record.pk)
    SamplePointImport.objects.filter(pk=record.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=minutes_ago))


@pytest.mark.realdata
def test_a_running_import_with_a_live_claim_is_left_to_its_worker(queued):
    worker_died(queued, minutes_ago=1)

    assert tasks.sample_point_import_run(queued.pk) == ImportStatus.RUNNING
    assert fengxian_points() == 0


@pytest.mark.realdata
def test_an_import_whose_worker_died_is_taken_over_and_written_once(queued):
    worker_died(queued, minutes_ago=11)

    assert tasks.sample_point_import_run(queued.pk) == ImportStatus.DONE
    assert tasks.sample_point_import_run(queued.pk) == ImportStatus.DONE  # delivered once more
    queued.refresh_from_db()
    assert queued.attempts == 2
    assert queued.created_count == distinct_fengxian_points()
    assert fengxian_points() == distinct_fengxian_points()


@pytest.mark.realdata
def test_a_worker_given_up_on_writes_nothing(queued, monkeypatch):
    """The first worker is slow, not dead: a second takes the job over meanwhile and finishes;
    the first one's result is rolled back when it tries to finish."""
    first = jobs.job_claim(SamplePointImport, queued.pk)
    SamplePointImport.objects.filter(pk=queued.pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=11))
    assert tasks.sample_point_import_run(queued.pk) == ImportStatus.DONE
    written = fengxian_points()

    with pytest.raises(jobs.JobTakenOver):
        jobs.job_finish(SamplePointImport, queued.pk, first, created_count=999)
    queued.refresh_from_db()
    assert queued.created_count == written == distinct_fengxian_points()


@pytest.mark.realdata
def test_the_sweep_sends_abandoned_imports_again_and_fails_them_after_the_attempts(queued, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.sample_point_import_run, "delay", sent.append)
    worker_died(queued, minutes_ago=11)

    assert tasks.sample_point_imports_sweep() == 1
    assert sent == [queued.pk]

    SamplePointImport.objects.filter(pk=queued.pk).update(attempts=3)
    assert tasks.sample_point_imports_sweep() == 0
    queued.refresh_from_db()
    assert queued.status == ImportStatus.FAILED
    assert "Given up after 3 attempts" in queued.failure
    assert fengxian_points() == 0
