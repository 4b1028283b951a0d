"""HQ's Excel round trip of the standard: export, import unchanged, bad rows refused by row and column."""

import datetime
import io

import openpyxl
import pytest

from assessment.models import MaterialRequirement, StandardArticle, StandardChange
from assessment.services import standard as standard_service

from .standard_support import english  # noqa: F401 (autouse: messages in English)

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(city):
    return standard_service.standard_load(use=True).edition


def _state(edition):
    articles = list(StandardArticle.objects.filter(part__edition=edition).order_by("pk")
                    .values_list("pk", "number", "title", "title_en", "team", "order", "active"))
    materials = list(MaterialRequirement.objects.filter(article__part__edition=edition).order_by("pk")
                     .values_list("pk", "article", "code", "title", "title_en", "responsible_unit", "due_date",
                              "order", "active"))
    return articles, materials


def _sheet(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return workbook, workbook.active


def _save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _column(sheet, key) -> int:
    return [k for k, _h in standard_service.COLUMNS].index(key) + 1


def test_export_then_import_changes_nothing(city, edition):
    material = MaterialRequirement.objects.filter(article__part__edition=edition).first()
    standard_service.material_requirement_assign(material=material, actor=city.hq, responsible_unit=city.office_a,
                                                 due_date=datetime.date(2026, 12, 31))
    before = _state(edition)
    changes = StandardChange.objects.count()
    data = standard_service.standard_workbook(edition=edition)
    check = standard_service.standard_import_check(edition=edition, data=data)
    assert check.errors == []
    assert check.summary["articles"] == 40 and check.summary["new_materials"] == 0 and check.summary["assigned"] == 0
    report = standard_service.standard_import(edition=edition, data=data, actor=city.hq)
    assert not report.changed
    assert _state(edition) == before
    assert StandardChange.objects.count() == changes


def test_hq_fills_in_titles_units_and_dates_in_excel(city, edition):
    workbook, sheet = _sheet(standard_service.standard_workbook(edition=edition))
    sheet.cell(row=2, column=_column(sheet, "article_title"), value="爱卫工作纳入议事日程")
    sheet.cell(row=2, column=_column(sheet, "unit"), value=city.office_b.name)
    sheet.cell(row=2, column=_column(sheet, "due_date"), value=datetime.date(2027, 1, 15))
    sheet.cell(row=3, column=_column(sheet, "required"), value="no")
    code2 = sheet.cell(row=2, column=_column(sheet, "material")).value
    code3 = sheet.cell(row=3, column=_column(sheet, "material")).value
    check = standard_service.standard_import_check(edition=edition, data=_save(workbook))
    assert check.errors == [] and check.summary["retitled"] == 1 and check.summary["assigned"] == 1
    standard_service.standard_import(edition=edition, data=_save(workbook), actor=city.hq, file_name="hq.xlsx")
    material = MaterialRequirement.objects.get(code=code2)
    assert material.responsible_unit == city.office_b and material.due_date == datetime.date(2027, 1, 15)
    assert material.article.title == "爱卫工作纳入议事日程"
    assert not MaterialRequirement.objects.get(code=code3).active
    change = StandardChange.objects.filter(action="imported").get()
    assert change.actor == city.hq and change.target == "hq.xlsx"
    assert {"material": code2, "changed": {"responsible_unit": [None, city.office_b.pk],
                                           "due_date": [None, "2027-01-15"]}} in change.details["changes"]


def test_a_bad_row_is_refused_naming_row_and_column_and_nothing_is_written(city, edition):
    before = _state(edition)
    workbook, sheet = _sheet(standard_service.standard_workbook(edition=edition))
    sheet.cell(row=2, column=_column(sheet, "article_title"), value="changed, but must not be written")
    sheet.cell(row=5, column=_column(sheet, "unit"), value="不存在的单位")
    sheet.cell(row=7, column=_column(sheet, "due_date"), value="next week")
    sheet.cell(row=9, column=_column(sheet, "part"), value="nine")
    data = _save(workbook)
    check = standard_service.standard_import_check(edition=edition, data=data)
    where = {(e["row"], e["column"]) for e in check.errors}
    assert (5, "N") in where and (7, "O") in where and (9, "A") in where
    assert any("不存在的单位" == e["value"] and "unit" in e["message"] for e in check.errors)
    with pytest.raises(standard_service.StandardDataError) as refused:
        standard_service.standard_import(edition=edition, data=data, actor=city.hq)
    assert "5/N" in str(refused.value)
    assert _state(edition) == before


def test_a_material_cannot_move_to_another_article(city, edition):
    workbook, sheet = _sheet(standard_service.standard_workbook(edition=edition))
    sheet.cell(row=2, column=_column(sheet, "article"), value="2")
    check = standard_service.standard_import_check(edition=edition, data=_save(workbook))
    assert any(e["row"] == 2 and e["column"] == "K" and "cannot move" in e["message"] for e in check.errors)


def test_not_a_workbook_and_a_missing_column_are_refused(city, edition):
    check = standard_service.standard_import_check(edition=edition, data=b"")
    assert check.errors and check.errors[0]["message"]
    workbook, sheet = _sheet(standard_service.standard_workbook(edition=edition))
    sheet.delete_cols(_column(sheet, "unit"))
    check = standard_service.standard_import_check(edition=edition, data=_save(workbook))
    assert check.errors[0]["row"] == 1 and "responsible unit" in check.errors[0]["message"]


def test_formula_like_text_round_trips_as_text(city, edition):
    workbook, sheet = _sheet(standard_service.standard_workbook(edition=edition))
    sheet.cell(row=2, column=_column(sheet, "article_title_en"), value="'=HYPERLINK(\"x\")")
    standard_service.standard_import(edition=edition, data=_save(workbook), actor=city.hq)
    article = StandardArticle.objects.get(part__edition=edition, part__number=1, number="1")
    assert article.title_en == '=HYPERLINK("x")'
    # Written back out, it is text (quote-prefixed), never a formula.
    _workbook, sheet = _sheet(standard_service.standard_workbook(edition=edition))
    cell = sheet.cell(row=2, column=_column(sheet, "article_title_en"))
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")'


def test_non_hq_cannot_import_or_assign(city, edition):
    data = standard_service.standard_workbook(edition=edition)
    material = MaterialRequirement.objects.first()
    for name in ("leader", "team_lead", "unit_handler", "inspector"):
        with pytest.raises(standard_service.StandardPermissionError):
            standard_service.standard_import(edition=edition, data=data, actor=city.users[name])
        with pytest.raises(standard_service.StandardPermissionError):
            standard_service.material_requirement_assign(material=material, actor=city.users[name],
                                                         responsible_unit=city.office_a, due_date=None)
    material.refresh_from_db()
    assert material.responsible_unit is None


def test_two_parts_on_one_category_are_refused(city, edition):
    workbook, sheet = _sheet(standard_service.standard_workbook(edition=edition))
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == 2)
    sheet.cell(row=row, column=_column(sheet, "category"), value="STD1")
    check = standard_service.standard_import_check(edition=edition, data=_save(workbook))
    assert any(e["row"] == row and e["column"] == "B" and "part 1" in e["message"] for e in check.errors)
