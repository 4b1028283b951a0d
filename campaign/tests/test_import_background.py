"""Large imports in the Celery worker: claimed once, progress as it goes, all or nothing."""

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, OperationalError, connection
from django.utils import translation

from campaign import tasks
from campaign.choices import ImportStatus
from campaign.importing.planning import build_plan
from campaign.models import Category, District, SamplePoint, SamplePointImport
from campaign.services import imports as import_service
from campaign.tests.files.builders import FENGXIAN, fengxian_listing
from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    # Messages are asserted in their English source form, whatever the project's default.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def fengxian(city):
    return District.objects.create(code="FX", name="奉贤区", name_en="Fengxian")


def distinct_fengxian_points() -> int:
    return sum(len(names) for _row, _listed, names in fengxian_listing().values())


def queued_fengxian(user, settings) -> SamplePointImport:
    settings.IMPORT_BACKGROUND_ROWS = 100
    record, plan = import_service.sample_point_import_preview(
        user=user, file_name="sample_points_list.xlsx", data=FENGXIAN.read_bytes(),
        defaults={"district": "奉贤区", "create_categories": True},
    )
    assert plan.total_rows > 100
    return record


@pytest.mark.realdata
def test_confirm_queues_a_large_import_and_the_eager_task_finishes_it(city, fengxian, settings, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    record = queued_fengxian(city.hq, settings)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = import_service.sample_point_import_confirm(user=city.hq, record=record)
        assert queued.status == ImportStatus.QUEUED
        assert SamplePoint.objects.filter(district=fengxian).count() == 0

    assert len(callbacks) == 1
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE
    assert record.created_count == distinct_fengxian_points()
    assert record.processed_rows == record.total_rows
    assert record.progress_percent == 100
    assert record.finished_at is not None


@pytest.mark.realdata
def test_a_done_import_delivered_again_is_not_run_twice(city, fengxian, settings, monkeypatch):
    record = queued_fengxian(city.hq, settings)
    monkeypatch.setattr(tasks.sample_point_import_run, "delay", lambda import_id: None)
    import_service.sample_point_import_confirm(user=city.hq, record=record)

    assert tasks.sample_point_import_run(record.pk) == ImportStatus.DONE
    count = SamplePoint.objects.count()
    assert tasks.sample_point_import_run(record.pk) == ImportStatus.DONE

    assert SamplePoint.objects.count() == count
    assert SamplePointImport.objects.get(pk=record.pk).created_count == distinct_fengxian_points()


@pytest.mark.realdata
def test_a_running_import_is_not_claimed_by_a_second_worker(city, fengxian, settings):
    record = queued_fengxian(city.hq, settings)
    SamplePointImport.objects.filter(pk=record.pk).update(status=ImportStatus.RUNNING)

    result = tasks.sample_point_import_run(record.pk)

    assert result == ImportStatus.RUNNING
    assert SamplePoint.objects.filter(district=fengxian).count() == 0


@pytest.mark.realdata
def test_a_previewed_import_is_not_run_by_the_task(city, fengxian, settings):
    record = queued_fengxian(city.hq, settings)

    assert tasks.sample_point_import_run(record.pk) == ImportStatus.PREVIEWED
    assert SamplePoint.objects.filter(district=fengxian).count() == 0


@pytest.mark.realdata
def test_progress_is_reported_as_rows_are_checked(city, fengxian):
    seen = []

    plan = build_plan(FENGXIAN.read_bytes(), user=city.hq,
                      defaults={"district": "奉贤区", "create_categories": True}, progress=seen.append)

    assert len(seen) > 5
    assert seen == sorted(seen)
    assert seen[-1] == plan.total_rows


@pytest.mark.realdata
def test_a_failure_while_writing_rolls_back_every_category_and_point(city, fengxian, settings, monkeypatch):
    record = queued_fengxian(city.hq, settings)
    SamplePointImport.objects.filter(pk=record.pk).update(status=ImportStatus.QUEUED)

    def fail_half_way(objs, **kwargs):
        SamplePoint.objects.create(**{f: getattr(objs[0], f) for f in ("code", "name", "category", "district")})
        raise IntegrityError("duplicate key value")

    monkeypatch.setattr(SamplePoint.objects, "bulk_create", fail_half_way)

    result = tasks.sample_point_import_run(record.pk)

    assert result == ImportStatus.FAILED
    assert SamplePointImport.objects.get(pk=record.pk).failure
    assert SamplePoint.objects.filter(district=fengxian).count() == 0
    assert not Category.objects.filter(name_zh="小旅馆周边").exists()


@pytest.mark.realdata
def test_a_database_outage_puts_the_import_back_in_the_queue_then_fails_after_the_retries(
    city, fengxian, settings, monkeypatch
):
    record = queued_fengxian(city.hq, settings)
    SamplePointImport.objects.filter(pk=record.pk).update(status=ImportStatus.QUEUED)

    def outage(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(import_service, "build_plan", outage)

    with pytest.raises(import_service.TransientImportError):
        import_service.sample_point_import_run(import_id=record.pk)
    assert SamplePointImport.objects.get(pk=record.pk).status == ImportStatus.QUEUED

    last_try = tasks.sample_point_import_run.apply(args=[record.pk], retries=tasks.sample_point_import_run.max_retries)

    assert last_try.result == "failed"
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED and record.failure
    assert SamplePoint.objects.filter(district=fengxian).count() == 0


# --- A real worker ----------------------------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_finishes_a_large_import(city, fengxian, settings, monkeypatch, tmp_path):
    # A queue of this test's own, so another worker on the same Redis cannot take the job.
    queue = f"test-imports-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    record = queued_fengxian(city.hq, settings)
    base = Path(django_settings.BASE_DIR)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": django_settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 (closed in finally)
    worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [str(base / ".venv" / "bin" / "celery"), "-A", "config", "worker", "--pool=solo", "-l", "info",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        record = import_service.sample_point_import_confirm(user=city.hq, record=record)
        assert record.status == ImportStatus.QUEUED
        deadline = time.monotonic() + 90
        seen = set()
        while time.monotonic() < deadline:
            record.refresh_from_db()
            seen.add(record.status)
            if record.status in (ImportStatus.DONE, ImportStatus.FAILED):
                break
            assert worker.poll() is None, "the worker stopped"
            time.sleep(0.2)
        log.seek(0)
        assert record.status == ImportStatus.DONE, (record.status, record.failure, log.read()[-3000:])
        assert record.created_count == distinct_fengxian_points()
        assert SamplePoint.objects.filter(district=fengxian).count() == distinct_fengxian_points()
        assert record.processed_rows == record.total_rows
        log.seek(0)
        assert "campaign.tasks.sample_point_import_run" in log.read()  # it was the worker's doing
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.close()
