"""The scores page: figures checked against hand-computed ones, scoping per role, filters,
sorting, paging and a bounded number of queries."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaign.tests.factories import make_sample_point
from inspections.choices import InspectionKind, Outcome
from inspections.models import Inspection
from inspections.tests.factories import inspect, market_checklist

pytestmark = pytest.mark.django_db

URL = "/inspections/scores/"
FAIL = Outcome.FAIL


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def scored(city):
    """Hand-computed scores (items: M01 10 points, M02 5, M03 5, M04 3, M05 veto):
    district A's market: 95 (M02) then 87 (M01 + M04) → latest 87, average 91;
    district B's market: 0 (veto M05) → latest 0, average 0;
    district A 91, district B 0, markets (95 + 87 + 0) / 3 = 60.67."""
    market_checklist(city)
    inspect(city, outcomes={"M02": FAIL})
    inspect(city, outcomes={"M01": FAIL, "M04": FAIL})
    inspect(city, outcomes={"M05": FAIL}, point=city.points_b[0], by=city.hq, kind=InspectionKind.ROUTINE)


def rows(html: str, table: str) -> dict[str, dict]:
    section = html[html.index(f'id="{table}"'):]
    section = section[:section.index("</table>")]
    found = {}
    for name, average, count in re.findall(r'data-(?:name|point)="([^"]+)" data-average="([^"]*)"'
                                           r'(?: data-count="(\d+)")?', section):
        found[name] = {"average": average, "count": count}
    return found


def point_rows(html: str) -> list[tuple[str, str, str, str]]:
    section = html[html.index('id="point-table"'):]
    return re.findall(r'data-point="([^"]+)" data-latest="([^"]*)" data-average="([^"]*)" data-count="(\d+)"',
                      section)


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_member_of_the_public_may_not_see_scores(city, login):
    assert login(city.public).get(URL).status_code == 403


def test_hq_sees_each_points_latest_and_average_score_worst_first(city, scored, login):
    html = login(city.hq).get(URL).content.decode()
    a, b = city.points_a[0].code, city.points_b[0].code
    assert point_rows(html) == [(b, "0.0", "0.00", "1"), (a, "87.0", "91.00", "2")]


def test_hq_sees_district_and_category_averages(city, scored, login):
    html = login(city.hq).get(URL).content.decode()
    assert rows(html, "district-averages") == {
        "District B": {"average": "0.00", "count": "1"},
        "District A": {"average": "91.00", "count": "2"},
    }
    assert rows(html, "category-averages") == {"Farmers&#x27; markets": {"average": "60.67", "count": "3"}}
    assert html.count('<svg class="trend"') == 3  # a trend per district and per category


def test_district_lead_sees_only_their_districts_scores(city, scored, login):
    html = login(city.district_lead).get(URL).content.decode()
    assert [row[0] for row in point_rows(html)] == [city.points_a[0].code]
    assert rows(html, "district-averages") == {"District A": {"average": "91.00", "count": "2"}}
    assert rows(html, "category-averages") == {"Farmers&#x27; markets": {"average": "91.00", "count": "2"}}
    assert city.points_b[0].name not in html


def test_other_district_lead_sees_only_district_b(city, scored, login):
    html = login(city.other_district_lead).get(URL).content.decode()
    assert [row[0] for row in point_rows(html)] == [city.points_b[0].code]


def test_inspector_sees_the_scores_of_their_own_inspections(city, scored, login):
    html = login(city.inspector).get(URL).content.decode()
    assert point_rows(html) == [(city.points_a[0].code, "87.0", "91.00", "2")]


def test_kind_filter_narrows_every_figure(city, scored, login):
    html = login(city.hq).get(URL, {"kind": InspectionKind.ROUTINE, "start": ""}).content.decode()
    assert point_rows(html) == [(city.points_b[0].code, "0.0", "0.00", "1")]
    assert rows(html, "district-averages") == {"District B": {"average": "0.00", "count": "1"}}
    worst = html[html.index('id="worst-points"'):html.index('id="point-scores"')]
    assert city.points_a[0].name not in worst


def test_period_leaves_out_inspections_submitted_before_it(city, scored, login):
    old = Inspection.objects.filter(sample_point=city.points_a[0]).order_by("submitted_at").first()
    Inspection.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    html = login(city.hq).get(URL, {"start": since}).content.decode()
    assert (city.points_a[0].code, "87.0", "87.00", "1") in point_rows(html)
    # By default a year is shown, so the 40-day-old inspection still counts.
    assert (city.points_a[0].code, "87.0", "91.00", "2") in point_rows(login(city.hq).get(URL).content.decode())


def test_sorting_best_first(city, scored, login):
    html = login(city.hq).get(URL, {"sort": "best"}).content.decode()
    assert [row[0] for row in point_rows(html)] == [city.points_a[0].code, city.points_b[0].code]


def test_trend_has_a_dot_per_month(city, scored, login):
    old = Inspection.objects.filter(sample_point=city.points_a[0]).order_by("submitted_at").first()
    Inspection.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=62))
    html = login(city.hq).get(URL).content.decode()
    table = html[html.index('id="district-averages"'):]
    row_a = table[table.index('data-name="District A"'):]
    row_a = row_a[:row_a.index("</tr>")]
    assert row_a.count("<circle") == 2
    assert ": 95.0</title>" in row_a and ": 87.0</title>" in row_a


def test_invalid_dates_show_an_error_not_a_crash(city, scored, login):
    response = login(city.hq).get(URL, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()


def test_scores_page_pages_and_runs_a_bounded_number_of_queries(city, scored, login, django_assert_max_num_queries):
    for _ in range(30):
        point = make_sample_point(district=city.district_a, category=city.market)
        inspect(city, outcomes={"M03": FAIL}, point=point)
    client = login(city.hq)
    with django_assert_max_num_queries(16):
        first = client.get(URL).content.decode()
    assert len(point_rows(first)) == 25
    assert 'rel="next"' in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert len(point_rows(second)) == 7
    assert Decimal(point_rows(second)[-1][1]) == Decimal("95.0")  # worst first: the best come last
