"""The standard's page in a browser: on a phone it fits the screen; at a desk HQ sets a
material's responsible unit with the searchable select and a due date, and the page shows them."""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import MaterialRequirement
from assessment.services.standard import standard_load
from campaign.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_the_standard_fits_a_phone(live_server, phone_page, city):
    standard_load(use=True)
    page = phone_page
    sign_in(page, live_server.url, "unit_handler")
    page.goto(f"{live_server.url}/assessment/standard/")
    expect(page.locator("#part-8")).to_be_visible()
    expect(page.locator("#part-1")).to_contain_text("标题待填写")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    expect(page.locator("a", has_text="导入修改后的工作簿")).to_have_count(0)


def test_hq_sets_a_materials_unit_and_due_date(live_server, desk_page, city):
    standard_load(use=True)
    material = MaterialRequirement.objects.order_by("pk").first()
    page = desk_page
    sign_in(page, live_server.url, "hq")
    page.click("#main-menu a.dropdown-toggle[href='/reports/']")
    page.click("a.dropdown-item[href='/assessment/standard/']")
    page.click(f"a[href='/assessment/standard/materials/{material.pk}/']")
    page.fill("#id_responsible_unit_search", "甲街道")
    page.locator(".search-select-list li", has_text="甲街道办").first.click()
    page.fill("#id_due_date", "2027-01-31")
    page.click("main button[type=submit]")
    expect(page.locator(f"#article-{material.article_id}")).to_contain_text("甲街道办")
    expect(page.locator(f"#article-{material.article_id}")).to_contain_text("2027-01-31")
    material.refresh_from_db()
    assert material.responsible_unit == city.office_a
