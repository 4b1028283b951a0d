"""A resident opens the public red and black list on a phone: nothing until HQ publishes the
week's exposure and the month's comparison (in the reports pages, at a desk); then the red and
black lists and the ranking are there, without a sideways scroll, from the app alone (no CDN);
printed, the page drops its language links and shows the print heading."""

import re

import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from reports import services
from reports.choices import ReportKind, ReportStatus
from reports.models import Report
from reports.periods import last_finished
from reports.tests.engine_support import found_last_week

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def produced(city, kind) -> Report:
    report = services.report_request(kind=kind, period_start=last_finished(kind).start, requested_by=city.hq)
    report = services.report_run(report_id=report.pk)
    assert report.status == ReportStatus.DONE, report.failure
    return report


def rate(numerator, denominator):
    return {"numerator": numerator, "denominator": denominator, "value": numerator / denominator}


def with_lists(report: Report) -> Report:
    """The week's red and black lists as the rule would make them on a larger ledger."""
    row = {"team_ids": [], "closed_of_due": 0, "closure_rate": rate(0, 1)}
    Report.objects.filter(pk=report.pk).update(data={
        **report.data,
        "red_list": {"districts": [{**row, "id": 1, "position": 1, "name": "甲区", "name_en": "District A", "due": 4,
                                    "closed_on_time": 4, "overdue": 0, "on_time_rate": rate(4, 4)}],
                     "units": [{**row, "id": 10, "position": 1, "name": "红榜街道办", "name_en": "", "due": 5,
                                "closed_on_time": 5, "overdue": 0, "on_time_rate": rate(5, 5)}]},
        "black_list": {"districts": [{**row, "id": 2, "position": 1, "name": "乙区", "name_en": "District B", "due": 4,
                                      "closed_on_time": 1, "overdue": 3, "on_time_rate": rate(1, 4)}],
                       "units": [{**row, "id": 11, "position": 1, "name": "黑榜街道办", "name_en": "", "due": 6,
                                  "closed_on_time": 1, "overdue": 5, "on_time_rate": rate(1, 6)}]},
    })
    report.refresh_from_db()
    return report


def publish_in_the_reports_page(page, base_url, report):
    page.goto(f"{base_url}/reports/{report.pk}/")
    page.click("#report-publish-confirm-open")
    page.click("#report-publish-confirm")
    expect(page.locator("#report-publish")).to_have_count(0)


def test_a_resident_sees_the_lists_on_a_phone_after_hq_publishes_and_prints_them(
        live_server, phone_page, desk_page, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for point in (city.points_a[0], city.points_b[0]):
        found_last_week(city, point=point)
    exposure = with_lists(produced(city, ReportKind.WEEKLY_EXPOSURE))
    comparison = produced(city, ReportKind.MONTHLY_COMPARISON)

    page = phone_page
    outside = []
    page.route(re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/]).*"),
               lambda route: (outside.append(route.request.url), route.abort()))
    board = f"{live_server.url}/public/"
    page.goto(board)
    expect(page.locator("#public-no-exposure")).to_be_visible()
    expect(page.locator("#public-no-comparison")).to_be_visible()
    expect(page.locator("#public-counts")).to_be_visible()

    sign_in(desk_page, live_server.url, "hq")
    publish_in_the_reports_page(desk_page, live_server.url, exposure)
    publish_in_the_reports_page(desk_page, live_server.url, comparison)

    page.reload()  # revalidates: the ETag changed when HQ published
    expect(page.locator("#public-red-list")).to_contain_text("红榜街道办")
    expect(page.locator("#public-black-list")).to_contain_text("黑榜街道办")
    expect(page.locator("#public-red-list")).to_contain_text("100.0 %")
    expect(page.locator("[data-test=public-rule]")).to_contain_text("按期结案率")
    expect(page.locator("#public-comparison")).to_be_visible()
    expect(page.locator("#public-languages")).to_be_visible()
    # A phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert outside == []

    # English on request.
    page.click("#public-languages a[hreflang=en]")
    expect(page.locator("#public-red-list h3")).to_have_text("Red list")

    # Printed: the print heading appears, the language links and the feed link go.
    page.emulate_media(media="print")
    expect(page.locator("#public-print-note")).to_be_visible()
    expect(page.locator("#public-languages")).to_be_hidden()
    expect(page.locator("#public-feed-link")).to_be_hidden()
    expect(page.locator("#public-black-list")).to_contain_text("黑榜街道办")
    header = page.evaluate("getComputedStyle(document.querySelector('.public-header')).backgroundColor")
    assert header in ("rgba(0, 0, 0, 0)", "transparent")  # no green band on paper
