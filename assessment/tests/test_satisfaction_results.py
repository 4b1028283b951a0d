"""Results figures, computed by hand: per district and question, the rate against the target, the
trend by week and month, satisfaction_summary, the scope of each role, the workbook."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from assessment.selectors.satisfaction import satisfaction_summary, survey_results
from assessment.services.satisfaction import survey_answer_submit
from campaign.models import AuditEntry

from .satisfaction_factories import make_survey

pytestmark = pytest.mark.django_db


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def answered(city):
    survey, rating, yes_no, choice = make_survey(city.users["hq"])
    a, b = city.district_a, city.district_b
    rows = [  # district, day, rating, yes/no, choice
        (a, date(2026, 3, 2), 5, 1, None),   # 2 of 2 satisfied
        (a, date(2026, 3, 3), 3, 0, None),   # 0 of 2
        (a, date(2026, 3, 10), 4, 1, 2),     # 2 of 2
        (b, date(2026, 3, 2), 1, 1, None),   # 1 of 2
        (b, date(2026, 4, 6), 2, None, None),  # 0 of 1
    ]
    for index, (district, day, r, y, c) in enumerate(rows):
        answers = {rating.pk: r}
        if y is not None:
            answers[yes_no.pk] = y
        if c is not None:
            answers[choice.pk] = c
        survey_answer_submit(survey=survey, district=district, place_category=None, answers=answers,
                             device_token=f"device-{index:02d}-" + "x" * 30, client_address=None, now=at(day))
    return survey, rating, yes_no, choice


def test_the_figures_per_district_and_question(answered, city):
    survey, rating, yes_no, choice = answered
    results = survey_results(survey=survey)
    # 5 satisfied answers of 9 rated (rating and yes/no), against a target of 80 %.
    assert results["overall"] == {"responses": 5, "rated": 9, "satisfied": 5, "rate": 55.6, "target": 80.0, "met": False}
    by_district = {row["district_id"]: row for row in results["districts"]}
    assert (by_district[city.district_a.pk]["responses"], by_district[city.district_a.pk]["rate"]) == (3, 66.7)
    assert (by_district[city.district_b.pk]["responses"], by_district[city.district_b.pk]["rate"]) == (2, 33.3)
    questions = {row["question_id"]: row for row in results["questions"]}
    # The rating's options run from very satisfied (5) to very dissatisfied (1).
    assert [o["count"] for o in questions[rating.pk]["options"]] == [1, 1, 1, 1, 1]
    assert questions[rating.pk]["rate"] == 40.0
    rating_a, rating_b = questions[rating.pk]["districts"]
    assert (rating_a["counts"], rating_a["rate"]) == ([1, 1, 1, 0, 0], 66.7)
    assert (rating_b["counts"], rating_b["rate"]) == ([0, 0, 0, 1, 1], 0.0)
    assert [o["count"] for o in questions[yes_no.pk]["options"]] == [3, 1]  # yes, no
    assert questions[yes_no.pk]["rate"] == 75.0
    assert [o["count"] for o in questions[choice.pk]["options"]] == [0, 0, 1]
    assert questions[choice.pk]["rate"] is None


def test_the_trend_by_week_and_month(answered):
    survey = answered[0]
    weeks = survey_results(survey=survey)["trend"]
    assert [(w["period"], w["responses"], w["rate"]) for w in weeks] == [
        ("2026-03-02", 3, 50.0), ("2026-03-09", 1, 100.0), ("2026-04-06", 1, 0.0)]
    months = survey_results(survey=survey, trend="month")["trend"]
    assert [(m["period"], m["responses"], m["rate"], m["met"]) for m in months] == [
        ("2026-03-01", 4, 62.5, False), ("2026-04-01", 1, 0.0, False)]


def test_a_period_and_a_district(answered, city):
    survey = answered[0]
    march_b = survey_results(survey=survey, since=date(2026, 3, 1), until=date(2026, 3, 31), district_id=city.district_b.pk)
    assert march_b["overall"]["responses"] == 1 and march_b["overall"]["rate"] == 50.0
    assert [row["district_id"] for row in march_b["districts"]] == [city.district_b.pk]


def test_satisfaction_summary(answered, city):
    assert satisfaction_summary(since=date(2026, 3, 1), until=date(2026, 3, 31)) == {
        "responses": 4, "rate": 62.5, "target": 80.0, "met": False}
    assert satisfaction_summary(since=date(2026, 3, 1), until=date(2026, 3, 31), district_id=city.district_a.pk) == {
        "responses": 3, "rate": 66.7, "target": 80.0, "met": False}
    assert satisfaction_summary(since=date(2025, 1, 1), until=date(2025, 12, 31))["rate"] is None


@pytest.mark.parametrize("role,status", [("hq", 200), ("leader", 200), ("district_lead", 200), ("inspector", 404),
                                         ("unit_handler", 404), ("team_lead", 404), ("public", 404)])
def test_who_reads_the_results(answered, city, login, role, status):
    response = login(city.users[role]).get(reverse("assessment:survey_results", args=[answered[0].pk]))
    assert response.status_code == status


def test_anonymous_goes_to_sign_in(answered, client):
    response = client.get(reverse("assessment:survey_results", args=[answered[0].pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_district_lead_sees_only_their_district_whatever_they_ask(answered, city, login):
    client = login(city.users["district_lead"])
    url = reverse("assessment:survey_results", args=[answered[0].pk])
    response = client.get(url, {"district": city.district_b.pk})
    results = response.context["results"]
    assert [row["district_id"] for row in results["districts"]] == [city.district_a.pk]
    assert results["overall"]["rate"] == 66.7
    assert "乙区" not in response.content.decode()


def test_the_workbook_holds_the_figures_and_is_audited(answered, city, login):
    client = login(city.users["leader"])
    response = client.get(reverse("assessment:survey_results_export", args=[answered[0].pk]), {"trend": "month"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert 55.6 in summary.values() and 80 in summary.values()
    districts = list(book.worksheets[1].iter_rows(values_only=True))
    assert districts[1][:5] == ("甲区", 3, 6, 4, 66.7)
    trend = list(book.worksheets[3].iter_rows(values_only=True))
    assert trend[1][:3] == ("2026-03-01", 4, 62.5)
    assert AuditEntry.objects.filter(target=f"satisfaction-results:{answered[0].pk}").exists()


def test_the_results_page_reads_in_a_few_queries(answered, city, login, django_assert_max_num_queries):
    client = login(city.users["hq"])
    url = reverse("assessment:survey_results", args=[answered[0].pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("asked", ["²", "99999999999999999999999", "0", "-3", "abc"])
def test_a_bad_district_is_a_clear_400_not_a_500(answered, city, login, asked):
    client = login(city.users["leader"])
    page = client.get(reverse("assessment:survey_results", args=[answered[0].pk]), {"district": asked})
    assert page.status_code == 400 and "district" in page.context["errors"]
    export = client.get(reverse("assessment:survey_results_export", args=[answered[0].pk]), {"district": asked})
    assert export.status_code == 400 and export.content.decode().startswith("district:")


def test_the_api_refuses_a_district_too_large(answered, city):
    from rest_framework.test import APIClient
    client = APIClient()
    client.force_authenticate(city.users["leader"])
    response = client.get(f"/api/assessment/satisfaction/surveys/{answered[0].pk}/results/",
                          {"district": "99999999999999999999999"})
    assert response.status_code == 400 and "district" in response.json()


def test_the_target_is_judged_on_the_exact_rate_not_the_rounded_one(city):
    from decimal import Decimal
    survey, rating, _yes_no, _choice = make_survey(city.users["hq"], slug="exact", target=Decimal("66.67"))
    for index, value in enumerate([5, 4, 1]):  # 2 of 3 satisfied: 66.666…%, shown as 66.7
        survey_answer_submit(survey=survey, district=city.district_a, place_category=None, answers={rating.pk: value},
                             device_token=f"exact-{index:02d}-" + "x" * 30, client_address=None,
                             now=at(date(2026, 3, 2)))
    results = survey_results(survey=survey)
    assert results["overall"]["rate"] == 66.7 and results["overall"]["met"] is False
    assert results["districts"][0]["met"] is False and results["trend"][0]["met"] is False
    summary = satisfaction_summary(since=date(2026, 3, 1), until=date(2026, 3, 31))
    assert summary["rate"] == 66.7 and summary["met"] is False
