"""Uploads to the materials archive: checked by content (not by name), size-limited, empty
refused, the extension must agree with the content, a ZIP bomb named .docx refused; nothing is
stored on refusal; every upload a new version, none deleted."""

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import translation

from assessment.archive.files import OLE_SIGNATURE as OLE
from assessment.archive.files import MaterialFileError
from assessment.choices import MaterialStatus
from assessment.demo.archive import tiny_pdf
from assessment.models import MaterialEvent, MaterialFile, MaterialState
from assessment.services.archive import (
    MaterialConflict,
    MaterialForbidden,
    material_file_submit,
    material_review,
)

from .archive_factories import build_standard, docx, pdf, png, xlsx, zip_bomb_docx


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.txt", "not an office file")
    return out.getvalue()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def std(city):
    return build_standard(city)


def stored_files(root) -> list[str]:
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


@pytest.mark.parametrize("upload", [pdf, docx, xlsx, png], ids=["pdf", "docx", "xlsx", "png"])
def test_each_accepted_type_is_stored_as_version_one_under_a_random_name(city, std, media, upload):
    record = material_file_submit(requirement=std.plan, upload=upload(), by=city.unit_handler)
    assert record.version == 1
    assert record.original_name == upload().name
    assert record.file.name.startswith(f"archive/{std.plan.pk}/") and upload().name not in record.file.name
    assert len(stored_files(media)) == 1
    assert MaterialState.objects.get(requirement=std.plan).status == MaterialStatus.SUBMITTED


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: SimpleUploadedFile("计划.pdf", b"<html><script>alert(1)</script></html>"), "not a PDF, Word, Excel"),
    (lambda: SimpleUploadedFile("计划.pdf", b""), "is empty"),
    (lambda: pdf(name="计划.docx"), r"is named as Word \(\.docx\) but its content is PDF"),
    (lambda: docx(name="名单.xlsx"), r"is named as Excel \(\.xlsx\) but its content is Word \(\.docx\)"),
    (lambda: SimpleUploadedFile("run.exe", b"MZ\x90\x00"), "send a PDF, Word"),
    (lambda: SimpleUploadedFile("name.docx", b"PK\x03\x04 broken"), "is damaged"),
    (zip_bomb_docx, "possible ZIP bomb"),
    (lambda: SimpleUploadedFile("照片.zip.docx", plain_zip()), "is a ZIP archive, not a Word or Excel file"),
    (lambda: SimpleUploadedFile("照片.png", tiny_pdf()), r"named as PNG but its content is PDF"),
    (lambda: SimpleUploadedFile("旧.pdf", OLE + b"\0" * 100), r"named as PDF but its content is an old Office file"),
], ids=["fake-pdf", "empty", "pdf-named-docx", "docx-named-xlsx", "exe", "broken-zip", "zip-bomb", "plain-zip",
        "pdf-named-png", "doc-named-pdf"])
def test_a_refused_upload_says_why_and_stores_nothing(city, std, media, upload, message):
    with pytest.raises(MaterialFileError, match=message):
        material_file_submit(requirement=std.plan, upload=upload(), by=city.unit_handler)
    assert stored_files(media) == []
    assert not MaterialFile.objects.exists() and not MaterialEvent.objects.exists()
    assert not MaterialState.objects.exists()


@pytest.mark.parametrize("name", ["旧版名单.doc", "旧版台账.xls"])
def test_old_office_files_are_taken_by_their_signature_and_extension(city, std, name):
    record = material_file_submit(requirement=std.plan, upload=SimpleUploadedFile(name, OLE + b"\0" * 512),
                                  by=city.unit_handler)
    assert record.kind == name.rsplit(".", 1)[1]


def test_a_zip_bomb_with_a_small_total_but_a_huge_ratio_is_refused(city, std, settings, media):
    settings.ARCHIVE_MAX_UNPACKED_MB = 1000
    with pytest.raises(MaterialFileError, match="compressed suspiciously much"):
        material_file_submit(requirement=std.plan, upload=zip_bomb_docx(megabytes=50), by=city.unit_handler)
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_refused(city, std, settings, media):
    settings.ARCHIVE_MAX_MB = 1
    big = SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(MaterialFileError, match="larger than 1 MB"):
        material_file_submit(requirement=std.plan, upload=big, by=city.unit_handler)
    assert stored_files(media) == []


def test_every_upload_is_a_new_version_and_none_is_deleted(city, std, media):
    first = material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    material_review(requirement=std.plan, file=first, accept=False, comment="缺盖章", by=city.hq)
    second = material_file_submit(requirement=std.plan, upload=docx("计划（修改）.docx"), by=city.unit_handler)
    assert (first.version, second.version) == (1, 2)
    assert MaterialFile.objects.filter(requirement=std.plan).count() == 2
    assert len(stored_files(media)) == 2
    state = MaterialState.objects.get(requirement=std.plan)
    assert (state.status, state.latest_file_id) == (MaterialStatus.SUBMITTED, second.pk)
    assert [e.to_status for e in MaterialEvent.objects.filter(requirement=std.plan).order_by("id")] == [
        "submitted", "returned", "submitted"]


def test_events_cannot_be_rewritten(city, std):
    material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    event = MaterialEvent.objects.get()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        MaterialEvent.objects.filter(pk=event.pk).update(comment="rewritten")


def test_only_the_responsible_unit_or_hq_uploads(city, std, media):
    with pytest.raises(MaterialForbidden):
        material_file_submit(requirement=std.toilets, upload=pdf(), by=city.unit_handler)  # office B's
    for user in (city.team_lead, city.leader, city.district_lead):
        with pytest.raises(MaterialForbidden):
            material_file_submit(requirement=std.plan, upload=pdf(), by=user)
    assert material_file_submit(requirement=std.toilets, upload=pdf(), by=city.hq).version == 1
    assert len(stored_files(media)) == 1


def test_an_accepted_material_takes_no_new_version(city, std, media):
    first = material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    material_review(requirement=std.plan, file=first, accept=True, by=city.hq)
    with pytest.raises(MaterialConflict):
        material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    assert len(stored_files(media)) == 1


@pytest.mark.postgres
def test_postgresql_refuses_to_delete_or_rewrite_files_and_events(city, std):
    record = material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    from django.db import connection

    def sql(statement):
        with connection.cursor() as cursor:
            cursor.execute(statement, [record.pk])

    for rewrite in (lambda: sql("DELETE FROM assessment_materialevent WHERE file_id = %s"),
                    lambda: sql("DELETE FROM assessment_materialfile WHERE id = %s"),
                    lambda: MaterialFile.objects.filter(pk=record.pk).update(original_name="x.pdf")):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            rewrite()
    assert MaterialFile.objects.filter(pk=record.pk, original_name="计划.pdf").exists()


def test_an_image_is_stored_without_its_gps_and_device_and_with_the_stored_size_and_digest(city, std, media):
    import hashlib

    from campaign.tests.test_photo_metadata import jpeg, scan_data

    original = jpeg(orientation=3)
    record = material_file_submit(requirement=std.plan, upload=SimpleUploadedFile("扫描件.jpg", original),
                                  by=city.unit_handler)
    stored = record.file.read()
    assert b"PhoneMaker" not in stored and b"Zhang San" not in stored
    assert scan_data(stored) == scan_data(original)
    assert record.size == len(stored) < len(original)
    assert record.sha256 == hashlib.sha256(stored).hexdigest()
    assert record.kind == "jpeg"


def test_a_cut_jpeg_is_refused_and_nothing_is_stored(city, std, media):
    with pytest.raises(MaterialFileError, match="扫描件.jpg is not a whole JPEG file"):
        material_file_submit(requirement=std.plan, upload=SimpleUploadedFile("扫描件.jpg", b"\xff\xd8\xff\xe1\x00\x10Exif"),
                             by=city.unit_handler)
    assert stored_files(media) == []
    assert not MaterialFile.objects.exists()
