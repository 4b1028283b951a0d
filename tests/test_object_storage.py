"""Issue 13, deliverable 8: uploaded files on S3-compatible object storage, end to end against a
real server (SeaweedFS started by scripts/s3_server.py; `.ci/run` starts it). Each test points
STORAGES["default"] at the bucket for itself, under a key prefix of its own, and proves that the
files go to the bucket (listed with boto3, not through the app), come back only through the
scoped views (streamed, or redirected to a signed link that expires; the bucket answers nobody
without a signature), and that nothing is written under MEDIA_ROOT."""

import csv
import io
import os
import tarfile
import time
import uuid
import zipfile
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign.choices import ImportStatus
from ledger import tasks
from ledger.models import EvidencePhoto, LedgerExport, LedgerImport, Problem
from ledger.tests.api_support import client_for, problems_url, stored_files
from ledger.tests.excel_helpers import ZH, ledger_row, read_rows, xlsx_bytes
from ledger.tests.factories import jpeg_upload, record

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

ENV = {name: os.environ.get(f"S3_TEST_{name}", "") for name in
       ("ENDPOINT_URL", "BUCKET", "ACCESS_KEY", "SECRET_KEY", "REGION")}


class Bucket:
    """The test's view of the bucket, straight through boto3 (never through the app)."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.name = ENV["BUCKET"]
        self.client = boto3.client(
            "s3", endpoint_url=ENV["ENDPOINT_URL"], aws_access_key_id=ENV["ACCESS_KEY"],
            aws_secret_access_key=ENV["SECRET_KEY"], region_name=ENV["REGION"] or "us-east-1",
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))

    def keys(self) -> list[str]:
        """Every object under this test's prefix, without the prefix."""
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=self.prefix + "/")
        return sorted(item["Key"].removeprefix(self.prefix + "/") for item in listed.get("Contents", []))

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{name}")["Body"].read()

    def empty(self) -> None:
        for name in self.keys():
            self.client.delete_object(Bucket=self.name, Key=f"{self.prefix}/{name}")


@pytest.fixture
def bucket(settings, tmp_path):
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "campaign.object_storage.ObjectStorage",
        "OPTIONS": {"bucket_name": ENV["BUCKET"], "endpoint_url": ENV["ENDPOINT_URL"],
                    "access_key": ENV["ACCESS_KEY"], "secret_key": ENV["SECRET_KEY"],
                    "region_name": ENV["REGION"] or "us-east-1", "location": prefix, "querystring_expire": 60},
    }}
    settings.S3_SERVE = "stream"
    settings.S3_URL_SECONDS = 60
    # As on a worker host that shares no disk with the web host.
    settings.IMPORT_BACKGROUND_ROWS = 3
    settings.LEDGER_EXPORT_BACKGROUND_ROWS = 1
    held = Bucket(prefix)
    yield held
    held.empty()
    assert not media.exists() or stored_files(media) == [], "a file was written under MEDIA_ROOT"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_storage_is_the_bucket_and_never_overwrites(bucket):
    first = default_storage.save("imports/ledger/same.xlsx", io.BytesIO(b"one"))
    second = default_storage.save("imports/ledger/same.xlsx", io.BytesIO(b"two"))
    assert first == "imports/ledger/same.xlsx" and second != first  # as on the disk: a new name
    assert bucket.keys() == sorted([first, second])
    assert bucket.read(first) == b"one" and bucket.read(second) == b"two"
    with default_storage.open(second, "rb") as handle:
        assert handle.read() == b"two"


def test_a_problem_photo_uploaded_through_the_api_lands_in_the_bucket_and_is_served_by_scope(city, bucket):
    point = city.points_a[0]
    payload = {"description": "垃圾桶满溢", "category": point.category_id, "sample_point": point.pk,
               "source": "unannounced", "photos": [jpeg_upload("a.jpg")]}
    response = client_for(city.inspector).post(problems_url(), payload, format="multipart")
    assert response.status_code == 201, response.content

    photo = EvidencePhoto.objects.get(problem_id=response.json()["id"])
    assert bucket.keys() == sorted([photo.image.name, photo.thumbnail.name])
    stored = bucket.read(photo.image.name)
    assert stored[:3] == b"\xff\xd8\xff"  # the re-encoded JPEG

    seen = client_for(city.district_lead).get(f"/ledger/photos/{photo.pk}/")
    assert seen.status_code == 200 and seen["Content-Type"] == "image/jpeg"
    assert body(seen) == stored and seen["Content-Length"] == str(len(stored))
    assert "private" in seen["Cache-Control"]
    thumb = client_for(city.district_lead).get(f"/ledger/photos/{photo.pk}/thumb/")
    assert body(thumb) == bucket.read(photo.thumbnail.name)
    assert client_for(city.other_district_lead).get(f"/ledger/photos/{photo.pk}/").status_code == 404
    assert client_for(None).get(f"/ledger/photos/{photo.pk}/").status_code == 302  # to the sign-in page


def test_redirect_mode_hands_out_a_signed_link_that_expires_and_the_bucket_is_private(city, bucket, settings):
    settings.S3_SERVE = "redirect"
    settings.S3_URL_SECONDS = 2
    point = city.points_a[0]
    response = client_for(city.inspector).post(problems_url(), {
        "description": "积水", "category": point.category_id, "sample_point": point.pk, "source": "unannounced",
        "photos": [jpeg_upload("b.jpg")]}, format="multipart")
    assert response.status_code == 201, response.content
    photo = EvidencePhoto.objects.get(problem_id=response.json()["id"])

    assert client_for(city.other_district_lead).get(f"/ledger/photos/{photo.pk}/").status_code == 404
    answer = client_for(city.district_lead).get(f"/ledger/photos/{photo.pk}/")
    assert answer.status_code == 302 and answer["Cache-Control"] == "private, no-store"
    link = answer["Location"]
    parts = urlsplit(link)
    query = parse_qs(parts.query)
    assert link.startswith(ENV["ENDPOINT_URL"]) and query["X-Amz-Expires"] == ["2"] and "X-Amz-Signature" in query

    fetched = requests.get(link, timeout=10)
    assert fetched.status_code == 200 and fetched.content == bucket.read(photo.image.name)
    assert fetched.headers["Content-Type"] == "image/jpeg"
    unsigned = requests.get(f"{parts.scheme}://{parts.netloc}{parts.path}", timeout=10)
    assert unsigned.status_code == 403  # the bucket itself answers nobody without a signature
    time.sleep(3.5)
    assert requests.get(link, timeout=10).status_code == 403  # the link has expired


def test_a_large_export_written_by_the_worker_is_stored_in_the_bucket_and_downloaded_through_its_view(
        city, bucket, login, monkeypatch, django_capture_on_commit_callbacks):
    record(city)
    record(city, point=city.points_a[1])
    record(city, point=city.points_b[0])
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda export_id: None)
    client = login(city.district_lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/ledger/problems/export/?format=csv").status_code == 302
    export = LedgerExport.objects.get()

    assert tasks.ledger_export_run(export.pk) == ImportStatus.DONE  # the worker's code path
    export.refresh_from_db()
    assert export.file.name in bucket.keys() and export.file.name.startswith("exports/")

    download = client.get(f"/ledger/exports/{export.pk}/download/")
    assert download.status_code == 200 and 'filename="ledger-' in download["Content-Disposition"]
    data = body(download)
    assert data == bucket.read(export.file.name)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 3  # the header and district A's two problems, not district B's
    assert login(city.other_district_lead).get(f"/ledger/exports/{export.pk}/download/").status_code == 404


def test_the_xlsx_export_made_by_the_worker_reads_back_from_the_bucket(city, bucket, login, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    record(city)
    record(city, point=city.points_a[1])
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda export_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        login(city.hq).get("/ledger/problems/export/")
    export = LedgerExport.objects.get()
    tasks.ledger_export_run(export.pk)
    export.refresh_from_db()
    assert export.file.name.endswith(".xlsx") and export.file.name in bucket.keys()
    assert len(read_rows(body(login(city.hq).get(f"/api/problems/exports/{export.pk}/file/")))) == 3


def test_an_import_file_is_kept_in_the_bucket_and_the_worker_reads_it_from_there(
        city, bucket, login, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.ledger_import_run, "delay", sent.append)
    workbook = xlsx_bytes([ZH, *(ledger_row(description=f"问题{n}") for n in range(4))])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(city.hq).post("/api/problems/import/", {"file": SimpleUploadedFile("big.xlsx", workbook)})
    assert response.status_code == 202, response.content

    upload = LedgerImport.objects.get(pk=sent[0])
    assert upload.file.name in bucket.keys() and bucket.read(upload.file.name) == workbook
    assert tasks.ledger_import_run(upload.pk) == ImportStatus.DONE
    assert Problem.objects.count() == 4


def test_an_object_gone_from_the_bucket_is_a_404_not_an_error(city, bucket):
    point = city.points_a[0]
    response = client_for(city.inspector).post(problems_url(), {
        "description": "积水", "category": point.category_id, "sample_point": point.pk, "source": "unannounced",
        "photos": [jpeg_upload("c.jpg")]}, format="multipart")
    photo = EvidencePhoto.objects.get(problem_id=response.json()["id"])
    bucket.client.delete_object(Bucket=bucket.name, Key=f"{bucket.prefix}/{photo.image.name}")
    assert client_for(city.hq).get(f"/ledger/photos/{photo.pk}/").status_code == 404
    assert client_for(city.hq).get(f"/ledger/photos/{photo.pk}/thumb/").status_code == 200


def test_the_archive_zip_is_built_from_the_bucket_by_the_worker_and_stored_there(city, bucket, login):
    from assessment.services.archive import (
        archive_export_request,
        archive_export_run,
        material_file_submit,
        material_review,
    )
    from assessment.tests.archive_factories import build_standard, pdf

    std = build_standard(city)
    upload = pdf("纪要.pdf", "minutes")
    material = material_file_submit(requirement=std.minutes, upload=upload, by=city.hq)
    material_review(requirement=std.minutes, file=material, accept=True, by=city.hq)
    assert material.file.name in bucket.keys()
    client = login(city.hq)
    served = client.get(f"/assessment/archive/files/{material.pk}/")
    assert served.status_code == 200 and body(served) == bucket.read(material.file.name)

    job = archive_export_run(job_id=archive_export_request(by=city.hq, edition=std.edition, language="zh-hans").pk)
    assert job.status == ImportStatus.DONE and job.file.name in bucket.keys()
    response = client.get(f"/assessment/archive/zip/{job.pk}/download/")
    assert response.status_code == 200
    data = body(response)
    assert data == bucket.read(job.file.name)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [pdf_name] = [name for name in archive.namelist() if name.endswith(".pdf")]
        assert archive.read(pdf_name) == bucket.read(material.file.name)
    assert login(city.team_lead).get(f"/assessment/archive/zip/{job.pk}/download/").status_code == 404


def test_the_backup_reads_every_file_from_the_bucket(city, bucket, settings, tmp_path):
    from campaign.backup import backup_create, backup_read_manifest, backup_verify

    settings.LEDGER_FINGERPRINT_DIR = tmp_path / "fingerprints"
    point = city.points_a[0]
    response = client_for(city.inspector).post(problems_url(), {
        "description": "积水", "category": point.category_id, "sample_point": point.pk, "source": "unannounced",
        "photos": [jpeg_upload("d.jpg")]}, format="multipart")
    photo = EvidencePhoto.objects.get(problem_id=response.json()["id"])

    manifest = backup_create(path=tmp_path / "backups" / "city.tar")

    assert {f"media/{name}" for name in bucket.keys()} <= set(manifest["files"])
    with tarfile.open(tmp_path / "backups" / "city.tar") as archive:
        backup_verify(archive, backup_read_manifest(archive))
        assert archive.extractfile(f"media/{photo.image.name}").read() == bucket.read(photo.image.name)


def test_redirect_mode_keeps_the_download_name_and_type_of_an_export(city, bucket, settings, login, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    settings.S3_SERVE = "redirect"
    record(city)
    record(city, point=city.points_a[1])
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda export_id: None)
    client = login(city.district_lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/ledger/problems/export/?format=csv")
    export = LedgerExport.objects.get()
    tasks.ledger_export_run(export.pk)
    export.refresh_from_db()
    assert export.file.name in bucket.keys()

    answer = client.get(f"/ledger/exports/{export.pk}/download/")
    assert answer.status_code == 302 and "X-Amz-Signature=" in answer["Location"]
    fetched = requests.get(answer["Location"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == bucket.read(export.file.name)
    assert fetched.headers["Content-Disposition"].startswith('attachment; filename="ledger-')
    assert fetched.headers["Content-Type"].startswith("text/csv")
    assert login(city.other_district_lead).get(f"/ledger/exports/{export.pk}/download/").status_code == 404


def test_redirect_mode_streams_an_archive_file_shown_inline_with_its_sandbox(city, bucket, settings, login):
    """A signed link cannot carry the sandbox policy of a file shown inline: that file is streamed
    with it; the same file asked for as a download takes the signed link."""
    from assessment.services.archive import material_file_submit
    from assessment.tests.archive_factories import build_standard, pdf

    settings.S3_SERVE = "redirect"
    std = build_standard(city)
    material = material_file_submit(requirement=std.minutes, upload=pdf("纪要.pdf", "minutes"), by=city.hq)
    client = login(city.hq)
    shown = client.get(f"/assessment/archive/files/{material.pk}/")
    assert shown.status_code == 200 and body(shown) == bucket.read(material.file.name)
    assert shown["Content-Security-Policy"].startswith("sandbox;")
    assert shown["Content-Disposition"].startswith("inline; filename*=UTF-8''")
    assert "no-store" in shown["Cache-Control"] and shown["X-Content-Type-Options"] == "nosniff"
    downloaded = client.get(f"/assessment/archive/files/{material.pk}/?download=1")
    assert downloaded.status_code == 302 and "X-Amz-Signature=" in downloaded["Location"]
