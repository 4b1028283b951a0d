"""Issue 8, defect 3: a checklist's item text that looks like a formula is exported as text and
imports back unchanged."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from inspections import services
from inspections.models import Checklist

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS = [
    {"code": "M01", "text_zh": "=1+1", "text_en": '=HYPERLINK("http://evil.example/","click")', "points": 10},
    {"code": "M02", "text_zh": "-地面无积水", "text_en": "+no standing water", "points": 5},
    {"code": "M03", "text_zh": "@摊位整洁", "text_en": "Stalls clean", "points": 5},
]


def test_formula_like_item_text_exports_as_text_and_imports_back_unchanged(city, login):
    services.checklist_revise(category=city.market, items=ITEMS, by=city.hq, name="农贸市场检查表")
    client = login(city.hq)

    exported = client.get(f"/inspections/checklists/{city.market.pk}/export.xlsx").content

    cells = [cell for row in load_workbook(io.BytesIO(exported)).active.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert {item["text_en"] for item in ITEMS} <= {cell.value for cell in cells}
    response = client.post(f"/inspections/checklists/{city.restaurant.pk}/import/",
                           {"file": SimpleUploadedFile("checklist.xlsx", exported, content_type=XLSX)})
    assert response.status_code == 302
    imported = Checklist.objects.get(category=city.restaurant).current_version
    assert list(imported.items.order_by("order").values_list("text_zh", "text_en")) == [
        (item["text_zh"], item["text_en"]) for item in ITEMS]
