"""HQ works the rewards on a phone (approve, record the payment) and downloads the month's
payment list for the finance office at a desk, in Chromium."""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from public_reports.choices import RewardStatus
from public_reports.models import Reward
from public_reports.tests.reward_factories import reward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_hq_approves_and_pays_a_reward_on_a_phone_and_finance_gets_the_list(
        live_server, phone_page, desk_page, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    made = reward(city, mobile="13912345678")

    phone = phone_page
    sign_in(phone, live_server.url, "hq")
    phone.goto(f"{live_server.url}/rewards/?status=pending")
    row = phone.locator(f"[data-reward='{made.pk}']")
    expect(row).to_contain_text("13912345678")
    row.locator("form[action$='/approve/'] button").click()
    phone.wait_for_url("**/rewards/?status=pending")
    expect(phone.locator(f"[data-reward='{made.pk}']")).to_have_count(0)

    phone.goto(f"{live_server.url}/rewards/?status=approved")
    row = phone.locator(f"[data-reward='{made.pk}']")
    row.locator("input[name=payment_reference]").fill("CW-202612-0001")
    row.locator("form[action$='/pay/'] button").click()
    phone.wait_for_url("**/rewards/?status=approved")
    made.refresh_from_db()
    assert (made.status, made.payment_reference) == (RewardStatus.PAID, "CW-202612-0001")

    desk = desk_page
    sign_in(desk, live_server.url, "hq")
    desk.goto(f"{live_server.url}/rewards/?month={made.month:%Y-%m}")
    with desk.expect_download() as download:
        desk.locator(f"a[href$='payments.xlsx?month={made.month:%Y-%m}']").click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][0] == made.report.code and rows[1][2] == "13912345678"
    assert rows[-1][6] == float(Reward.objects.get().amount)
