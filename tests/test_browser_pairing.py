"""On a phone: HQ imports communities (a bad row first, refused by row and column), the unit's
handler records a pair task done with a photo and a visit, and the pair's progress bar moves.
In Chromium."""

import datetime as dt
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from campaign.models import Community
from campaign.tests.factories import PASSWORD
from campaign.tests.files.builders import xlsx_bytes
from programme.choices import PairTaskStatus
from programme.models import PairTask
from programme.tests.pairing_factories import pair, task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_communities_are_imported_then_a_unit_records_its_pair_task_and_visit(live_server, phone_page, city,
                                                                               tmp_path):
    page = phone_page
    sign_in(page, live_server.url, "hq")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([["名称", "区县"], ["甲一社区", "甲区"], ["甲二社区", "丙区"]]))
    page.goto(f"{live_server.url}/programme/pairing/communities/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-errors")).to_contain_text("丙区")
    expect(page.locator("#import-errors td").first).to_have_text("3")
    assert not Community.objects.exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes([["名称", "区县"], ["甲一社区", "甲区"], ["甲二社区", "A"]]))
    page.set_input_files("#id_file", str(good))
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-preview tbody tr")).to_have_count(2)
    page.click("#import-confirm button")
    page.wait_for_url("**/programme/pairing/communities/")
    assert Community.objects.count() == 2

    the_pair = pair(city, unit=city.office_a, community=Community.objects.get(name="甲一社区"))
    the_task = task(city, the_pair, due_on=dt.date(2025, 3, 1))
    task(city, the_pair, due_on=dt.date(2025, 4, 1), title="健康讲座")

    sign_in(page, live_server.url, "unit_handler")
    page.goto(f"{live_server.url}/programme/pairing/{the_pair.pk}/")
    expect(page.locator("#pair-progress .progress-bar")).to_have_text("0%")
    page.locator(f"#task-{the_task.pk} summary").first.click()
    form = page.locator(f"#done-form-{the_task.pk}")
    form.locator("textarea[name=note]").fill("清理楼道堆物 12 处")
    photo = tmp_path / "evidence.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    form.locator("input[type=file][capture]").set_input_files(str(photo))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("#pair-progress .progress-bar")).to_have_text("50%")
    expect(page.locator(f"#task-{the_task.pk} img")).to_have_count(1)
    assert PairTask.objects.get(pk=the_task.pk).status == PairTaskStatus.DONE

    page.locator("details:has(#visit-form) summary").click()
    page.fill("#visit-form input[name=visitors]", "王芳、李强")
    page.fill("#visit-form textarea[name=work_done]", "检查背街小巷卫生")
    page.click("#visit-form button[type=submit]")
    page.wait_for_url(f"**/programme/pairing/{the_pair.pk}/")
    expect(page.locator("#visits-30")).to_have_text("1")
    expect(page.locator("#pair-visits")).to_contain_text("检查背街小巷卫生")
