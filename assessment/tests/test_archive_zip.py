"""The whole archive as one ZIP: folders in the assessors' order (part / article / material /
file), names sanitised, the accepted versions' bytes, the index at the top; written by a claimed
job (a worker that died is taken over) and never served before it is complete."""

import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone, translation

from assessment import tasks
from assessment.models import ArchiveExport, MaterialRequirement
from assessment.selectors.archive import safe_component
from assessment.services.archive import (
    archive_export_request,
    archive_export_run,
    material_file_submit,
    material_review,
)
from campaign.choices import ImportStatus
from campaign.jobs import job_claim

from .archive_factories import build_standard, docx, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def archive(city, django_capture_on_commit_callbacks):
    """The test standard with three accepted materials (one after a return) and one awaiting review."""
    std = build_standard(city)
    with translation.override("en"):
        for requirement, upload in ((std.committee, docx("成员名单/职责?.docx")), (std.toilets, png("公厕 照片.png"))):
            record = material_file_submit(requirement=requirement, upload=upload, by=city.hq)
            material_review(requirement=requirement, file=record, accept=True, by=city.hq)
        first = material_file_submit(requirement=std.minutes, upload=pdf("纪要.pdf", "v1"), by=city.hq)
        material_review(requirement=std.minutes, file=first, accept=False, comment="缺名单", by=city.hq)
        second = material_file_submit(requirement=std.minutes, upload=pdf("纪要.pdf", "v2"), by=city.hq)
        material_review(requirement=std.minutes, file=second, accept=True, by=city.hq)
        material_file_submit(requirement=std.plan, upload=pdf("计划.pdf"), by=city.unit_handler)
    std.minutes_v2 = second
    return std


def names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_the_zip_holds_the_accepted_versions_in_the_assessors_order(city, archive, login, monkeypatch):
    monkeypatch.setattr(tasks.archive_export_run, "delay", lambda job_id: None)
    record = archive_export_request(by=city.hq, edition=archive.edition, language="zh-hans")
    client = login(city.hq)
    assert client.get(f"/assessment/archive/zip/{record.pk}/download/").status_code == 404  # queued
    record = archive_export_run(job_id=record.pk)
    assert record.status == ImportStatus.DONE and record.total_rows == 3
    response = client.get(f"/assessment/archive/zip/{record.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    listed = names(data)
    assert listed == [
        "00 档案目录.xlsx",
        "01 爱国卫生组织管理/01 1.1 组织机构/01 1.1-01 爱卫会成员名单及职责/v1 职责_.docx",
        "01 爱国卫生组织管理/02 1.2/01 1.2-01 会议纪要/v2 纪要.pdf",
        "03 市容环境卫生/01 3.1 环卫设施/01 3.1-01 公厕管理台账/v1 公厕 照片.png",
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.read(listed[2]) == archive.minutes_v2.file.open("rb").read()
        assert b"v2" in zipped.read(listed[2])
        from openpyxl import load_workbook

        index = load_workbook(io.BytesIO(zipped.read(listed[0]))).worksheets[0]
        codes = [row[2].value for row in index.iter_rows(min_row=2)]
        assert codes == ["1.1-01", "1.1-02", "1.2-01", "3.1-01"]


def test_names_are_sanitised_and_chinese_kept():
    assert safe_component('a/b\\c:d*e?f"g<h>i|j\x01') == "a_b_c_d_e_f_g_h_i_j_"
    assert safe_component(" ..隐藏. ") == "隐藏"
    assert safe_component("..") == "_"
    long = safe_component("长" * 200 + ".pdf", limit=20)
    assert len(long) == 20 and long.endswith(".pdf")


def test_a_job_whose_worker_died_is_taken_over_and_finishes(city, archive, settings, login, monkeypatch):
    monkeypatch.setattr(tasks.archive_export_run, "delay", lambda job_id: None)
    record = archive_export_request(by=city.leader, edition=archive.edition)
    assert job_claim(ArchiveExport, record.pk) is not None  # a first worker took it...
    client = login(city.leader)
    assert client.get(f"/assessment/archive/zip/{record.pk}/download/").status_code == 404  # ...never served running
    assert archive_export_run(job_id=record.pk).status == ImportStatus.RUNNING  # its claim is alive: left alone
    stale = timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 5)
    ArchiveExport.objects.filter(pk=record.pk).update(claimed_at=stale)  # ...and died
    sent = []
    monkeypatch.setattr(tasks.archive_export_run, "delay", sent.append)
    assert tasks.archive_exports_sweep() == 1 and sent == [record.pk]
    record = archive_export_run(job_id=record.pk)
    assert (record.status, record.attempts) == (ImportStatus.DONE, 2) and record.taken_over_at is not None
    page = client.get(f"/assessment/archive/zip/{record.pk}/").content.decode()
    assert 'id="job-takeover"' not in page or "Attempt" in page
    response = client.get(f"/assessment/archive/zip/{record.pk}/download/")
    assert response.status_code == 200 and len(names(b"".join(response.streaming_content))) == 4


def test_only_hq_and_leaders_download_the_whole_archive(city, archive, login, django_capture_on_commit_callbacks,
                                                          monkeypatch):
    monkeypatch.setattr(tasks.archive_export_run, "delay", lambda job_id: None)
    for role in ("team_lead", "district_lead", "unit_handler"):
        assert login(city.users[role]).post("/assessment/archive/zip/").status_code == 404
    response = login(city.hq).post("/assessment/archive/zip/")
    record = ArchiveExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessment/archive/zip/{record.pk}/"
    assert login(city.team_lead).get(f"/assessment/archive/zip/{record.pk}/").status_code == 404
    progress = login(city.leader).get(f"/assessment/archive/zip/{record.pk}/progress/").json()
    assert progress["status"] == "queued"


def test_the_index_page_and_workbook_follow_the_assessors_order(city, archive, login):
    client = login(city.hq)
    page = client.get("/assessment/archive/index/").content.decode()
    assert page.index("1.1-01") < page.index("1.2-01") < page.index("3.1-01")
    assert "@page { size: A4" in page
    response = client.get("/assessment/archive/index/?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == ["1.1-01", "1.1-02", "1.2-01", "3.1-01"]
    unit_sheet = load_workbook(io.BytesIO(b"".join(login(city.unit_handler).get(
        "/assessment/archive/index/?format=xlsx").streaming_content))).worksheets[0]
    assert [row[2].value for row in unit_sheet.iter_rows(min_row=2)] == ["1.1-01", "1.1-02"]
    assert MaterialRequirement.objects.count() == 4


def test_the_zip_is_written_with_flat_memory(city, monkeypatch, settings):
    """40 MB of files packed while Python's own allocations peak far below one file's size:
    each file is copied in 1 MB chunks to a temporary file, never held whole."""
    import os
    import tracemalloc

    from django.core.files.uploadedfile import SimpleUploadedFile

    std = build_standard(city)
    monkeypatch.setattr(tasks.archive_export_run, "delay", lambda job_id: None)
    for number in range(20):
        requirement = std.committee if number == 0 else std.committee.__class__.objects.create(
            article=std.article31, code=f"3.1-{number + 1:02d}", order=number + 1, title=f"台账{number}")
        upload = SimpleUploadedFile(f"大文件{number}.pdf", b"%PDF-1.4\n" + os.urandom(2 * 1024 * 1024))
        record = material_file_submit(requirement=requirement, upload=upload, by=city.hq)
        material_review(requirement=requirement, file=record, accept=True, by=city.hq)
    job = archive_export_request(by=city.hq, edition=std.edition)
    tracemalloc.start()
    try:
        record = archive_export_run(job_id=job.pk)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert record.status == ImportStatus.DONE and record.total_rows == 20
    assert record.file.size > 40 * 1024 * 1024
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    print(f"ZIP of {record.file.size / 1e6:.1f} MB written with a Python peak of {peak / 1e6:.1f} MB")


def test_a_stale_worker_failing_does_not_fail_the_job_another_took_over(city, archive, settings, monkeypatch):
    from assessment.services import archive as archive_services

    monkeypatch.setattr(tasks.archive_export_run, "delay", lambda job_id: None)
    record = archive_export_request(by=city.leader, edition=archive.edition)
    taken = []

    def taken_over_then_broken(*args, **kwargs):
        stale = timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 5)
        ArchiveExport.objects.filter(pk=record.pk).update(claimed_at=stale)
        taken.append(job_claim(ArchiveExport, record.pk))  # another worker takes the job over...
        raise RuntimeError("...and this one breaks")

    monkeypatch.setattr(archive_services, "_write_zip", taken_over_then_broken)
    result = archive_export_run(job_id=record.pk)
    assert (result.status, result.claim, result.failure) == (ImportStatus.RUNNING, taken[0], "")
    archive_services.archive_export_fail(job_id=record.pk, reason="retries ran out")  # a live claim: left alone
    assert ArchiveExport.objects.get(pk=record.pk).status == ImportStatus.RUNNING
