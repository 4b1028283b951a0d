"""POST /api/sample-points/import/: preview (dry_run), write, row errors, queue large files."""

import pytest
from django.utils import translation

from campaign.choices import ImportStatus
from campaign.models import Category, District, SamplePoint, SamplePointImport
from campaign.tests.files.builders import (
    EN,
    FENGXIAN,
    ZH,
    csv_bytes,
    fengxian_listing,
    point_row,
    upload,
    xlsx_bytes,
)

URL = "/api/sample-points/import/"
NOT_HQ = ["leader", "team_lead", "district_lead", "other_district_lead", "unit_handler", "inspector", "public"]


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


def good_file():
    return upload("points.xlsx", xlsx_bytes([EN, point_row(EN, name="API 导入点", category="MKT", district="A")]))


def test_anonymous_is_refused(login, city):
    response = login(None).post(URL, {"file": good_file()})

    assert response.status_code in (401, 403)
    assert not SamplePointImport.objects.exists()


@pytest.mark.parametrize("actor", NOT_HQ)
def test_everyone_but_hq_is_forbidden(city, login, actor):
    response = login(getattr(city, actor)).post(URL, {"file": good_file()})

    assert response.status_code == 403
    assert not SamplePointImport.objects.exists()
    assert not SamplePoint.objects.filter(name="API 导入点").exists()


def test_hq_token_client_may_import(city, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=city.hq)

    response = client.post(URL, {"file": good_file()}, HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 201


@pytest.mark.realdata
def test_dry_run_answers_the_preview_and_writes_nothing(city, login, fengxian):
    response = login(city.hq).post(URL, {
        "file": upload("sample_points_list.xlsx", FENGXIAN.read_bytes()),
        "district": "奉贤区", "create_categories": "1", "dry_run": "1",
    })

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "previewed"
    assert body["layout"] == "packed"
    assert len(body["categories"]) == 10 and len(body["new_categories"]) == 10
    assert body["to_create"] + body["repeats"] == body["total_rows"]
    assert body["errors"] == []
    assert SamplePoint.objects.filter(district=fengxian).count() == 0
    assert not Category.objects.filter(name_zh="小旅馆周边").exists()


def test_import_answers_201_with_the_created_count(city, login):
    response = login(city.hq).post(URL, {"file": good_file()})

    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 1 and body["status"] == "done"
    assert SamplePoint.objects.filter(name="API 导入点", district=city.district_a).exists()


def test_defaults_fill_what_the_file_leaves_out(city, login):
    data = csv_bytes([["名称"], ["默认值点"]], encoding="gb18030")

    response = login(city.hq).post(URL, {
        "file": upload("points.csv", data), "district": "B", "category": "小餐饮", "responsible_unit": "乙街道办",
    })

    assert response.status_code == 201, response.json()
    point = SamplePoint.objects.get(name="默认值点")
    assert (point.district, point.category, point.responsible_unit) == (
        city.district_b, city.restaurant, city.office_b)


def test_row_errors_answer_400_with_row_and_column_and_nothing_is_written(city, login):
    rows = [ZH,
            point_row(ZH, name="好点", category="MKT", district="A"),
            point_row(ZH, name="坏点", category="MKT", district="A", latitude="x", longitude="121")]

    response = login(city.hq).post(URL, {"file": upload("bad.xlsx", xlsx_bytes(rows))})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(3, "纬度", "x")]
    assert not SamplePoint.objects.filter(name__in=["好点", "坏点"]).exists()


def test_unknown_default_district_is_an_error(city, login):
    response = login(city.hq).post(URL, {"file": good_file(), "district": "火星区"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["value"] == "火星区"


def test_a_renamed_non_spreadsheet_is_a_400(city, login):
    response = login(city.hq).post(URL, {"file": upload("points.xlsx", b"%PDF-1.4\n\x00\x01\x02binary")})

    assert response.status_code == 400
    assert "not a spreadsheet" in response.json()["errors"][0]["message"]


def test_missing_file_is_a_400(city, login):
    response = login(city.hq).post(URL, {"district": "A"})

    assert response.status_code == 400
    assert "file" in response.json()


@pytest.mark.realdata
def test_a_large_file_is_queued_with_a_progress_url(city, login, fengxian, settings,
                                                     django_capture_on_commit_callbacks, monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = 100
    sent = []
    from campaign import tasks

    monkeypatch.setattr(tasks.sample_point_import_run, "delay", lambda import_id: sent.append(import_id))

    with django_capture_on_commit_callbacks(execute=True):
        response = login(city.hq).post(URL, {
            "file": upload("sample_points_list.xlsx", FENGXIAN.read_bytes()),
            "district": "FX", "create_categories": "true",
        })

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert sent == [body["id"]]
    assert body["progress_url"].endswith(f"/{body['id']}/progress/") or body["progress_url"].endswith(f"/{body['id']}/")
    assert SamplePointImport.objects.get(pk=body["id"]).status == ImportStatus.QUEUED
    assert SamplePoint.objects.filter(district=fengxian).count() == 0

    # The worker's job, run here: the queued import finishes.
    tasks.sample_point_import_run(body["id"])
    assert SamplePointImport.objects.get(pk=body["id"]).status == ImportStatus.DONE
    distinct = sum(len(names) for _row, _listed, names in fengxian_listing().values())
    assert SamplePoint.objects.filter(district=fengxian).count() == distinct
