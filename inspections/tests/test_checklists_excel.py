"""A checklist in Excel: export in either language, import with either language's headers,
all or nothing, errors by row and column, a new version when the current one was used."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from inspections.checklist_excel import ChecklistFileError, read_checklist
from inspections.choices import Outcome
from inspections.models import Checklist, ChecklistVersion
from inspections.tests.factories import MARKET_ITEMS, inspect, market_checklist

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def page(category, suffix) -> str:
    return f"/inspections/checklists/{category.pk}/{suffix}"


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def upload(data: bytes, name="checklist.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def items_of(version) -> list[tuple]:
    return list(version.items.order_by("order").values_list("code", "text_zh", "text_en", "points", "severity", "veto"))


def test_export_has_the_items_under_english_headers(city, login):
    market_checklist(city)
    response = login(city.inspector).get(page(city.market, "export.xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "checklist-MKT-v1.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Code", "Item", "Item (English)", "Points", "Severity", "Veto")
    assert rows[1] == ("M01", "活禽销售区域独立设置并封闭", "Live poultry area separate and closed", 10, "Serious", None)
    assert rows[5][0] == "M05" and rows[5][5] == "Yes"


def test_export_in_chinese_has_chinese_headers(city, login):
    market_checklist(city)
    client = login(city.hq)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    rows = list(load_workbook(io.BytesIO(client.get(page(city.market, "export.xlsx")).content)).active
                .iter_rows(values_only=True))
    assert rows[0] == ("编号", "检查内容", "检查内容（英文）", "扣分", "等级", "否决项")


def test_export_of_a_category_without_checklist_is_404(city, login):
    assert login(city.hq).get(page(city.restaurant, "export.xlsx")).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_round_trip_export_then_import_gives_the_same_items(city, login, language):
    source = market_checklist(city)
    client = login(city.hq)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    exported = client.get(page(city.market, "export.xlsx")).content
    response = client.post(page(city.restaurant, "import/"), {"file": upload(exported)})
    assert response.status_code == 302
    imported = Checklist.objects.get(category=city.restaurant).current_version
    assert items_of(imported) == items_of(source)


def test_import_accepts_both_headers_in_one_cell_and_lenient_values(city, login):
    data = workbook([
        ["编号/Code", "检查内容 Item", "Item (English)", "扣分", "等级", "否决项"],
        ["R01", "证照齐全", "", "10", "严重", ""],
        ["R02", "生熟分开", "Raw and cooked apart", 2.5, "urgent", "是"],
        [None, None, None, None, None, None],
    ])
    response = login(city.hq).post(page(city.restaurant, "import/"), {"file": upload(data), "note": "首版"})
    assert response.status_code == 302
    version = Checklist.objects.get(category=city.restaurant).current_version
    assert items_of(version) == [
        ("R01", "证照齐全", "", Decimal("10"), "serious", False),
        ("R02", "生熟分开", "Raw and cooked apart", Decimal("2.5"), "urgent", True),
    ]
    assert version.note == "首版"


def test_a_broken_file_reports_row_and_column_and_writes_nothing(city, login):
    market_checklist(city)
    before = items_of(ChecklistVersion.objects.get())
    data = workbook([
        ["Code", "Item", "Item (English)", "Points", "Severity", "Veto"],
        ["M01", "活禽区封闭", "", 8, "serious", ""],
        ["M02", "摊位整洁", "", "lots", "", ""],
        ["M03", "防蝇防鼠", "", 5, "", ""],
    ])
    response = login(city.hq).post(page(city.market, "import/"), {"file": upload(data)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-row="3" data-column="Points"' in html
    assert html.count('class="import-error"') == 1
    assert "Nothing was imported" in html
    assert ChecklistVersion.objects.count() == 1
    assert items_of(ChecklistVersion.objects.get()) == before


def test_every_bad_cell_is_listed(city):
    data = workbook([
        ["Code", "Item", "Points", "Severity", "Veto"],
        ["", "没有编号", 1, "", ""],
        ["A2", "", -1, "huge", "maybe"],
        ["A3", "好", 1.25, "", ""],
        ["A3", "重复", 1, "", ""],
    ])
    with pytest.raises(ChecklistFileError) as caught:
        read_checklist(upload(data))
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(2, "Code"), (3, "Item"), (3, "Points"), (3, "Severity"), (3, "Veto"), (4, "Points"),
                     (5, "Code")}


def test_a_missing_column_is_named(city, login):
    data = workbook([["Code", "Item"], ["A1", "x"]])
    response = login(city.hq).post(page(city.restaurant, "import/"), {"file": upload(data)})
    assert response.status_code == 400
    assert "扣分 Points" in response.content.decode()
    assert not Checklist.objects.filter(category=city.restaurant).exists()


def test_a_file_that_is_not_a_workbook_is_refused(city, login):
    response = login(city.hq).post(page(city.restaurant, "import/"), {"file": upload(b"not a workbook")})
    assert response.status_code == 400
    assert "not an Excel" in response.content.decode()
    assert not Checklist.objects.exists()


def test_importing_over_a_used_checklist_makes_a_new_version(city, login):
    market_checklist(city)
    inspection, _ = inspect(city, outcomes={"M02": Outcome.FAIL})
    data = workbook([["Code", "Item", "Points"], ["N01", "新条目", 7]])
    client = login(city.hq)
    assert "saving makes a new version 2" in client.get(page(city.market, "import/")).content.decode()
    assert client.post(page(city.market, "import/"), {"file": upload(data)}).status_code == 302
    current = Checklist.objects.get(category=city.market).current_version
    assert current.number == 2
    assert items_of(current) == [("N01", "新条目", "", Decimal("7"), "general", False)]
    inspection.refresh_from_db()
    assert inspection.checklist_version.items.count() == len(MARKET_ITEMS)


@pytest.mark.parametrize("role", ["inspector", "district_lead", "leader"])
def test_only_hq_imports(city, login, role):
    data = workbook([["Code", "Item", "Points"], ["N01", "新条目", 7]])
    response = login(getattr(city, role)).post(page(city.restaurant, "import/"), {"file": upload(data)})
    assert response.status_code == 403
    assert not Checklist.objects.exists()
