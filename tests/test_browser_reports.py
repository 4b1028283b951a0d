"""HQ generates last week's weekly assignment report in Chromium, watches its progress while
a real Celery worker produces it, opens it and downloads the workbook; the test opens the
workbook and checks a figure against the ledger."""

import datetime as dt
import io
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from ledger import services as ledger
from ledger.models import Problem
from ledger.tests.factories import record
from reports.choices import ReportKind, ReportStatus
from reports.kinds.weekly_assignment import _figure_headers
from reports.models import Report
from reports.periods import last_finished
from tests.helpers import ROOT, project_env, stop_process, worker_database_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER = """
import os, django
django.setup()
from config.celery import app
app.worker_main(["worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-Q", os.environ["REPORTS_QUEUE"],
                 "--hostname", "reports-browser-%d@%%h" % os.getpid()])
"""




@pytest.fixture
def worker(settings, tmp_path):
    """start() runs a worker on the same broker as the live server (Redis or the embedded one)
    and the test database, on a queue of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORTS_QUEUE = f"reports-browser-{uuid.uuid4().hex[:10]}"
    processes = []
    log_path = tmp_path / "worker.log"

    def start():
        env = project_env(DATABASE_URL=worker_database_url(), MEDIA_ROOT=settings.MEDIA_ROOT,
                          REPORTS_QUEUE=settings.REPORTS_QUEUE, REPORTS_CATCH_UP=0, DEBUG=None)
        log = open(log_path, "w")  # noqa: SIM115 - closed with the process
        processes.append(subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env, stdout=log,
                                          stderr=subprocess.STDOUT))

    start.log = lambda: log_path.read_text()[-3000:] if log_path.exists() else ""
    yield start
    for process in processes:
        stop_process(process)


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def last_weeks_ledger(city):
    """Last week in the ledger: problems found in both districts, some assigned and one closed."""
    week = last_finished(ReportKind.WEEKLY_ASSIGNMENT)
    found = []
    for day, point in enumerate([*city.points_a, city.points_a[0], *city.points_b]):
        found.append(record(city, point=point, found_at=week.starts_at + dt.timedelta(days=day, hours=9)))
    ledger.problem_assign(problem=found[0], unit=city.office_a, by=city.hq, at=found[0].found_at + dt.timedelta(hours=1))
    return week


def test_hq_generates_watches_opens_and_downloads_last_weeks_assignment_report(
    live_server, desk_page, city, worker
):
    week = last_weeks_ledger(city)
    page = desk_page
    sign_in(page, live_server.url, "hq")

    # The reports menu leads to the list; the form proposes last week's assignment report.
    page.goto(f"{live_server.url}/reports/")
    form = page.locator("#report-request-form")
    expect(form.locator("select[name=kind]")).to_have_value("weekly_assignment")
    expect(form.locator("input[name=day]")).to_have_value(week.start.isoformat())
    form.locator("button[type=submit]").click()

    # The report's page shows it waiting for the worker, and keeps polling.
    page.wait_for_url(re.compile(r".*/reports/\d+/$"))
    report = Report.objects.get()
    assert (report.kind, report.period_start, report.requested_by) == ("weekly_assignment", week.start, city.hq)
    expect(page.locator("#report-progress")).to_have_attribute("data-status", "queued")
    expect(page.locator("#report-progress .progress")).to_be_visible()

    # A worker comes up and produces it; the page turns into the report without a reload by hand.
    worker()
    expect(page.locator("#report-body")).to_be_visible(timeout=90_000)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.failure + worker.log()
    expect(page.locator("#report-header")).to_have_attribute("data-status", "done")
    expect(page.locator("#report-progress")).to_have_count(0)

    # Download the workbook and read the district A figure of problems found.
    with page.expect_download() as download_info:
        page.click("#report-download")
    download = download_info.value
    assert download.suggested_filename.endswith(f"{week.label}-v1.xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    with translation.override("zh-hans"):
        found_header = _figure_headers()[0]
    sheet = workbook.worksheets[1]  # after the cover: progress by district
    headers = [cell.value for cell in sheet[3]]
    found_column = headers.index(found_header) + 1
    rows = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=found_column).value
            for r in range(4, sheet.max_row + 1)}
    in_ledger = Problem.objects.filter(district=city.district_a, found_at__gte=week.starts_at,
                                       found_at__lt=week.ends_at).count()
    assert in_ledger == 3
    assert rows[city.district_a.name] == in_ledger
    assert workbook.worksheets[1]._charts, "the progress sheet carries its native chart"
