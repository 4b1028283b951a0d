"""Reading sample-point files: the real Fengxian list, our template, CSV encodings, broken files.

Written through the services the HQ page, API and command share; all or nothing.
"""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from campaign.choices import CategoryKind, ImportStatus
from campaign.importing.layouts import parse_count
from campaign.importing.planning import build_plan
from campaign.models import Category, District, SamplePoint, SamplePointImport
from campaign.services import imports as import_service
from campaign.tests.factories import make_category, make_sample_point
from campaign.tests.files.builders import (
    BOTH,
    EN,
    FENGXIAN,
    ZH,
    csv_bytes,
    fengxian_listing,
    point_row,
    xlsx_bytes,
)


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    # Messages are asserted in their English source form, whatever the project's default.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def fengxian(city):
    return District.objects.create(code="FX", name="奉贤区", name_en="Fengxian")


def preview(user, data, name="points.xlsx", **defaults):
    return import_service.sample_point_import_preview(user=user, file_name=name, data=data, defaults=defaults)


def import_now(user, data, name="points.xlsx", **defaults):
    record, plan = preview(user, data, name, **defaults)
    assert plan.errors == [], plan.errors
    return import_service.sample_point_import_confirm(user=user, record=record, run_now=True), plan


# --- The real Fengxian list ------------------------------------------------------------------


@pytest.mark.realdata
def test_fengxian_list_gives_its_ten_categories_with_each_distinct_place_once(city, fengxian):
    listing = fengxian_listing()
    assert len(listing) == 10

    record, plan = import_now(city.hq, FENGXIAN.read_bytes(), "sample_points_list.xlsx",
                              district="奉贤区", create_categories=True)

    assert record.status == ImportStatus.DONE
    distinct_total = sum(len(distinct) for _row, _names, distinct in listing.values())
    listed_total = sum(len(names) for _row, names, _distinct in listing.values())
    assert record.total_rows == listed_total
    assert record.created_count == distinct_total
    created = SamplePoint.objects.filter(district=fengxian)
    assert created.count() == distinct_total
    for category_name, (_row, _names, distinct) in listing.items():
        category = Category.objects.get(name_zh=category_name)
        assert category.kind == CategoryKind.KEY_PLACE
        names = list(created.filter(category=category).values_list("name", flat=True))
        # Stored names are trimmed and runs of spaces inside are made one ("102弄   55号").
        assert sorted(names) == sorted(" ".join(name.split()) for name in distinct), category_name


@pytest.mark.realdata
def test_fengxian_repeats_are_reported_with_their_row_and_column_not_doubled(city, fengxian):
    listing = fengxian_listing()
    expected = sorted(
        (row, name)
        for row, names, _distinct in listing.values()
        for i, name in enumerate(names) if name in names[:i]
    )
    assert expected  # the real list does repeat a few names

    record, _plan = import_now(city.hq, FENGXIAN.read_bytes(), district="FX", create_categories=True)

    repeats = sorted((w["row"], w["value"]) for w in record.warnings if w["message"].startswith("Listed again"))
    assert repeats == expected
    assert all(w["column"] == "检查点位" for w in record.warnings if w["message"].startswith("Listed again"))


@pytest.mark.realdata
def test_fengxian_minimum_range_is_read_as_a_range_without_failing(city, fengxian):
    plan = build_plan(FENGXIAN.read_bytes(), user=city.hq, defaults={"district": "奉贤区", "create_categories": True})

    assert plan.errors == []
    hospitals = next(c for c in plan.summary()["categories"] if c["category"].startswith("三甲医院"))
    assert hospitals["minimum"] == "3-5"
    assert hospitals["to_create"] == 3
    assert parse_count("3-5") == (3, 5)
    assert parse_count("60") == (60, 60)
    assert parse_count("lots") is None


@pytest.mark.realdata
def test_fengxian_list_without_the_create_option_reports_every_unknown_category(city, fengxian):
    record, plan = preview(city.hq, FENGXIAN.read_bytes(), district="奉贤区")

    category_errors = [e for e in plan.errors if e["column"] == "场所"]
    assert sorted({e["row"] for e in category_errors}) == list(range(2, 12))
    assert SamplePoint.objects.filter(district=fengxian).count() == 0
    with pytest.raises(import_service.ImportStateError):
        import_service.sample_point_import_confirm(user=city.hq, record=record, run_now=True)
    assert not Category.objects.filter(name_zh="小旅馆周边").exists()


@pytest.mark.realdata
def test_fengxian_list_without_a_district_is_refused(city, fengxian):
    _record, plan = preview(city.hq, FENGXIAN.read_bytes(), create_categories=True)

    assert any("district" in e["message"] for e in plan.errors)


@pytest.mark.realdata
def test_importing_the_same_list_again_creates_nothing_and_reports_points_present(city, fengxian):
    first, _ = import_now(city.hq, FENGXIAN.read_bytes(), district="奉贤区", create_categories=True)
    count = SamplePoint.objects.count()

    second, plan = import_now(city.hq, FENGXIAN.read_bytes(), district="奉贤区", create_categories=True)

    assert second.status == ImportStatus.DONE
    assert second.created_count == 0
    assert plan.already_present == first.created_count
    assert plan.new_categories == {}
    assert SamplePoint.objects.count() == count


@pytest.mark.realdata
def test_generated_codes_read_district_category_and_number(city, fengxian):
    import_now(city.hq, FENGXIAN.read_bytes(), district="奉贤区", create_categories=True)

    codes = list(SamplePoint.objects.filter(district=fengxian).values_list("code", flat=True))
    assert all(re.fullmatch(r"FX-KP\d{2}-\d{4}", code) for code in codes), codes[:5]
    assert len(set(codes)) == len(codes)


# --- The template layout ------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [ZH, EN, BOTH, [f"{en}/{zh}" for zh, en in zip(ZH, EN, strict=True)]],
                         ids=["chinese", "english", "both", "slash"])
def test_template_headers_are_accepted_in_either_language(city, headers):
    rows = [
        headers,
        point_row(headers, name="新农贸市场", category="MKT", district="甲区", grid="甲一网格", road="甲路",
                  address="甲路 1 号", latitude=30.5, longitude="121.25", responsible_unit="甲街道办", team="T01"),
        point_row(headers, code="A-X-1", name="新小餐馆", category="Small restaurants", district="District A"),
    ]

    record, _plan = import_now(city.hq, xlsx_bytes(rows))

    assert record.created_count == 2
    market = SamplePoint.objects.get(name="新农贸市场")
    assert (market.category, market.district, market.grid, market.road) == (
        city.market, city.district_a, city.grid_a, city.road_a)
    assert (market.latitude, market.longitude) == (Decimal("30.500000"), Decimal("121.250000"))
    assert (market.responsible_unit, market.team) == (city.office_a, city.team)
    assert SamplePoint.objects.get(code="A-X-1").category == city.restaurant


def test_names_match_with_full_width_parentheses_and_stray_spaces(city):
    make_category("MKT2", "农贸市场(含生鲜超市)", "Markets incl. fresh-food shops")
    rows = [ZH, point_row(ZH, name="新市场", category=" 农贸市场（含生鲜超市） ", district="Ａ")]

    record, plan = import_now(city.hq, xlsx_bytes(rows))

    assert plan.new_categories == {}
    assert SamplePoint.objects.get(name="新市场").category.code == "MKT2"


def test_repeated_place_in_the_template_is_created_once_with_a_warning(city):
    rows = [ZH,
            point_row(ZH, name="重复市场", category="MKT", district="A"),
            point_row(ZH, name="重复 市场", category="农贸市场", district="甲区")]

    record, _plan = import_now(city.hq, xlsx_bytes(rows))

    assert SamplePoint.objects.filter(name="重复市场").count() == 1
    assert record.created_count == 1
    assert {"row": 3, "column": "名称", "value": "重复 市场"}.items() <= record.warnings[0].items()


def test_point_already_present_is_left_unchanged_not_duplicated(city):
    existing = city.points_a[0]
    rows = [EN, point_row(EN, name=existing.name, category="MKT", district="A", address="elsewhere")]

    record, plan = import_now(city.hq, xlsx_bytes(rows))

    assert record.created_count == 0
    assert plan.already_present == 1
    existing.refresh_from_db()
    assert existing.address == ""
    assert existing.code in record.warnings[0]["message"]


def test_missing_district_column_can_be_given_for_the_whole_file(city):
    rows = [["名称", "类别"], ["全文件区县点", "小餐饮"]]

    record, _plan = import_now(city.hq, xlsx_bytes(rows), district="乙区")

    assert SamplePoint.objects.get(name="全文件区县点").district == city.district_b


def test_packed_list_count_mismatch_is_a_warning_and_still_imports(city):
    rows = [["序号", "场所", "最小量", "检查量", "检查点位"],
            [1, "农贸市场", "1-3", 5, "一号市场、二号市场"],
            ["合计", None, None, "=SUM(D2:D2)", None]]

    record, _plan = import_now(city.hq, xlsx_bytes(rows), district="A")

    assert record.created_count == 2
    mismatch = [w for w in record.warnings if w["column"] == "检查量"]
    assert mismatch and mismatch[0]["row"] == 2 and mismatch[0]["value"] == "5"


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_is_read_in_gb18030_and_utf8_with_or_without_bom(city, encoding):
    rows = [ZH, point_row(ZH, name="编码测试（市场）", category="农贸市场", district="甲区", address="甲路·一号")]

    record, _plan = import_now(city.hq, csv_bytes(rows, encoding=encoding), name="points.csv")

    point = SamplePoint.objects.get(name="编码测试（市场）")
    assert point.address == "甲路·一号"
    assert record.created_count == 1


# --- Broken files write nothing ------------------------------------------------------------------


def test_bad_rows_are_all_reported_with_row_and_column_and_nothing_is_written(city):
    before = SamplePoint.objects.count()
    rows = [
        BOTH,
        point_row(BOTH, name="好的点", category="MKT", district="A"),
        point_row(BOTH, name="未知区县点", category="MKT", district="火星区"),
        point_row(BOTH, name="坏纬度点", category="MKT", district="A", latitude="north", longitude=121),
        point_row(BOTH, category="MKT", district="A", address="没有名称"),
        point_row(BOTH, name="越界点", category="MKT", district="A", latitude=95, longitude=121),
        point_row(BOTH, name="别区网格点", category="MKT", district="A", grid="乙一网格"),
        point_row(BOTH, name="未知类别点", category="火箭发射场", district="A"),
    ]

    record, plan = preview(city.hq, xlsx_bytes(rows))

    found = {(e["row"], e["column"], e["value"]) for e in plan.errors}
    assert found == {
        (3, "区县 District", "火星区"),
        (4, "纬度 Latitude", "north"),
        (5, "名称 Name", ""),
        (6, "纬度 Latitude", "95"),
        (7, "网格 Grid", "乙一网格"),
        (8, "类别 Category", "火箭发射场"),
    }
    assert all(e["message"] for e in plan.errors)
    assert record.errors == plan.errors
    with pytest.raises(import_service.ImportStateError):
        import_service.sample_point_import_confirm(user=city.hq, record=record, run_now=True)
    assert SamplePoint.objects.count() == before
    assert not SamplePoint.objects.filter(name="好的点").exists()


def test_run_checks_the_file_again_and_writes_nothing_if_the_city_changed(city):
    """The city changed between preview and run: the write is one transaction."""
    rows = [ZH, point_row(ZH, name="甲一", category="MKT", district="A"),
            point_row(ZH, name="甲二", category="MKT", district="A")]
    record, _plan = preview(city.hq, xlsx_bytes(rows))
    District.objects.filter(pk=city.district_a.pk).update(code="A-RENAMED", name="改名区", name_en="")

    record = import_service.sample_point_import_confirm(user=city.hq, record=record, run_now=True)

    assert record.status == ImportStatus.FAILED
    assert record.errors and record.errors[0]["row"] == 2
    assert not SamplePoint.objects.filter(name__in=["甲一", "甲二"]).exists()


def test_code_of_another_place_is_an_error(city):
    other = make_sample_point(district=city.district_a, category=city.restaurant, code="TAKEN-1", name="别的点")
    rows = [EN, point_row(EN, code=other.code, name="新点", category="MKT", district="A")]

    _record, plan = preview(city.hq, xlsx_bytes(rows))

    assert [(e["row"], e["column"]) for e in plan.errors] == [(2, "Code")]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a spreadsheet"),
        (b"PK\x03\x04 this is not really a zip", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
        ("一些随便的文字\n没有表头".encode(), "header"),
    ],
    ids=["empty", "png-renamed", "broken-zip", "old-xls", "text-without-headers"],
)
def test_files_that_are_not_sample_point_lists_are_refused_and_write_nothing(city, data, fragment):
    before = SamplePoint.objects.count()

    record, plan = preview(city.hq, data, name="points.xlsx")

    assert len(plan.errors) == 1
    assert fragment in plan.errors[0]["message"]
    assert record.status == ImportStatus.PREVIEWED
    with pytest.raises(import_service.ImportStateError):
        import_service.sample_point_import_confirm(user=city.hq, record=record, run_now=True)
    assert SamplePoint.objects.count() == before


def test_a_zip_that_is_not_a_workbook_is_refused(city):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    _record, plan = preview(city.hq, buffer.getvalue())

    assert "not an Excel workbook" in plan.errors[0]["message"]


@pytest.mark.realdata
def test_preview_keeps_the_file_and_writes_no_sample_point(city, fengxian):
    before = SamplePoint.objects.count()

    record, plan = preview(city.hq, FENGXIAN.read_bytes(), "sample_points_list.xlsx",
                           district="奉贤区", create_categories=True)

    assert SamplePoint.objects.count() == before
    assert not Category.objects.filter(name_zh="小旅馆周边").exists()
    assert record.status == ImportStatus.PREVIEWED
    assert record.total_rows == plan.total_rows
    assert record.file.name.endswith(".xlsx")
    assert len(plan.summary()["new_categories"]) == 10
    assert SamplePointImport.objects.filter(pk=record.pk, original_name="sample_points_list.xlsx").exists()


def test_only_hq_may_preview(city):
    with pytest.raises(PermissionError):
        preview(city.district_lead, xlsx_bytes([ZH]))
