"""The header at a desk (1366 px) and on a phone (390 px), in English and Chinese: one line at
the desk with the language box shown whole (it wrapped and cut "English" to "Engli"), and only
the links a role can use (a unit handler saw "API 文档")."""

import re

import pytest
from playwright.sync_api import expect

from campaign.models import Campaign
from campaign.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How much of the language box's text shows: the text's own width against the box's room for it.
LANGUAGE_FIT = """() => {
  const select = document.querySelector("#language-select");
  const style = getComputedStyle(select);
  const probe = document.createElement("span");
  probe.textContent = select.options[select.selectedIndex].text;
  probe.style.font = style.font;
  probe.style.position = "absolute";
  document.body.appendChild(probe);
  const text = probe.getBoundingClientRect().width;
  probe.remove();
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text, room};
}"""


@pytest.fixture
def long_names(city):
    """The demo city's campaign name and a real person's name and scope, as the walk-through had."""
    Campaign.objects.create(name="奉贤区2027年国家卫生城市复审", city="奉贤区", kind="review")
    city.hq.full_name = "指挥部办公室 张晓明"
    city.hq.save()
    return city


def sign_in(page, base_url, username, language):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    if page.locator("#language-select").input_value() != language:
        if page.locator(".navbar-toggler").is_visible():  # a phone: the menu opens first
            page.click(".navbar-toggler")
        page.select_option("#language-select", language)
        page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(language))


def assert_language_box_whole(page, viewport_width):
    box = page.locator("#language-select").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport_width
    fit = page.evaluate(LANGUAGE_FIT)
    assert fit["text"] <= fit["room"] + 0.5, fit


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_desk_header_is_one_line_with_the_whole_language_box(live_server, desk_page, long_names, language):
    page = desk_page
    sign_in(page, live_server.url, "hq", language)
    items = page.locator("#main-menu > ul.navbar-nav > li.nav-item")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert len(tops) == 1, f"the menu wraps: item tops {tops}"
    nav = page.locator("nav.app-navbar").bounding_box()
    menu = items.first.bounding_box()
    language_box = page.locator("#language-select").bounding_box()
    brand = page.locator(".navbar-brand").bounding_box()
    # Brand, menu and language box share one row of the bar.
    for box in (menu, language_box, brand):
        middle = box["y"] + box["height"] / 2
        assert menu["y"] <= middle <= menu["y"] + menu["height"], box
    assert nav["height"] < 80
    assert_language_box_whole(page, 1366)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_phone_header_opens_to_a_whole_language_box(live_server, phone_page, long_names, language):
    page = phone_page
    sign_in(page, live_server.url, "hq", language)
    page.click(".navbar-toggler")
    expect(page.locator("#language-select")).to_be_visible()
    assert_language_box_whole(page, 390)


def test_a_unit_handler_sees_no_api_docs_and_hq_finds_them_under_administration(live_server, desk_page, long_names):
    page = desk_page
    sign_in(page, live_server.url, "unit_handler", "zh-hans")
    expect(page.locator("a[href='/api/docs/']")).to_have_count(0)
    expect(page.locator("#admin-menu")).to_have_count(0)
    page.click("#user-menu .dropdown-toggle")  # the name opens role, scope, settings and "log out"
    expect(page.locator("#user-menu")).to_contain_text("责任单位经办人 · 甲街道办")
    page.click("form[action='/logout/'] button")
    # The sign-out guard first checks the phone's unsent entries (asynchronously), then submits:
    # wait for the sign-in page it leads to before the next sign-in navigates.
    page.wait_for_url("**/login/**")
    sign_in(page, live_server.url, "hq", "zh-hans")
    page.click("#admin-menu")
    expect(page.locator("a[href='/api/docs/']")).to_be_visible()
