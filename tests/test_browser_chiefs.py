"""A grid chief on a phone: signs in, opens the ledger and sees exactly their grid's problems,
read-only; another cell's problem is not found."""

import re

import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from ledger.tests.factories import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_grid_chief_signs_in_and_sees_their_cells_problems(live_server, phone_page, city):
    mine = record(city, point=city.points_a[0], description="农贸市场门口垃圾堆放")  # grid A
    on_the_road = record(city, point=city.points_a[1], description="餐馆油污外溢")  # road A, no grid
    elsewhere = record(city, point=city.points_b[0], description="乙区市场积水")
    page = phone_page

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "grid_chief")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))

    page.goto(f"{live_server.url}/ledger/problems/")
    expect(page.locator(f"[data-problem='{mine.code}']")).to_be_visible()
    expect(page.locator("[data-problem]")).to_have_count(1)
    page.locator(f"[data-problem='{mine.code}'] a").first.click()
    page.wait_for_url(f"**/ledger/problems/{mine.pk}/")
    expect(page.locator("[data-test=cell]")).to_contain_text("甲一网格")
    expect(page.locator("[data-test=cell]")).to_contain_text("张网格长")
    # Read-only: no action is offered to a chief.
    expect(page.locator("form.action-form")).to_have_count(0)

    for other in (on_the_road, elsewhere):
        response = page.goto(f"{live_server.url}/ledger/problems/{other.pk}/")
        assert response.status == 404
