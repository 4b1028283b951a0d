"""Issue 8, "every refused upload still writes a row and keeps its file on disk": a refused
upload's file is deleted at once, and imports that wrote nothing expire after
IMPORT_RETENTION_DAYS, with any file left over (a daily beat task)."""

import datetime as dt
import os

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from campaign.choices import ImportStatus
from campaign.models import District, SamplePointImport
from campaign.services import imports as point_imports
from campaign.tests.files.builders import ZH, csv_bytes, point_row, upload, xlsx_bytes
from ledger.models import LedgerImport
from ledger.tests.api_support import client_for, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_RETENTION_DAYS = 30
    with translation.override("en"):
        yield settings.MEDIA_ROOT


def good_points() -> bytes:
    return xlsx_bytes([ZH, point_row(ZH, name="好点", category="MKT", district="A")])


@pytest.mark.parametrize("data", [
    xlsx_bytes([ZH, point_row(ZH, name="坏点", category="MKT", district="A", latitude="x", longitude="121")]),
    b"%PDF-1.4\n binary pretending to be a list",
    b"",
], ids=["invalid rows", "bad type", "empty"])
def test_a_refused_sample_point_upload_keeps_no_file(city, media, data):
    response = client_for(city.hq).post("/api/sample-points/import/", {"file": upload("points.xlsx", data)},
                                        format="multipart")
    assert response.status_code == 400
    record = SamplePointImport.objects.get()
    assert record.errors  # the row keeps the errors to show them
    assert not record.file
    assert stored_files(media) == []


def test_a_refused_ledger_upload_keeps_no_file(city, media, login):
    response = login(city.hq).post("/ledger/problems/import/", {"file": upload("台账.xlsx", b"not a ledger at all")})
    assert response.status_code == 302
    record = LedgerImport.objects.get()
    assert record.errors and not record.file
    assert stored_files(media) == []


def test_an_accepted_preview_keeps_its_file_until_it_is_written_or_refused(city, media):
    record, plan = point_imports.sample_point_import_preview(user=city.hq, file_name="p.xlsx", data=good_points())
    assert not plan.errors and record.file
    assert len(stored_files(media)) == 1
    # The city changes before the import is confirmed: the file is checked again and refused.
    District.objects.filter(pk=city.district_a.pk).update(code="Z", name="改名区", name_en="Renamed")
    record = point_imports.sample_point_import_confirm(user=city.hq, record=record)
    assert record.status == ImportStatus.FAILED
    assert not record.file
    assert stored_files(media) == []


def _age(model, record, days):
    model.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def _old_file(name: str, days: int) -> str:
    stored = default_storage.save(name, ContentFile(b"x"))
    stamp = (timezone.now() - dt.timedelta(days=days)).timestamp()
    os.utime(default_storage.path(stored), (stamp, stamp))
    return stored


def test_imports_that_wrote_nothing_expire_after_the_retention_period_with_their_files(city, media):
    from campaign.tasks import sample_point_imports_expire

    refused, _plan = point_imports.sample_point_import_preview(user=city.hq, file_name="bad.csv",
                                                               data=csv_bytes([ZH, ["x"]]))
    abandoned, _plan = point_imports.sample_point_import_preview(user=city.hq, file_name="ok.xlsx", data=good_points())
    done, _plan = point_imports.sample_point_import_preview(user=city.hq, file_name="done.xlsx", data=good_points())
    done = point_imports.sample_point_import_confirm(user=city.hq, record=done)
    recent_failed = SamplePointImport.objects.create(created_by=city.hq, original_name="f.xlsx",
                                                     status=ImportStatus.FAILED)
    for record in (refused, abandoned, done):
        _age(SamplePointImport, record, 31)
    _age(SamplePointImport, recent_failed, 29)
    old_orphan = _old_file("imports/sample_points/2026/01/orphan.xlsx", 31)
    new_orphan = _old_file("imports/sample_points/2026/12/fresh.xlsx", 1)
    done_file = SamplePointImport.objects.get(pk=done.pk).file.name
    os.utime(default_storage.path(done_file), (0, 0))  # an old file, but its import was written

    assert sample_point_imports_expire() == 2

    assert set(SamplePointImport.objects.values_list("pk", flat=True)) == {done.pk, recent_failed.pk}
    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(new_orphan)
    assert default_storage.exists(done_file)
    assert not default_storage.exists(abandoned.file.name)


def test_expired_ledger_imports_are_deleted_too(city, media):
    from ledger.tasks import ledger_imports_expire

    old = LedgerImport.objects.create(created_by=city.hq, original_name="a.xlsx", status=ImportStatus.FAILED)
    kept = LedgerImport.objects.create(created_by=city.hq, original_name="b.xlsx", status=ImportStatus.DONE)
    _age(LedgerImport, old, 40)
    _age(LedgerImport, kept, 40)
    orphan = _old_file("imports/ledger/2026/01/orphan.xlsx", 40)

    assert ledger_imports_expire() == 1

    assert list(LedgerImport.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not default_storage.exists(orphan)


def test_beat_runs_the_expiry_of_both_import_kinds_daily():
    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    for task in ("campaign.tasks.sample_point_imports_expire", "ledger.tasks.ledger_imports_expire"):
        assert task in scheduled
        assert task in app.tasks
