"""A leader opens the dashboard on a phone with no internet: the charts are drawn from the
vendored Chart.js, the figures match last week's, and switching a chart's figure redraws it."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from public_reports import services as public_services
from public_reports.tests.factories import report
from reports.choices import ReportKind
from reports.periods import last_finished
from reports.tests.weeks import assigned, at, found

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_cache():
    """The dashboard keeps its figures in the cache; figures of an earlier test must not show."""
    from django.core.cache import cache

    cache.clear()


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def painted_pixels(page, canvas_id: str) -> int:
    """How many pixels of the canvas hold something (a blank canvas has none)."""
    return page.evaluate(
        """id => {
            const canvas = document.getElementById(id);
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
            return painted;
        }""",
        canvas_id,
    )


def test_a_leader_reads_the_dashboard_on_a_phone_without_internet(live_server, phone_page, city):
    week = last_finished(ReportKind.WEEKLY_ASSIGNMENT)
    tuesday = week.start + dt.timedelta(days=1)
    for hour in (9, 10, 11):
        found(city, at(tuesday, hour))
    assigned(city, found(city, at(tuesday, 14), point=city.points_b[0]), at(tuesday, 15), tuesday,
             unit=city.office_b)  # due Tuesday, still open: overdue at the week's end
    # A resident's report this month, rejected (nothing added to the ledger): the public card.
    public_services.public_report_reject(report=report(city), by=city.hq, reason="not_found")

    page = phone_page
    outside = []
    # No internet: anything not served by the app itself is refused (and noted).
    page.route(re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/]).*"),
               lambda route: (outside.append(route.request.url), route.abort()))
    sign_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/reports/dashboard/")

    # The week trends, by district, by category, and the public channel's weeks (a leader sees it).
    expect(page.locator("html")).to_have_attribute("data-charts", "4")
    assert outside == []
    for canvas in ("chart-scope", "chart-districts", "chart-categories", "chart-public"):
        assert painted_pixels(page, canvas) > 500, canvas

    expect(page.locator("#key-counts [data-figure=open]")).to_have_text("4")
    page.locator("#trend-heading").scroll_into_view_if_needed()
    page.locator("[aria-labelledby=trend-heading] .dash-table summary").click()
    last = page.locator(f"#trend-table tr[data-week='{week.label}']")
    expect(last.locator("[data-figure=found]")).to_have_text("4")
    expect(last.locator("[data-figure=overdue]")).to_have_text("1")
    # District B's row on the phone: a card with its figures.
    row_b = page.locator(f"#districts-table tr[data-id='{city.district_b.pk}']")
    expect(row_b.locator("[data-figure=overdue]")).to_have_text("1")

    # The public channel's card: district A's row on the phone.
    public_a = page.locator(f"#public-table tr[data-id='{city.district_a.pk}']")
    expect(public_a.locator("[data-figure=received]")).to_have_text("1")
    expect(public_a.locator("[data-figure=rejected]")).to_have_text("1")

    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    before = painted_pixels(page, "chart-districts")
    page.locator("[data-chart-switch=districts] button[data-figure=overdue]").click()
    expect(page.locator("#chart-districts")).to_have_attribute("data-figure", "overdue")
    expect(page.locator("[data-chart-switch=districts] button[data-figure=overdue]")).to_have_attribute(
        "aria-pressed", "true")
    assert painted_pixels(page, "chart-districts") != before
