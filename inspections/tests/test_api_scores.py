"""Scores over the REST API: per sample point (latest, average, count), per district and per
category over a period and of a kind, and their trend per month or week; scoped like the rest."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.choices import InspectionKind, Outcome
from inspections.models import Inspection
from inspections.tests.factories import inspect, market_checklist
from ledger.tests.api_support import client_for

pytestmark = pytest.mark.django_db

SCORES = reverse("scores")


@pytest.fixture
def scored(city):
    """District A's market scored 90 then 95; district B's 100 (a routine supervision)."""
    market_checklist(city)
    first = inspect(city, outcomes={"M01": Outcome.FAIL})[0]
    second = inspect(city, outcomes={"M02": Outcome.FAIL})[0]
    third = inspect(city, outcomes={}, point=city.points_b[0], by=city.hq, kind=InspectionKind.ROUTINE)[0]
    # Dated apart so that "latest" and the periods are unambiguous.
    at = timezone.make_aware(datetime(2026, 10, 5, 10))
    for inspection, when in ((first, at), (second, at + timedelta(days=30)), (third, at + timedelta(days=31))):
        Inspection.objects.filter(pk=inspection.pk).update(submitted_at=when)
    return first, second, third


def rows(response) -> dict:
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def test_scores_by_point_give_the_latest_and_the_average(city, scored):
    answer = client_for(city.hq).get(SCORES, {"by": "point"})
    table = rows(answer)
    a, b = city.points_a[0], city.points_b[0]
    assert set(table) == {a.pk, b.pk} and answer.json()["count"] == 2
    assert table[a.pk]["latest"] == "95.0" and table[a.pk]["average"] == "92.50"
    assert table[a.pk]["inspections"] == 2 and table[a.pk]["code"] == a.code
    assert table[a.pk]["district_label"] == "District A" and table[a.pk]["category_label"] == "Farmers' markets"
    assert table[b.pk]["latest"] == "100.0" and table[b.pk]["inspections"] == 1


def test_the_worst_points_come_first_when_asked(city, scored):
    results = client_for(city.hq).get(SCORES, {"by": "point", "order": "worst"}).json()["results"]
    assert [row["id"] for row in results] == [city.points_a[0].pk, city.points_b[0].pk]


def test_scores_by_district_and_by_category(city, scored):
    api = client_for(city.hq)
    districts = rows(api.get(SCORES, {"by": "district"}))
    assert districts[city.district_a.pk]["average"] == "92.50" and districts[city.district_a.pk]["inspections"] == 2
    assert districts[city.district_b.pk]["average"] == "100.00"
    categories = rows(api.get(SCORES, {"by": "category"}))
    assert categories == {city.market.pk: {
        "id": city.market.pk, "code": None, "name": "农贸市场", "district_label": None, "category_label": None,
        "latest": None, "average": "95.00", "inspections": 3, "last_inspected": None,
    }}


def test_scores_over_a_period_and_of_a_kind(city, scored):
    api = client_for(city.hq)
    october = rows(api.get(SCORES, {"by": "district", "start": "2026-10-01", "end": "2026-10-31"}))
    assert set(october) == {city.district_a.pk} and october[city.district_a.pk]["average"] == "90.00"
    routine = rows(api.get(SCORES, {"by": "point", "kind": "routine"}))
    assert set(routine) == {city.points_b[0].pk}
    assert rows(api.get(SCORES, {"by": "category", "start": "2027-01-01"})) == {}


def test_a_district_lead_sees_the_scores_of_their_district_only(city, scored):
    api = client_for(city.district_lead)
    assert set(rows(api.get(SCORES, {"by": "point"}))) == {city.points_a[0].pk}
    assert set(rows(api.get(SCORES, {"by": "district"}))) == {city.district_a.pk}
    assert rows(api.get(SCORES, {"by": "category"}))[city.market.pk]["average"] == "92.50"
    other = client_for(city.other_district_lead)
    assert set(rows(other.get(SCORES, {"by": "district"}))) == {city.district_b.pk}


def test_score_trends_per_month_and_week(city, scored):
    api = client_for(city.hq)
    answer = api.get(SCORES, {"by": "district", "trend": "month"})
    assert answer.status_code == 200, answer.content
    series = {row["name"]: row["points"] for row in answer.json()["series"]}
    assert series == {
        "甲区": [{"period": "2026-10-01", "average": "90.00"}, {"period": "2026-11-01", "average": "95.00"}],
        "乙区": [{"period": "2026-11-01", "average": "100.00"}],
    }
    weekly = api.get(SCORES, {"by": "category", "trend": "week", "start": "2026-10-01", "end": "2026-10-31"}).json()
    assert weekly["trend"] == "week"
    assert weekly["series"] == [{"name": "农贸市场", "points": [{"period": "2026-10-05", "average": "90.00"}]}]


@pytest.mark.parametrize("params", [
    {"by": "team"}, {"by": "point", "trend": "month"}, {"trend": "year", "by": "district"},
    {"start": "2026-12-01", "end": "2026-11-01"}, {"kind": "picnic"}, {"start": "yesterday"},
])
def test_bad_score_parameters_are_a_400(city, params):
    assert client_for(city.hq).get(SCORES, params).status_code == 400


def test_scores_by_point_cost_a_bounded_number_of_queries(city, scored, django_assert_max_num_queries):
    from campaign.tests.factories import make_sample_point

    api = client_for(city.hq)
    with django_assert_max_num_queries(6) as few:
        assert api.get(SCORES).json()["count"] == 2
    for _ in range(10):
        inspect(city, outcomes={}, point=make_sample_point(district=city.district_a, category=city.market))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(SCORES).json()["count"] == 12
