"""HQ records a cockroach survey on a phone: impossible counts are refused beside the field,
the corrected survey fails level C, HQ raises its problem twice (one problem) and follows the
ledger's link back to the survey; the trends page draws its chart. In Chromium."""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import VectorSurvey
from assessment.services.vectors import thresholds_load_file
from campaign.tests.factories import PASSWORD
from ledger.models import Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_hq_records_a_failed_survey_and_raises_its_problem(live_server, phone_page, city):
    thresholds_load_file()  # (a transactional test starts with the tables emptied)
    page = phone_page
    sign_in(page, live_server.url, "hq")
    page.goto(f"{live_server.url}/assessment/vectors/new/?species=cockroach")
    page.select_option("#id_district", str(city.district_a.pk))
    page.select_option("#id_place_type", str(city.restaurant.pk))
    page.select_option("#id_sample_points", str(city.points_a[1].pk))
    page.fill("#id_cockroach_adults_checked", "20")
    page.fill("#id_cockroach_adults_positive", "25")
    page.click("#vector-save")
    error = page.locator("#fs-cockroach_adults .invalid-feedback")
    expect(error).to_contain_text("25")
    expect(error).to_contain_text("20")
    assert not VectorSurvey.objects.exists()

    page.fill("#id_cockroach_adults_positive", "3")  # 15 %: above C (5 %)
    page.click("#vector-save")
    page.wait_for_url(re.compile(r".*/assessment/vectors/\d+/$"))
    survey = VectorSurvey.objects.get()
    assert survey.level == "fail"
    expect(page.locator("#survey-level .badge")).to_have_class(re.compile("text-bg-danger"))

    for _ in range(2):
        page.click("#vector-raise")
        page.wait_for_url(re.compile(r".*/assessment/vectors/\d+/$"))
    problem = Problem.objects.get(source_ref=f"vector_survey:{survey.pk}")
    assert problem.sample_point == city.points_a[1]
    page.locator(f"#survey-problems a[href$='/problems/{problem.pk}/']").click()
    page.wait_for_url(f"**/problems/{problem.pk}/")
    page.locator(f"a[href$='/assessment/vectors/{survey.pk}/']").first.click()
    page.wait_for_url(f"**/assessment/vectors/{survey.pk}/")

    page.goto(f"{live_server.url}/assessment/vectors/trends/?species=cockroach")
    expect(page.locator("#trend-chart svg circle")).to_have_count(1)
    expect(page.locator("#trend-table tbody tr")).to_have_count(1)
