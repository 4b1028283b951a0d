"""A special action in Chromium: HQ creates it from an Excel list (checked, previewed, then
written), a unit's handler marks an object done with a photo on a phone, HQ verifies at a desk;
the action's progress and the weekly assignment report's section move."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from openpyxl import Workbook
from PIL import Image
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from programme.models import ActionTarget, SpecialAction, TargetEvent
from reports import services as reports
from reports.choices import ReportKind
from reports.periods import last_finished

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def files(tmp_path):
    photo = tmp_path / "after.jpg"
    Image.new("RGB", (800, 600), (40, 140, 70)).save(photo, format="JPEG")
    book = Workbook()
    sheet = book.active
    sheet.append(["名称 Name", "区县 District", "地址 Address", "目标状态 Target state", "责任单位 Responsible unit",
                  "完成时限 Deadline"])
    sheet.append(["人民公园公厕", "甲区", "人民路1号", "二类以上，有无障碍厕位", "甲街道办", ""])
    sheet.append(["乙区广场公厕", "乙区", "广场东侧", "二类以上", "乙街道办", ""])
    sheet.append(["菜场公厕", "丙区", "", "二类以上", "甲街道办", ""])  # no such district
    bad = tmp_path / "toilets-bad.xlsx"
    book.save(bad)
    sheet.delete_rows(4)
    good = tmp_path / "toilets.xlsx"
    book.save(good)
    return {"photo": photo, "bad": bad, "good": good}


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def progress(page):
    section = page.locator("#action-progress")
    return {name: section.get_attribute(f"data-{name}") for name in ("total", "done", "verified")}


def weekly_section(page, base_url, report_id):
    page.goto(f"{base_url}/reports/{report_id}/")
    total = page.locator("[data-test=special-actions] tfoot tr[data-action=total]")
    return [total.locator(f"[data-cell={name}]").inner_text() for name in ("done", "verified")]


def back_a_week(*, objects=False):
    """Reports cover finished weeks only: what was just done is moved back a week, as if done then."""
    if objects:
        ActionTarget.objects.update(created_at=timezone.now() - dt.timedelta(days=8))
        TargetEvent.objects.filter(step="add").update(at=timezone.now() - dt.timedelta(days=8))
    else:
        for event in TargetEvent.objects.exclude(step="add"):
            TargetEvent.objects.filter(pk=event.pk).update(at=event.at - dt.timedelta(days=7))


def weekly_report(hq) -> int:
    week = last_finished(ReportKind.WEEKLY_ASSIGNMENT)
    report = reports.report_request(kind=ReportKind.WEEKLY_ASSIGNMENT, period_start=week.start, requested_by=hq)
    return reports.report_run(report_id=report.pk).pk


def test_hq_loads_an_action_from_excel_a_unit_finishes_an_object_hq_verifies_and_progress_moves(
    live_server, desk_page, phone_page, city, files
):
    desk, base = desk_page, live_server.url
    errors = []
    desk.on("pageerror", lambda error: errors.append(str(error)))
    today = timezone.localdate()
    sign_in(desk, base, "hq")

    # HQ creates the action.
    desk.goto(f"{base}/programme/actions/")
    desk.click("#new-action")
    desk.fill("#id_name", "公共厕所提档升级")
    desk.fill("#id_name_en", "Public toilets upgrade")
    desk.select_option("#id_team", str(city.team.pk))
    desk.fill("#id_starts_on", (today - dt.timedelta(days=30)).isoformat())
    desk.fill("#id_ends_on", (today + dt.timedelta(days=60)).isoformat())
    desk.click("main form button[type=submit]")
    desk.wait_for_url("**/import/")
    action = SpecialAction.objects.get(name="公共厕所提档升级")

    # A list with an unknown district: its row and column named, nothing written.
    desk.set_input_files("#objects-upload input[type=file]", str(files["bad"]))
    desk.click("#objects-upload button[type=submit]")
    expect(desk.locator("#import-errors tr[data-row='4'][data-column='区县 District']")).to_be_visible()
    expect(desk.locator("#import-confirm")).to_have_count(0)
    assert ActionTarget.objects.count() == 0

    # The corrected list: previewed, then written on confirmation.
    desk.goto(f"{base}/programme/actions/{action.pk}/import/")
    desk.set_input_files("#objects-upload input[type=file]", str(files["good"]))
    desk.click("#objects-upload button[type=submit]")
    expect(desk.locator("#import-preview tbody tr")).to_have_count(2)
    desk.click("#import-confirm button")
    desk.wait_for_url(f"**/programme/actions/{action.pk}/")
    assert progress(desk) == {"total": "2", "done": "0", "verified": "0"}
    back_a_week(objects=True)
    before = weekly_report(city.hq)
    assert weekly_section(desk, base, before) == ["0", "0"]

    # The unit's handler, on a phone: the object to finish, done with a photo from the gallery.
    phone = phone_page
    sign_in(phone, base, "unit_handler")
    phone.goto(f"{base}/programme/actions/objects/?status=open")
    expect(phone.locator("#targets tbody tr")).to_have_count(1)  # its own object only
    phone.locator("#targets a", has_text="人民公园公厕").click()
    expect(phone.locator("form[data-step=finish]")).to_have_count(0)  # started first, with a before-photo
    form = phone.locator("form[data-step=start]")
    form.locator("input[type=file]").nth(1).set_input_files(str(files["photo"]))
    form.locator("button[type=submit]").click()
    expect(phone.locator("#target-status")).to_have_attribute("data-status", "in_progress")
    form = phone.locator("form[data-step=finish]")
    form.locator("textarea").fill("新换蹲位、洗手台，增设无障碍厕位")
    form.locator("input[type=file]").nth(1).set_input_files(str(files["photo"]))
    form.locator("button[type=submit]").click()
    expect(phone.locator("#target-status")).to_have_attribute("data-status", "done")
    thumbnail = phone.locator("#timeline img").first
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(phone.locator("form[data-step=verify]")).to_have_count(0)  # the unit never verifies its own

    # HQ verifies at the desk; the action's progress moves.
    target = ActionTarget.objects.get(name="人民公园公厕")
    desk.goto(f"{base}/programme/actions/objects/{target.pk}/")
    desk.locator("form[data-step=verify] button[type=submit]").click()
    expect(desk.locator("#target-status")).to_have_attribute("data-status", "verified")
    steps = desk.locator("#timeline [data-event]").evaluate_all("items => items.map(i => i.dataset.event)")
    assert steps == ["add", "start", "finish", "verify"]
    desk.goto(f"{base}/programme/actions/{action.pk}/")
    assert progress(desk) == {"total": "2", "done": "1", "verified": "1"}
    desk.goto(f"{base}/programme/actions/")
    expect(desk.locator(f"[data-action='{action.pk}'] .action-progress")).to_have_attribute("data-done", "1")

    # The weekly assignment report's section moves too.
    back_a_week()
    after = weekly_report(city.hq)
    assert weekly_section(desk, base, after) == ["1", "1"]
    assert errors == []
