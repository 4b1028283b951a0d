"""A unit handler on a phone sees the unread count in the menu, opens the inbox, reads the
assignment it tells of, and the count falls."""

import re
import uuid

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from ledger.choices import Status
from ledger.tests.factories import problem_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def quiet_outbox(settings):
    # Nobody consumes this queue: the test is about the inbox, not the sending.
    settings.NOTIFICATIONS_QUEUE = f"notifications-browser-{uuid.uuid4().hex[:10]}"
    cache.clear()
    yield
    cache.clear()


def open_menu(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#main-menu")).to_be_visible()


def test_unit_handler_reads_a_new_assignment_and_the_unread_count_falls(live_server, phone_page, city):
    problem = problem_in(city, Status.ASSIGNED)
    page = phone_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "unit_handler")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))

    open_menu(page)
    expect(page.locator("#nav-inbox [data-unread-count]")).to_have_text("1")
    page.locator("#nav-inbox").click()
    page.wait_for_url("**/notifications/")
    item = page.locator("#inbox-list li").first
    expect(item).to_contain_text(problem.code)
    expect(item).to_contain_text("交办")
    item.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**/ledger/problems/{problem.pk}/")

    open_menu(page)
    expect(page.locator("#nav-inbox")).to_be_visible()
    expect(page.locator("#nav-inbox [data-unread-count]")).to_have_count(0)
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("#inbox-list li.list-group-item-warning")).to_have_count(0)
