"""The ledger's filter form finds a sample point by typing (the searchable select fed by the
API), on a phone, with the keyboard, in Chinese; the list then shows that point's problems."""

import re

import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from ledger.tests.factories import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_typing_a_sample_point_and_picking_it_filters_the_ledger(live_server, phone_page, city):
    market, restaurant = city.points_a
    at_market = record(city, point=market)
    at_restaurant = record(city, point=restaurant)
    page = phone_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "hq")
    page.goto(f"{live_server.url}/ledger/problems/")
    expect(page.locator(f"tr[data-problem='{at_restaurant.code}']")).to_have_count(1)

    page.locator("#ledger-filters summary").click()
    # The page's label names the search box; the plain select is hidden behind it.
    search = page.get_by_label("样本点", exact=True)
    expect(search).to_have_attribute("role", "combobox")
    expect(page.locator("select[name=sample_point]")).to_be_hidden()
    search.fill("甲小餐")
    listbox = page.locator("[role=listbox]:visible")
    expect(listbox.locator("[role=option]")).to_have_count(1)
    expect(listbox.locator("[role=option]").first).to_contain_text(restaurant.name)
    expect(search).to_have_attribute("aria-expanded", "true")
    search.press("ArrowDown")
    search.press("Enter")  # picks the active answer; does not submit the form
    expect(search).to_have_value(f"{restaurant.code} {restaurant.name}")
    expect(page.locator("select[name=sample_point]")).to_have_value(str(restaurant.pk))

    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url(re.compile(rf".*sample_point={restaurant.pk}.*"))
    expect(page.locator(f"tr[data-problem='{at_restaurant.code}']")).to_have_count(1)
    expect(page.locator(f"tr[data-problem='{at_market.code}']")).to_have_count(0)
    # The chosen point is shown again in the search box of the filtered page.
    expect(page.get_by_label("样本点", exact=True)).to_have_value(f"{restaurant.code} {restaurant.name}")
    assert errors == []


def test_the_problem_forms_point_picker_is_narrowed_by_category_and_district(live_server, desk_page, city):
    market_a, restaurant_a = city.points_a
    page = desk_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "hq")
    page.goto(f"{live_server.url}/ledger/problems/new/")
    search = page.get_by_label("样本点", exact=True)
    expect(search).to_have_attribute("role", "combobox")
    listbox = page.locator("[role=listbox]:visible")
    # Unnarrowed, "小餐" finds both districts' restaurants; the district narrows it to one.
    search.fill("小餐")
    expect(listbox.locator("[role=option]")).to_have_count(2)
    page.select_option("#id_district", str(city.district_a.pk))
    search.fill("餐馆")
    expect(listbox.locator("[role=option]")).to_have_count(1)
    expect(listbox.locator("[role=option]").first).to_contain_text(restaurant_a.name)
    # The category narrows too: markets of district A, typing nothing.
    page.select_option("#id_category", str(city.market.pk))
    search.fill("甲")
    expect(listbox.locator("[role=option]")).to_have_count(1)
    expect(listbox.locator("[role=option]").first).to_contain_text(market_a.name)
    search.press("Enter")
    expect(page.locator("select[name=sample_point]")).to_have_value(str(market_a.pk))
    # A choice made under another category is cleared when the category changes.
    page.select_option("#id_category", str(city.restaurant.pk))
    expect(page.locator("select[name=sample_point]")).to_have_value("")
    assert errors == []
