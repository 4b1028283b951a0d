"""Defect 11: every main page runs under the Content-Security-Policy without a single
violation in Chromium (no inline script or style attribute, no eval, nothing from elsewhere),
each opened by a role that may see it."""

import datetime as dt
import re

import pytest

from campaign.tests.factories import PASSWORD
from inspections import services as inspection_services
from inspections.choices import InspectionKind
from inspections.tests.factories import market_checklist
from ledger.tests.factories import record
from reports import services as report_services
from reports import tasks as report_tasks
from reports.choices import ReportKind
from reports.periods import last_finished

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects violations from the page itself (the browser also logs each one to the console).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " "
                              + (event.sourceFile || "") + ":" + (event.lineNumber || ""));
});
"""


@pytest.fixture
def pages_data(city, settings, tmp_path, monkeypatch):
    """A problem, a drawn round, an inspection under way, a made and a queued report."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(report_tasks.report_run, "apply_async", lambda *args, **kwargs: None)
    market_checklist(city)
    week = last_finished(ReportKind.WEEKLY_ASSIGNMENT)
    problem = record(city, point=city.points_a[0], found_at=week.starts_at + dt.timedelta(hours=9))
    inspection_round = inspection_services.round_create(
        name="暗访", kind=InspectionKind.UNANNOUNCED, starts_on=week.start, ends_on=week.end,
        quotas={city.market: 1}, by=city.hq, district=None,
    )
    inspection_services.round_draw(inspection_round=inspection_round, by=city.hq, seed=1)
    inspection = inspection_services.inspection_start(
        sample_point=city.points_a[0], kind=InspectionKind.UNANNOUNCED, by=city.inspector
    )
    made = report_services.report_run(report_id=report_services.report_request(
        kind=ReportKind.WEEKLY_ASSIGNMENT, period_start=week.start, requested_by=city.hq).pk)
    queued = report_services.report_request(
        kind=ReportKind.WEEKLY_EXPOSURE, period_start=last_finished(ReportKind.WEEKLY_EXPOSURE).start,
        requested_by=city.hq)
    from programme.services.cycle import round_plan_create

    plan = round_plan_create(by=city.hq, name="两周例行督查", kind="routine", anchor=week.start, every_weeks=2,
                             quotas={city.market: 1}, inspectors=[city.inspector])
    return {"problem": problem, "round": inspection_round, "inspection": inspection, "report": made,
            "queued": queued, "plan": plan}


def main_pages(city, data) -> dict[str, list[str]]:
    """Who opens what: every main page, as a role that may see it."""
    return {
        "": ["/login/", "/admin/login/"],
        "hq": [
            "/", "/sample-points/", f"/sample-points/{city.points_a[0].pk}/", "/sample-points/import/",
            "/people/", "/people/new/",
            "/ledger/problems/", f"/ledger/problems/{data['problem'].pk}/", "/ledger/problems/new/",
            "/ledger/problems/import/", "/ledger/sheets/", "/ledger/classes/", "/ledger/my-tasks/",
            "/inspections/", "/inspections/rounds/", f"/inspections/rounds/{data['round'].pk}/",
            "/inspections/rounds/new/", "/inspections/scores/", "/inspections/checklists/",
            f"/inspections/checklists/{city.market.pk}/", f"/inspections/checklists/{city.market.pk}/import/",
            "/reports/", f"/reports/{data['report'].pk}/", f"/reports/{data['queued'].pk}/",
            "/reports/tasks/", "/maps/", f"/maps/?sample_point={city.points_a[0].pk}", "/boundaries/", "/admin/", "/admin/campaign/samplepoint/", "/admin/campaign/samplepoint/add/",
            "/admin/campaign/campaign/add/", "/api/docs/",
            "/programme/plans/", "/programme/plans/new/", f"/programme/plans/{data['plan'].pk}/",
            "/programme/cross-inspection/", "/programme/cross-inspection/new/",
        ],
        "leader": ["/reports/dashboard/"],
        "inspector": ["/inspections/start/", f"/inspections/{data['inspection'].pk}/fill/"],
    }


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_every_main_page_runs_without_a_content_security_policy_violation(
    live_server, browser, city, pages_data
):
    violations, opened = [], []
    for username, paths in main_pages(city, pages_data).items():
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.set_default_timeout(15_000)
        console = []
        page.on("console", lambda message, sink=console: sink.append(message.text)
                if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
        if username:
            sign_in(page, live_server.url, username)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{username or 'anonymous'} {path}: {response.status}"
            policy = response.headers.get("content-security-policy", "")
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
            page.wait_for_load_state("networkidle")
            # Give polling and charts a moment to run their scripts and swaps.
            page.wait_for_timeout(300)
            found = page.evaluate("window.__cspViolations") + console
            console.clear()
            violations.extend(f"{username or 'anonymous'} {path}: {text}" for text in found)
            opened.append(path)
        context.close()
    assert violations == [], "\n".join(violations)
    assert len(opened) >= 30
