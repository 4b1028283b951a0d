"""manage.py import_sample_points FILE: summary, row errors, exit status, the acting user."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from campaign.choices import ImportStatus, Role
from campaign.models import Category, District, SamplePoint, SamplePointImport, User
from campaign.tests.factories import make_user
from campaign.tests.files.builders import FENGXIAN, ZH, fengxian_listing, point_row, xlsx_bytes


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


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_sample_points", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.realdata
def test_command_imports_the_fengxian_list_whatever_its_size(city, fengxian, settings):
    settings.IMPORT_BACKGROUND_ROWS = 10  # the command never queues: it is the background
    distinct = sum(len(names) for _row, _listed, names in fengxian_listing().values())

    out, err = run(str(FENGXIAN), "--district", "奉贤区", "--create-categories")

    assert SamplePoint.objects.filter(district=fengxian).count() == distinct
    assert f"{distinct} sample points created" in out
    assert "小旅馆周边 (new category)" in out
    assert "Warning: row 2, column 检查点位 [南中路]" in err
    record = SamplePointImport.objects.get()
    assert (record.status, record.created_by) == (ImportStatus.DONE, city.hq)


@pytest.mark.realdata
def test_dry_run_prints_the_preview_and_writes_nothing(city, fengxian):
    out, _err = run(str(FENGXIAN), "--district", "FX", "--create-categories", "--dry-run")

    assert "Dry run" in out
    assert SamplePoint.objects.filter(district=fengxian).count() == 0
    assert not Category.objects.filter(name_zh="小旅馆周边").exists()


def test_errors_are_printed_with_row_and_column_and_exit_non_zero(city, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_bytes([ZH, point_row(ZH, name="命令坏点", category="MKT", district="火星区")]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 errors"):
        call_command("import_sample_points", str(path), stdout=io.StringIO(), stderr=err)

    assert "row 2, column 区县 [火星区]" in err.getvalue()
    assert not SamplePoint.objects.filter(name="命令坏点").exists()


def test_unknown_categories_without_the_option_fail(city, fengxian):
    with pytest.raises(CommandError):
        run(str(FENGXIAN), "--district", "奉贤区")

    assert SamplePoint.objects.filter(district=fengxian).count() == 0


def test_acting_user_can_be_chosen_and_must_be_hq(city, tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(xlsx_bytes([ZH, point_row(ZH, name="命令点", category="MKT", district="A")]))
    other_hq = make_user("hq2", Role.HQ_STAFF)

    run(str(path), "--user", "hq2")
    assert SamplePointImport.objects.get().created_by == other_hq

    with pytest.raises(CommandError, match="not HQ staff"):
        run(str(path), "--user", "district_lead")


def test_without_any_hq_account_nothing_is_imported(db, tmp_path):
    District.objects.create(code="A", name="甲区")
    path = tmp_path / "ok.xlsx"
    path.write_bytes(xlsx_bytes([["名称", "类别", "区县"], ["点", "农贸市场", "甲区"]]))
    assert not User.objects.exists()

    with pytest.raises(CommandError, match="No HQ staff account"):
        run(str(path))

    assert not SamplePointImport.objects.exists()


def test_a_missing_file_is_reported(city):
    with pytest.raises(CommandError, match="No such file"):
        run("/nonexistent/points.xlsx")
