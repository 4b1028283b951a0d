"""Defect 7 (issue 8): the checklist import reads through the one guarded reader of every
import (campaign/importing/reading.py): the unpacked-size guard refuses a zip bomb, with the
same limits and messages as the sample-point and ledger imports."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign.importing import reading
from inspections.checklist_excel import ChecklistFileError, read_checklist
from inspections.models import Checklist

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIMIT = 4 * 1024 * 1024


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def small_limit(monkeypatch):
    """The real limit (300 MB) scaled down, so the bomb stays quick to build and to parse."""
    monkeypatch.setattr(reading, "MAX_UNZIPPED_BYTES", LIMIT)


ROWS = [["Code", "Item", "Points"], ["R01", "证照齐全", 2], ["R02", "生熟分开", 3]]
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Checklist" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        "</Relationships>"
    ),
}


def checklist_workbook(*, inflated_bytes: int = 0) -> bytes:
    """A checklist workbook whose text lives in a shared-strings part (as Excel writes it),
    padded with an XML comment of ``inflated_bytes``: a zip bomb a few kilobytes on disk."""
    strings, cells = [], []
    for number, row in enumerate(ROWS, start=1):
        row_cells = []
        for column, value in zip("ABC", row, strict=False):
            if isinstance(value, str):
                strings.append(value)
                row_cells.append(f'<c r="{column}{number}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                row_cells.append(f'<c r="{column}{number}"><v>{value}</v></c>')
        cells.append(f'<row r="{number}">{"".join(row_cells)}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData>{"".join(cells)}</sheetData></worksheet>')
    shared = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              f'count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f"<si><t>{text}</t></si>" for text in strings)
              + "<!--" + "a" * inflated_bytes + "--></sst>")
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, content in {**PARTS, "xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": shared}.items():
            book.writestr(name, content.encode())
    return output.getvalue()


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("checklist.xlsx", data, content_type=XLSX)


def test_checklist_import_refuses_a_workbook_whose_shared_strings_inflate_past_the_limit(city, login, small_limit):
    bomb = checklist_workbook(inflated_bytes=2 * LIMIT)
    assert len(bomb) < 100 * 1024  # small on disk
    with pytest.raises(ChecklistFileError) as caught:
        read_checklist(upload(bomb))
    assert [e.message for e in caught.value.errors] == ["The workbook is too large once unpacked."]

    response = login(city.hq).post(f"/inspections/checklists/{city.restaurant.pk}/import/", {"file": upload(bomb)})
    assert response.status_code == 400
    assert "The workbook is too large once unpacked." in response.content.decode()
    assert not Checklist.objects.exists()


def test_checklist_import_still_reads_a_workbook_under_the_limit(small_limit):
    items = read_checklist(upload(checklist_workbook(inflated_bytes=LIMIT // 4)))
    assert [item["code"] for item in items] == ["R01", "R02"]


def test_checklist_import_refuses_a_file_over_the_upload_limit_with_the_shared_message(settings):
    settings.MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("checklist.xlsx", b"PK\x03\x04" + b"0" * (1024 * 1024 + 1), content_type=XLSX)
    with pytest.raises(ChecklistFileError) as caught:
        read_checklist(big)
    assert [e.message for e in caught.value.errors] == ["The file is larger than 1 MB."]

