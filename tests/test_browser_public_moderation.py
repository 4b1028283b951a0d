"""HQ works the public reports' moderation queue at a desk: sees a duplicate suggestion with its
distance and merges the report into that problem, accepts another with a unit chosen by typing,
rejects a third with a reason; a district lead's queue holds only their district's reports."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from ledger import services as ledger
from ledger.choices import Source, Status
from ledger.tests.factories import stored_photo
from public_reports.choices import ReportStatus
from public_reports.models import PublicReport
from public_reports.tests.factories import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_hq_merges_accepts_and_rejects_and_a_district_lead_sees_their_district(live_server, desk_page, city):
    known = ledger.problem_record(
        by=city.hq, category=city.points_a[0].category, district=city.district_a, description="路口垃圾堆放",
        source=Source.SELF_FOUND, latitude=Decimal("31.230900"), longitude=Decimal("121.470000"),
        photos=[stored_photo()])
    duplicate = report(city, description="路口又见垃圾", photos=[stored_photo()])  # 100 m from the problem
    to_accept = report(city, description="河边垃圾成堆", latitude=Decimal("31.250000"))
    to_reject = report(city, description="广告", latitude=Decimal("31.270000"))
    elsewhere = report(city, district=city.district_b, description="乙区垃圾", latitude=Decimal("31.290000"))

    page = desk_page
    sign_in(page, live_server.url, "hq")
    page.goto(f"{live_server.url}/public-reports/")
    row = page.locator(f"tr[data-report='{duplicate.code}']")
    expect(row.locator("[data-test=duplicates]")).to_have_text("1")
    expect(page.locator(f"tr[data-report='{elsewhere.code}']")).to_be_visible()

    # The duplicate: the known problem is suggested with its distance, and the report merged into it.
    row.locator("a").first.click()
    page.wait_for_url(f"**/public-reports/{duplicate.pk}/")
    suggestion = page.locator(f"[data-duplicate='{known.code}']")
    expect(suggestion.locator("[data-test=distance]")).to_contain_text("100")
    expect(suggestion.locator("img")).to_be_visible()
    suggestion.locator("[data-test=merge-into]").click()
    page.wait_for_url(f"**/public-reports/{duplicate.pk}/")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.problem) == (ReportStatus.MERGED, known)
    expect(page.locator("[data-test=problem]")).to_have_text(known.code)

    # Accepted with a unit found by typing in the searchable select.
    page.goto(f"{live_server.url}/public-reports/{to_accept.pk}/")
    form = page.locator("[data-test=accept-form]")
    search = form.locator("[role=combobox]")
    search.fill("甲街道")
    listbox = page.locator("[role=listbox]:visible")
    expect(listbox.locator("[role=option]")).to_have_count(1)
    search.press("ArrowDown")
    search.press("Enter")
    expect(form.locator("select[name='accept-unit']")).to_have_value(str(city.office_a.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/public-reports/{to_accept.pk}/")
    to_accept.refresh_from_db()
    assert to_accept.status == ReportStatus.ACCEPTED
    assert (to_accept.problem.status, to_accept.problem.responsible_unit) == (Status.ASSIGNED, city.office_a)
    expect(page.locator("[data-test=problem]")).to_have_text(to_accept.problem.code)

    # Rejected with a reason from the list.
    page.goto(f"{live_server.url}/public-reports/{to_reject.pk}/")
    form = page.locator("[data-test=reject-form]")
    form.locator("select[name='reject-reason']").select_option("abusive")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/public-reports/{to_reject.pk}/")
    expect(page.locator("[data-test=reject-form]")).to_have_count(0)
    assert PublicReport.objects.get(pk=to_reject.pk).reject_reason == "abusive"

    # The district lead of A: their three reports, not B's.
    page.context.clear_cookies()
    sign_in(page, live_server.url, "district_lead")
    page.goto(f"{live_server.url}/public-reports/")
    codes = page.locator("tr[data-report]").evaluate_all("rows => rows.map(r => r.dataset.report)")
    assert sorted(codes) == sorted([duplicate.code, to_accept.code, to_reject.code])
    page.goto(f"{live_server.url}/public-reports/?status=received")
    expect(page.locator("tr[data-report]")).to_have_count(0)


def test_the_moderation_pages_run_without_a_csp_violation_and_fit_a_phone(live_server, browser, city):
    from public_reports.tests.test_moderation_pages import _unsatisfied
    from tests.test_browser_csp import LISTEN

    waiting = report(city, photos=[stored_photo()])
    report(city)  # its duplicate
    rated = _unsatisfied(city)
    paths = ["/public-reports/", f"/public-reports/{waiting.pk}/", f"/public-reports/{rated.pk}/",
             "/public-reports/review/"]
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "hq")
    violations = []
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        violations += [f"{path}: {text}" for text in page.evaluate("window.__cspViolations")]
        assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1, path
    context.close()
    assert violations == []
