"""The demo's archive: real small files of each type, materials in every state, run once."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from assessment.archive.files import material_file_check
from assessment.choices import MaterialStatus
from assessment.demo import archive as demo_archive
from assessment.models import MaterialFile, MaterialState

from .archive_factories import build_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_demo_files_are_real_files_of_their_type():
    pdf = demo_archive.tiny_pdf("x")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:xref + 4] == b"xref"
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(demo_archive.tiny_docx())).namelist()
    assert load_workbook(io.BytesIO(demo_archive.tiny_xlsx())).active["A1"].value == "项目"
    assert Image.open(io.BytesIO(demo_archive.tiny_png())).format == "PNG"


def test_the_demo_step_leaves_materials_in_every_state_once(city, monkeypatch):
    build_standard(city)
    monkeypatch.setattr(demo_archive, "ACCEPTED_SHARE", [0.0])  # every material follows the LATER cycle
    report = demo_archive.demo_archive_step()
    assert report.wrote and "4 materials" in report.headline
    states = dict(MaterialState.objects.values_list("requirement__code", "status"))
    # Part 1's three materials: returned, missing, submitted; part 3's one: returned.
    assert states == {"1.1-01": MaterialStatus.RETURNED, "1.2-01": MaterialStatus.SUBMITTED,
                      "3.1-01": MaterialStatus.RETURNED}
    for record in MaterialFile.objects.all():
        with record.file.open("rb") as handle:
            again = SimpleUploadedFile(record.original_name, handle.read())
        assert material_file_check(again).kind == record.kind
    assert not demo_archive.demo_archive_step().wrote
