"""The HQ import pages: upload and preview, confirm, progress, the template download."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from campaign.choices import ImportStatus
from campaign.importing import layouts
from campaign.models import District, SamplePoint, SamplePointImport
from campaign.services import imports as import_service
from campaign.tests.files.builders import FENGXIAN, ZH, point_row, upload, xlsx_bytes

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


@pytest.fixture
def previewed(city):
    rows = [ZH, point_row(ZH, name="页面导入点", category="MKT", district="A")]
    record, _plan = import_service.sample_point_import_preview(
        user=city.hq, file_name="points.xlsx", data=xlsx_bytes(rows), defaults={}
    )
    return record


def page_urls(record):
    return [
        reverse("campaign:sample_point_import"),
        reverse("campaign:sample_point_import_template"),
        reverse("campaign:sample_point_import_detail", args=[record.pk]),
        reverse("campaign:sample_point_import_progress", args=[record.pk]),
    ]


# --- Who may see the pages ---------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_import_page(login, previewed):
    client = login(None)
    for url in page_urls(previewed):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("actor", NOT_HQ)
def test_everyone_but_hq_gets_404_on_every_import_page(city, login, previewed, actor):
    client = login(getattr(city, actor))
    for url in page_urls(previewed):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("campaign:sample_point_import_detail", args=[previewed.pk]))
    assert response.status_code == 404
    assert not SamplePoint.objects.filter(name="页面导入点").exists()


def test_district_lead_cannot_upload(city, login):
    client = login(city.district_lead)
    rows = [ZH, point_row(ZH, name="区县上传点", category="MKT", district="A")]

    response = client.post(reverse("campaign:sample_point_import"), {"file": upload("p.xlsx", xlsx_bytes(rows))})

    assert response.status_code == 404
    assert not SamplePointImport.objects.exists()


# --- Upload, preview, confirm ----------------------------------------------------------------------


def test_hq_sees_the_upload_form_with_the_template_link(city, login):
    response = login(city.hq).get(reverse("campaign:sample_point_import"))

    assert response.status_code == 200
    assert reverse("campaign:sample_point_import_template") in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()


@pytest.mark.realdata
def test_hq_uploads_the_fengxian_list_and_sees_a_preview_that_writes_nothing(city, login, fengxian):
    client = login(city.hq)

    response = client.post(reverse("campaign:sample_point_import"), {
        "file": upload("sample_points_list.xlsx", FENGXIAN.read_bytes()),
        "district": fengxian.pk,
        "create_categories": "on",
    })

    record = SamplePointImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("campaign:sample_point_import_detail", args=[record.pk])
    assert record.defaults == {"district": "FX", "create_categories": True}
    assert SamplePoint.objects.filter(district=fengxian).count() == 0
    page = client.get(response.url).content.decode()
    assert "小旅馆周边" in page and "基础环卫设施（含公厕和垃圾厢房）" in page
    assert "566" in page  # the distinct places to create
    assert 'id="import-confirm"' in page


def test_hq_confirms_a_small_import_and_it_is_written_at_once(city, login, previewed):
    client = login(city.hq)

    response = client.post(reverse("campaign:sample_point_import_detail", args=[previewed.pk]), follow=True)

    previewed.refresh_from_db()
    assert previewed.status == ImportStatus.DONE
    assert previewed.created_count == 1
    assert SamplePoint.objects.filter(name="页面导入点", district=city.district_a).exists()
    assert response.status_code == 200


def test_confirming_twice_does_not_import_twice(city, login, previewed):
    client = login(city.hq)
    url = reverse("campaign:sample_point_import_detail", args=[previewed.pk])

    client.post(url)
    response = client.post(url, follow=True)

    assert SamplePoint.objects.filter(name="页面导入点").count() == 1
    assert "already been started" in response.content.decode()


def test_a_broken_file_shows_its_rows_and_columns_and_offers_no_import(city, login):
    client = login(city.hq)
    rows = [ZH, point_row(ZH, name="坏点", category="MKT", district="火星区", latitude="abc", longitude=1)]

    response = client.post(reverse("campaign:sample_point_import"), {"file": upload("bad.xlsx", xlsx_bytes(rows))},
                           follow=True)

    page = response.content.decode()
    assert "火星区" in page and "区县" in page and "纬度" in page
    assert '<td class="num">2</td>' in page
    record = SamplePointImport.objects.get()
    assert len(record.errors) == 2
    assert 'id="import-confirm"' not in page
    client.post(reverse("campaign:sample_point_import_detail", args=[record.pk]))
    assert not SamplePoint.objects.filter(name="坏点").exists()


def test_upload_larger_than_the_limit_is_refused(city, login, settings):
    settings.MAX_UPLOAD_MB = 1
    data = xlsx_bytes([ZH]) + b"\0" * (1024 * 1024 + 1)

    response = login(city.hq).post(reverse("campaign:sample_point_import"), {"file": upload("big.xlsx", data)})

    assert response.status_code == 200
    assert "larger than 1 MB" in response.content.decode()
    assert not SamplePointImport.objects.exists()


def test_upload_page_lists_recent_imports_in_few_queries(city, login, previewed, django_assert_max_num_queries):
    client = login(city.hq)
    for n in range(3):
        import_service.sample_point_import_preview(user=city.hq, file_name=f"list-{n}.xlsx",
                                                   data=xlsx_bytes([ZH]), defaults={})
    # The menu's counts (tasks, unread notifications) are kept per user: measure the page's own.
    client.get(reverse("campaign:sample_point_import"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("campaign:sample_point_import"))

    assert "list-2.xlsx" in response.content.decode()


def test_a_large_import_is_queued_and_shows_a_polling_progress_bar(city, login, previewed, settings,
                                                                   django_capture_on_commit_callbacks,
                                                                   monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = 0
    sent = []
    from campaign import tasks

    monkeypatch.setattr(tasks.sample_point_import_run, "delay", lambda import_id: sent.append(import_id))
    client = login(city.hq)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaign:sample_point_import_detail", args=[previewed.pk]), follow=True)

    previewed.refresh_from_db()
    assert previewed.status == ImportStatus.QUEUED
    assert sent == [previewed.pk]
    assert not SamplePoint.objects.filter(name="页面导入点").exists()
    page = response.content.decode()
    progress_url = reverse("campaign:sample_point_import_progress", args=[previewed.pk])
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    assert "<progress" in page


def test_progress_polls_while_running_and_stops_with_a_refresh_when_done(city, login, previewed):
    client = login(city.hq)
    url = reverse("campaign:sample_point_import_progress", args=[previewed.pk])
    SamplePointImport.objects.filter(pk=previewed.pk).update(status=ImportStatus.RUNNING, total_rows=4, processed_rows=1)

    running = client.get(url, HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert 'max="100" value="25"' in running.content.decode()
    assert "HX-Refresh" not in running.headers

    SamplePointImport.objects.filter(pk=previewed.pk).update(status=ImportStatus.DONE, created_count=4)
    done = client.get(url, HTTP_HX_REQUEST="true")

    assert "hx-trigger" not in done.content.decode()
    assert done.headers["HX-Refresh"] == "true"
    assert 'max="100" value="100"' in done.content.decode()


def test_progress_answers_json_outside_htmx(city, login, previewed):
    SamplePointImport.objects.filter(pk=previewed.pk).update(status=ImportStatus.RUNNING, total_rows=10, processed_rows=5)

    data = login(city.hq).get(reverse("campaign:sample_point_import_progress", args=[previewed.pk])).json()

    assert data["status"] == "running" and data["progress_percent"] == 50


# --- The template ---------------------------------------------------------------------------------


def test_template_is_an_xlsx_with_both_language_headers_and_an_example_row(city, login):
    response = login(city.hq).get(reverse("campaign:sample_point_import_template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [f"{zh} {en}" for en, zh, _o in layouts.TEMPLATE_COLUMNS.values()]
    example = [cell.value for cell in sheet[2]]
    assert example[1] and example[2] and example[3]
    name_column = sheet.column_dimensions["B"].width
    assert name_column >= 2 * len(example[1])  # a Chinese character is about two columns wide


def test_the_downloaded_template_reads_back_as_a_template_with_every_column(city, login):
    data = b"".join(login(city.hq).get(reverse("campaign:sample_point_import_template")).streaming_content)
    from campaign.importing.reading import read_sheets

    layout = layouts.detect(read_sheets(data))

    assert layout.kind == layouts.TEMPLATE
    assert set(layout.headers) == set(layouts.TEMPLATE_COLUMNS)
    assert len(layout.entries) == 1
