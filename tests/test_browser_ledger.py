"""A unit handler's day on a phone, then the district lead verifying at a desk, in Chromium."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.factories import problem_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def after_photo(tmp_path):
    path = tmp_path / "after.jpg"
    Image.new("RGB", (800, 600), (40, 140, 70)).save(path, format="JPEG")
    return path


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def submit(page, action):
    page.locator(f"form[data-action={action}] button[type=submit]").click()
    page.wait_for_load_state("load")


def test_unit_handler_rectifies_on_a_phone_and_the_district_lead_verifies(
    live_server, phone_page, desk_page, city, after_photo
):
    problem = problem_in(city, Status.ASSIGNED)
    page = phone_page

    # Morning: the unit handler opens their tasks and finds the newly assigned problem.
    sign_in(page, live_server.url, "unit_handler")
    page.goto(f"{live_server.url}/ledger/my-tasks/")
    card = page.locator(f"#tasks-to_acknowledge [data-problem='{problem.code}']")
    expect(card).to_be_visible()
    card.click()
    page.wait_for_url(f"**/ledger/problems/{problem.pk}/")
    expect(page.locator("#problem-status .status-badge")).to_have_attribute("data-status", "assigned")

    # Acknowledge: the only thing to do now.
    expect(page.locator("form.action-form")).to_have_count(1)
    submit(page, "acknowledge")
    expect(page.locator("#problem-status .status-badge")).to_have_attribute("data-status", "rectifying")

    # After the work: a note and an after-photo, from the camera or (here) the phone's gallery,
    # then apply to close.
    form = page.locator("form[data-action=apply_close]")
    camera, gallery = form.locator("input[type=file]").nth(0), form.locator("input[type=file]").nth(1)
    expect(camera).to_have_attribute("capture", "environment")
    assert gallery.get_attribute("capture") is None
    expect(gallery).to_be_visible()
    form.locator("textarea").fill("活禽宰杀区已封闭，地面已冲洗")
    gallery.set_input_files(str(after_photo))
    submit(page, "apply_close")
    expect(page.locator("#problem-status .status-badge")).to_have_attribute("data-status", "closing_applied")
    thumbnail = page.locator("#timeline img").first
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")
    # The unit cannot verify its own closing: no action is offered any more.
    expect(page.locator("form.action-form")).to_have_count(0)

    # Afternoon: the district lead verifies at a desk.
    desk = desk_page
    sign_in(desk, live_server.url, "district_lead")
    desk.goto(f"{live_server.url}/ledger/problems/{problem.pk}/")
    expect(desk.locator("#problem-status .status-badge")).to_have_attribute("data-status", "closing_applied")
    expect(desk.locator("#timeline")).to_contain_text("活禽宰杀区已封闭")
    submit(desk, "approve")
    expect(desk.locator("#problem-status .status-badge")).to_have_attribute("data-status", "closed")

    steps = desk.locator("#timeline [data-event]").evaluate_all("items => items.map(i => i.dataset.event)")
    assert steps == ["record", "assign", "acknowledge", "apply_close", "approve"]
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED
    assert problem.photos.filter(kind="after").count() == 1
    assert list(Problem.objects.get(pk=problem.pk).events.values_list("actor__username", flat=True).order_by("seq")) == [
        "inspector", "district_lead", "unit_handler", "unit_handler", "district_lead",
    ]


def test_hq_ticks_all_assigns_each_to_its_suggested_unit_and_verifies_a_batch_staying_on_the_list(
    live_server, desk_page, city
):
    from ledger.tests.factories import record

    a_found, b_found = record(city), record(city, point=city.points_b[0])
    applied = [problem_in(city, Status.CLOSING_APPLIED) for _ in range(2)]
    page = desk_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "hq")

    # The found problems, filtered: tick them all with one box, and assign each to its own unit.
    page.goto(f"{live_server.url}/ledger/problems/?status=found")
    select_all = page.locator("#bulk-form thead input[data-select-all]")
    expect(select_all).to_be_visible()
    select_all.check()
    expect(page.locator("#bulk-form tbody input[name=problems]:checked")).to_have_count(2)
    page.locator("#bulk-form button[name=step]").click()
    page.wait_for_url("**/ledger/problems/bulk-assign/")
    expect(page.locator("input[name=mode][value=suggested]")).to_be_checked()
    expect(page.locator("td[data-suggested]")).to_have_text(["甲街道办", "乙街道办"])
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/ledger/problems/\?status=found$"))
    expect(page.locator(".alert-success")).to_be_visible()
    assert Problem.objects.get(pk=a_found.pk).responsible_unit == city.office_a
    assert Problem.objects.get(pk=b_found.pk).responsible_unit == city.office_b

    # The closing applications: tick all, verify and close them, back on the same list.
    page.goto(f"{live_server.url}/ledger/problems/?status=closing_applied")
    page.locator("#bulk-form thead input[data-select-all]").check()
    page.locator("#bulk-verify").click()
    page.wait_for_url(re.compile(r".*/ledger/problems/\?status=closing_applied$"))
    expect(page.locator(".alert-success")).to_contain_text("2")
    expect(page.locator("tr[data-problem]")).to_have_count(0)
    assert all(Problem.objects.get(pk=p.pk).status == Status.CLOSED for p in applied)
    assert errors == []


def test_a_search_that_runs_on_shows_its_rows_then_its_count(live_server, desk_page, city, monkeypatch):
    """A search whose page runs on is shown before it is counted: the count line says "more
    than" a page, then the page asks for the count (ledger problem_count, static/js/app.js)."""
    from ledger.tests.factories import record

    monkeypatch.setattr("ledger.views.problems.PER_PAGE", 2)
    for _ in range(3):
        record(city, description="捕蝇笼破损")
    record(city, description="垃圾桶满溢")
    page = desk_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "district_lead")
    with page.expect_response(re.compile(r".*/ledger/problems/count/\?q=")) as counted:
        page.goto(f"{live_server.url}/ledger/problems/?q=捕蝇笼")
    assert counted.value.ok
    expect(page.locator("tr[data-problem]")).to_have_count(2)
    expect(page.locator("#ledger-count")).to_have_text("3 个问题")
    expect(page.locator("#ledger-count")).not_to_have_attribute("data-count-url", re.compile(".*"))
    page.goto(f"{live_server.url}/ledger/problems/?q=垃圾桶")  # one match: counted on the page
    expect(page.locator("#ledger-count")).to_have_text("1 个问题")
    assert errors == []
