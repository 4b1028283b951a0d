"""Small spreadsheets for the import tests, made in memory (no committed binaries)."""

import csv
import io
from collections import OrderedDict
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

FENGXIAN = (
    Path(settings.BASE_DIR).parent / "shared" / "realdata" / "fengxian_unannounced_visit" / "sample_points_list.xlsx"
)

ZH = ["编号", "名称", "类别", "区县", "网格", "路段", "地址", "纬度", "经度", "责任单位", "专项组"]
EN = ["Code", "Name", "Category", "District", "Grid", "Road", "Address", "Latitude", "Longitude",
      "Responsible unit", "Team"]
BOTH = [f"{zh} {en}" for zh, en in zip(ZH, EN, strict=True)]


def xlsx_bytes(rows, *, title="Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, encoding="utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def point_row(headers, **values) -> list:
    """A row for the given header list from field names: name=…, category=…, district=…"""
    fields = ["code", "name", "category", "district", "grid", "road", "address", "latitude", "longitude",
              "responsible_unit", "team"]
    by_field = dict(zip(fields, range(len(fields)), strict=True))
    row = [""] * len(headers)
    for name, value in values.items():
        row[by_field[name]] = value
    return row


def fengxian_listing() -> "OrderedDict[str, tuple[int, int, list[str]]]":
    """Read the real Fengxian list plainly: category → (row, names listed, distinct names).

    Independent of the importer: openpyxl, split on 、, trim; no other normalisation.
    """
    workbook = openpyxl.load_workbook(FENGXIAN, data_only=True)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    category_at, points_at = header.index("场所"), header.index("检查点位")
    result = OrderedDict()
    for row in sheet.iter_rows(min_row=2):
        category, points = row[category_at].value, row[points_at].value
        if not category or not points:
            continue  # the 合计 (total) row
        names = [name.strip() for name in str(points).split("、") if name.strip()]
        distinct = list(dict.fromkeys(names))
        result[category.strip()] = (row[0].row, names, distinct)
    return result
