"""HQ decides an accountability proposal at a desk and finds the record on the unit's page; the
unit handler then sees it on a phone, in Chromium."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accountability import services
from accountability.choices import EscalationStatus, EscalationStep
from accountability.models import AccountabilityRecord, Escalation
from accountability.tests.factories import decided_record, overdue_problem
from campaign.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_hq_decides_a_proposal_and_the_record_is_on_the_units_page(live_server, desk_page, phone_page, city):
    services.accountability_defaults_seed()
    today = timezone.localdate()
    problems = [overdue_problem(city, 3 - day) for day in range(3)]
    for day in range(3):  # three notices on three days: a proposal
        services.escalation_sweep(today=today + timedelta(days=day))
    proposal = Escalation.objects.get(step=EscalationStep.PROPOSAL)

    page = desk_page
    sign_in(page, live_server.url, "hq")
    page.goto(f"{live_server.url}/accountability/escalations/")
    card = page.locator(f"[data-escalation='{proposal.pk}']")
    expect(card).to_be_visible()
    card.locator(f"a[href$='escalation={proposal.pk}']").click()
    page.wait_for_url(f"**/accountability/records/new/?escalation={proposal.pk}")
    expect(page.locator("[data-test=from-escalation]")).to_be_visible()
    # Prefilled from the proposal: the kind, the unit and its noticed problems.
    for problem in problems:
        expect(page.locator("#id_problem_codes")).to_contain_text(problem.code)
    page.fill("#id_person_name", "王主任（街道办主任）")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/accountability/records/\d+/$"))
    expect(page.locator("#record-unit")).to_contain_text("甲街道办")
    record = AccountabilityRecord.objects.get()
    assert record.escalation == proposal and record.person_name == "王主任（街道办主任）"
    assert sorted(p.code for p in record.problems.all()) == sorted(p.code for p in problems)
    proposal.refresh_from_db()
    assert proposal.status == EscalationStatus.DECIDED

    # The unit's page lists it, linked from the record's breadcrumb.
    page.locator(f"nav a[href$='/accountability/units/{city.office_a.pk}/']").click()
    page.wait_for_url(f"**/accountability/units/{city.office_a.pk}/")
    expect(page.locator(f"[data-test=unit-records] [data-record='{record.pk}']")).to_be_visible()
    expect(page.locator("[data-test=unit-records]")).to_contain_text("王主任")

    # The unit handler sees it on a phone, and the printable record opens.
    phone = phone_page
    sign_in(phone, live_server.url, "unit_handler")
    phone.goto(f"{live_server.url}/accountability/units/{city.office_a.pk}/")
    row = phone.locator(f"[data-test=unit-records] [data-record='{record.pk}']")
    expect(row).to_be_visible()
    row.locator("a").first.click()
    phone.wait_for_url(f"**/accountability/records/{record.pk}/")
    expect(phone.locator("#record-kind")).to_contain_text("通报批评")
    expect(phone.locator("[data-print]")).to_be_visible()


def test_the_accountability_pages_run_without_a_content_security_policy_violation(live_server, browser, city):
    from tests.test_browser_csp import LISTEN

    services.accountability_defaults_seed()
    overdue_problem(city, 8)
    services.escalation_sweep()
    notice = city.office_a.supervision_notices.get()
    record = decided_record(city)
    paths = ["/accountability/", "/accountability/notices/", f"/accountability/notices/{notice.pk}/",
             f"/accountability/records/{record.pk}/", "/accountability/records/new/", "/accountability/escalations/",
             f"/accountability/units/{city.office_a.pk}/", "/admin/accountability/escalationrule/"]
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
        # Nothing runs off a phone's screen sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1, path
    context.close()
    assert violations == []
