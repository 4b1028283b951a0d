"""Each role on a phone (390×844, a phone's browser): signs in, lands on their own work with its
counts, acts, and sees the count fall. Leaders land on the dashboard."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from inspections.models import Inspection
from inspections.tests.factories import this_weeks_round
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.factories import problem_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/126.0.0.0 Mobile Safari/537.36")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  user_agent=PHONE_AGENT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, base_url, username, lands_on):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{lands_on}")


def count(page, key):
    return page.locator(f"#task-counts [data-group={key}] .task-count")


def home(page, base_url):
    """Back to "/": the task home, counted afresh."""
    page.goto(f"{base_url}/")
    page.wait_for_url("**/ledger/my-tasks/")


def act(page, action):
    page.locator(f"form[data-action={action}] button[type=submit]").click()
    page.wait_for_load_state("load")


def open_card(page, group, problem):
    page.locator(f"#tasks-{group} [data-problem='{problem.code}']").click()
    page.wait_for_url(f"**/ledger/problems/{problem.pk}/")


def overdue(problem, days):
    Problem.objects.filter(pk=problem.pk).update(deadline=timezone.localdate() - timedelta(days=days))


def test_unit_handler_acknowledges_and_applies_to_close(live_server, phone, city, tmp_path):
    problem = problem_in(city, Status.ASSIGNED)
    photo = tmp_path / "after.jpg"
    Image.new("RGB", (800, 600), (40, 140, 70)).save(photo, format="JPEG")
    page = phone
    sign_in(page, live_server.url, "unit_handler", "/ledger/my-tasks/")
    expect(count(page, "to_acknowledge")).to_have_text("1")
    expect(count(page, "to_rectify")).to_have_text("0")
    # The menu's total stands on the phone's menu button, without opening it.
    expect(page.locator("#task-toggler-total")).to_have_text("1")

    open_card(page, "to_acknowledge", problem)
    act(page, "acknowledge")
    home(page, live_server.url)
    expect(count(page, "to_acknowledge")).to_have_text("0")
    expect(count(page, "to_rectify")).to_have_text("1")

    open_card(page, "to_rectify", problem)
    form = page.locator("form[data-action=apply_close]")
    form.locator("textarea").fill("已封闭并冲洗")
    form.locator("input[type=file]:not([capture])").set_input_files(str(photo))  # the gallery
    act(page, "apply_close")
    expect(page.locator("#problem-status .status-badge")).to_have_attribute("data-status", "closing_applied")
    home(page, live_server.url)
    expect(count(page, "to_rectify")).to_have_text("0")
    expect(page.locator("#task-toggler-total")).to_have_count(0)


def test_district_lead_assigns_and_the_count_falls(live_server, phone, city):
    problem = problem_in(city, Status.FOUND)
    late = problem_in(city, Status.RECTIFYING)
    overdue(late, 4)
    page = phone
    sign_in(page, live_server.url, "district_lead", "/ledger/my-tasks/")
    expect(count(page, "to_assign")).to_have_text("1")
    expect(count(page, "overdue")).to_have_text("1")

    open_card(page, "to_assign", problem)
    page.select_option("form[data-action=assign] select[name='assign-unit']", str(city.office_a.pk))
    act(page, "assign")
    expect(page.locator("#problem-status .status-badge")).to_have_attribute("data-status", "assigned")
    home(page, live_server.url)
    expect(count(page, "to_assign")).to_have_text("0")

    # Chasing: the overdue count's link is the ledger list of exactly those problems.
    page.locator("#task-counts [data-group=overdue]").click()
    page.wait_for_url(re.compile(r".*/ledger/problems/\?overdue=true$"))
    expect(page.locator(f"[data-problem='{late.code}']").first).to_be_visible()


def test_hq_verifies_an_overdue_closing_application_and_both_counts_fall(live_server, phone, city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    overdue(problem, 40)
    page = phone
    sign_in(page, live_server.url, "hq", "/ledger/my-tasks/")
    # An overdue closing application is in both groups (it was only under "overdue").
    expect(count(page, "to_verify")).to_have_text("1")
    expect(count(page, "overdue")).to_have_text("1")

    open_card(page, "to_verify", problem)
    act(page, "approve")
    expect(page.locator("#problem-status .status-badge")).to_have_attribute("data-status", "closed")
    home(page, live_server.url)
    expect(count(page, "to_verify")).to_have_text("0")
    expect(count(page, "overdue")).to_have_text("0")


def test_inspector_starts_a_round_point_and_the_count_falls(live_server, phone, city):
    this_weeks_round(city)
    page = phone
    sign_in(page, live_server.url, "inspector", "/ledger/my-tasks/")
    expect(count(page, "round_points")).to_have_text("2")
    expect(count(page, "inspection_drafts")).to_have_text("0")

    page.locator("#tasks-round_points [data-round-point]").first.click()
    page.wait_for_url(re.compile(r".*/inspections/start/\?round_point=\d+$"))
    page.locator("#start-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/inspections/\d+/fill/$"))
    assert Inspection.objects.count() == 1
    home(page, live_server.url)
    expect(count(page, "round_points")).to_have_text("1")
    expect(count(page, "inspection_drafts")).to_have_text("1")


def test_team_lead_lands_on_their_teams_overdue_problems(live_server, phone, city):
    late = problem_in(city, Status.RECTIFYING)  # at district A's market, a point of the team
    overdue(late, 2)
    page = phone
    sign_in(page, live_server.url, "team_lead", "/ledger/my-tasks/")
    expect(count(page, "overdue")).to_have_text("1")
    page.locator("#task-counts [data-group=overdue]").click()
    page.wait_for_url(re.compile(r".*/ledger/problems/\?overdue=true$"))
    expect(page.locator(f"[data-problem='{late.code}']").first).to_be_visible()


def test_leader_lands_on_the_dashboard(live_server, phone, city):
    page = phone
    sign_in(page, live_server.url, "leader", "/reports/dashboard/")
    expect(page.locator("#task-menu")).to_have_count(0)
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/reports/dashboard/")
