"""The materials archive in Chromium: a unit uploads a material on a phone, HQ returns it with a
comment, the unit sees the comment and uploads a new version, HQ accepts, and the article's
completeness moves; then HQ downloads the whole archive as a ZIP (the job runs in the web
process's eager worker) and the test checks its folder order and the files' bytes."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessment.demo.archive import tiny_docx, tiny_pdf
from assessment.models import MaterialFile
from assessment.tests.archive_factories import build_standard
from campaign.tests.factories import PASSWORD
from config.celery import app as celery_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager_worker(monkeypatch):
    """The ZIP job runs in the web process as soon as it is queued (as other browser tests' jobs)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def article_percent(page, base_url, article_id) -> str:
    page.goto(f"{base_url}/assessment/archive/completeness/?by=article")
    return page.locator(f"#completeness-table tr[data-id='{article_id}'] [data-percent]").get_attribute("data-percent")


def test_upload_return_answer_accept_and_download_the_archive(live_server, browser, desk_page, city, tmp_path,
                                                              eager_worker):
    std = build_standard(city)
    base = live_server.url
    first_file, second_file = tmp_path / "年度计划.pdf", tmp_path / "年度计划（修改）.docx"
    first_file.write_bytes(tiny_pdf("plan v1"))
    second_file.write_bytes(tiny_docx("年度工作计划 第二版"))

    unit_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                       locale="zh-CN")
    unit = unit_context.new_page()
    unit.set_default_timeout(15_000)
    hq = desk_page

    # HQ sees article 1.1 at 0% complete.
    sign_in(hq, base, "hq")
    assert article_percent(hq, base, std.article11.pk) == "0.0"

    # The unit finds its material in the archive list and uploads it.
    sign_in(unit, base, "unit_handler")
    unit.goto(f"{base}/assessment/archive/")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(2)  # only office A's materials
    unit.locator("#archive-table tr[data-code='1.1-02'] a").click()
    expect(unit.locator("#material-status [data-status]")).to_have_attribute("data-status", "missing")
    unit.set_input_files("#upload-form input[type=file]", str(first_file))
    unit.click("#upload-submit")
    expect(unit.locator("#material-status [data-status]")).to_have_attribute("data-status", "submitted")
    expect(unit.locator("#material-versions li")).to_have_count(1)

    # HQ returns it with a comment.
    material_url = f"{base}/assessment/archive/materials/{std.plan.pk}/"
    hq.goto(material_url)
    hq.fill("#review-form textarea[name=comment]", "缺少单位盖章，请补充后重新上传。")
    hq.click("#review-return")
    expect(hq.locator("#material-status [data-status]")).to_have_attribute("data-status", "returned")

    # The unit sees the comment and answers with a new version.
    unit.goto(material_url)
    expect(unit.locator("#material-returned")).to_contain_text("缺少单位盖章")
    unit.set_input_files("#upload-form input[type=file]", str(second_file))
    unit.click("#upload-submit")
    expect(unit.locator("#material-status [data-status]")).to_have_attribute("data-status", "submitted")
    expect(unit.locator("#material-versions li")).to_have_count(2)
    expect(unit.locator("#review-form")).to_have_count(0)  # units do not review

    # HQ accepts version 2; the article's completeness moves from 0 to 50% (1 of its 2 materials).
    hq.goto(material_url)
    expect(hq.locator("#review-heading")).to_contain_text("2")
    hq.click("#review-accept")
    expect(hq.locator("#material-status [data-status]")).to_have_attribute("data-status", "accepted")
    assert article_percent(hq, base, std.article11.pk) == "50.0"

    # HQ downloads the whole archive: the job page shows it done, the ZIP holds the accepted version.
    hq.goto(f"{base}/assessment/archive/")
    hq.click("#archive-zip-button")
    hq.wait_for_url(re.compile(r".*/assessment/archive/zip/\d+/$"))
    expect(hq.locator("#archive-zip-progress")).to_have_attribute("data-status", "done", timeout=30_000)
    with hq.expect_download() as download_info:
        hq.click("#archive-zip-download")
    data = Path(download_info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == ["00 档案目录.xlsx",
                         "01 爱国卫生组织管理/01 1.1 组织机构/02 1.1-02 年度工作计划和总结/v2 年度计划（修改）.docx"]
        accepted = MaterialFile.objects.get(requirement=std.plan, version=2)
        assert archive.read(names[1]) == second_file.read_bytes() == accepted.file.open("rb").read()
        from openpyxl import load_workbook

        index = load_workbook(io.BytesIO(archive.read(names[0]))).worksheets[0]
        assert [row[2].value for row in index.iter_rows(min_row=2)] == ["1.1-01", "1.1-02", "1.2-01", "3.1-01"]
    unit_context.close()
