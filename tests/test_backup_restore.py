"""A backup restored into a new database and a new storage holds the same problems, events,
photos (byte for byte) and reports, and the restored ledger verifies intact."""

import io
import json
import subprocess
import sys
import tarfile
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from ledger.choices import Status
from ledger.tests.factories import problem_in, record
from reports import services as report_services
from reports.choices import ReportKind
from reports.periods import last_finished
from reports.tests.engine_support import fake_kinds_fixture  # noqa: F401 - fixture

from .helpers import ROOT, project_env, run_python, worker_database_url

# What a database holds, as the same JSON in this process and in the restored one.
SNAPSHOT = """
import hashlib, json, django
django.setup()
from django.core.files.storage import default_storage
from ledger.models import EvidencePhoto, Problem, ProblemEvent
from reports.models import Report

def digest(name):
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()

print(json.dumps({
    "problems": list(Problem.objects.order_by("pk").values_list("pk", "code", "status", "description", "deadline")),
    "events": list(ProblemEvent.objects.order_by("pk").values_list("pk", "problem_id", "seq", "hash", "data")),
    "photos": [(p.pk, p.image.name, digest(p.image.name), digest(p.thumbnail.name))
               for p in EvidencePhoto.objects.order_by("pk")],
    "reports": [(r.pk, r.kind, r.status, r.version, r.data, r.workbook.name, digest(r.workbook.name))
                for r in Report.objects.order_by("pk")],
}, default=str, sort_keys=True))
"""


def snapshot(env) -> dict:
    done = run_python(SNAPSHOT, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def new_database():
    """A new, empty PostgreSQL database on the same server, dropped afterwards."""
    name = f"hc_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = worker_database_url().rsplit("/", 1)[0] + f"/{name}"
    yield url
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fake_kinds")
def test_a_backup_restores_into_a_new_database_and_storage_with_the_same_ledger(
        city, settings, tmp_path, new_database, monkeypatch):
    from reports import tasks

    monkeypatch.setattr(tasks.report_run, "apply_async", lambda *args, **kwargs: None)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LEDGER_FINGERPRINT_DIR = tmp_path / "fingerprints"  # this test's own, never the checkout's
    problem_in(city, Status.CLOSED)
    problem_in(city, Status.CLOSING_APPLIED, point=city.points_a[1])
    record(city, point=city.points_b[0], by=city.hq)
    kind = ReportKind.WEEKLY_ASSIGNMENT
    report = report_services.report_request(kind=kind, period_start=last_finished(kind).start, requested_by=city.hq)
    report_services.report_run(report_id=report.pk)

    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert "database.pgdump" in names and manifest["database"]["vendor"] == "postgresql"
    assert any(name.startswith("media/") and name.endswith(".jpg") for name in names)
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())

    original = snapshot(project_env(DATABASE_URL=worker_database_url(), MEDIA_ROOT=settings.MEDIA_ROOT,
                                    LEDGER_FINGERPRINT_DIR=settings.LEDGER_FINGERPRINT_DIR,
                                    DJANGO_SETTINGS_MODULE="config.settings"))
    assert len(original["photos"]) >= 2 and original["reports"] and len(original["events"]) > 5

    restored_env = project_env(DATABASE_URL=new_database, MEDIA_ROOT=tmp_path / "restored-media",
                               LEDGER_FINGERPRINT_DIR=tmp_path / "restored-fingerprints",
                               DJANGO_SETTINGS_MODULE="config.settings")
    manage = [sys.executable, "manage.py"]
    done = subprocess.run([*manage, "restore", str(archive)], cwd=ROOT, env=restored_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert snapshot(restored_env) == original
    verified = subprocess.run([*manage, "verify_ledger"], cwd=ROOT, env=restored_env,
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout

    again = subprocess.run([*manage, "restore", str(archive)], cwd=ROOT, env=restored_env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "not empty" in again.stderr


@pytest.mark.django_db
def test_a_damaged_archive_is_refused_before_anything_is_restored(tmp_path, settings):
    from campaign.backup import BackupError, backup_read_manifest, backup_verify

    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "photo.jpg").write_bytes(b"original bytes")
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        backup_verify(tar, backup_read_manifest(tar))  # intact as written
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "media/photo.jpg":
                data = b"altered bytes!"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with tarfile.open(damaged) as tar, pytest.raises(BackupError, match="media/photo.jpg is damaged"):
        backup_verify(tar, backup_read_manifest(tar))


@pytest.mark.django_db
def test_the_ledger_fingerprints_are_backed_up_with_their_checksums(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LEDGER_FINGERPRINT_DIR = tmp_path / "fingerprints"
    (tmp_path / "fingerprints" / "2026").mkdir(parents=True)
    (tmp_path / "fingerprints" / "2026" / "2026-09-18.json").write_text('{"heads": []}')
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.extractfile("fingerprints/2026/2026-09-18.json").read() == b'{"heads": []}'
    assert "fingerprints/2026/2026-09-18.json" in manifest["files"]
