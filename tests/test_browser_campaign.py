"""A district lead on a phone: signs in, switches the language, sees only their district."""

import re

import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def open_menu(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#language-select")).to_be_visible()


def test_district_lead_switches_language_and_sees_only_their_district(live_server, phone_page, city):
    page = phone_page
    sign_in(page, live_server.url, "district_lead")
    # Chinese is the default language.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    open_menu(page)
    page.select_option("#language-select", "en")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"{live_server.url}/sample-points/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    body = page.locator("main")
    for point in city.points_a:
        expect(body).to_contain_text(point.name)
    for point in city.points_b:
        expect(body).not_to_contain_text(point.name)
    # The district filter offers only their own district.
    options = [text.strip() for text in page.locator("select[name=district] option").all_text_contents()]
    assert "District A" in options and "District B" not in options

    # Search narrows the list, in Chinese.
    page.fill("input[name=q]", "农贸")
    page.keyboard.press("Enter")
    expect(body).to_contain_text(city.points_a[0].name)
    expect(body).not_to_contain_text(city.points_a[1].name)

    # A point of another district is not found, even by its address.
    response = page.goto(f"{live_server.url}/sample-points/{city.points_b[0].pk}/")
    assert response.status == 404

    page.goto(f"{live_server.url}/sample-points/{city.points_a[0].pk}/")
    expect(page.locator("main")).to_contain_text(city.points_a[0].code)
