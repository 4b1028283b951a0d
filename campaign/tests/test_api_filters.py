"""Filtering, searching, ordering and the cost of the structure lists in the REST API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaign.models import Indicator, IndicatorValue, Team, Unit
from campaign.tests.factories import make_sample_point

pytestmark = pytest.mark.django_db

POINTS = reverse("samplepoint-list")


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def hq(city, login):
    return login(city.hq)


def test_filter_sample_points_by_district(city, hq):
    assert ids(hq.get(POINTS, {"district": city.district_b.pk})) == {p.pk for p in city.points_b}


def test_filter_sample_points_by_category(city, hq):
    expected = {city.points_a[0].pk, city.points_b[0].pk}
    assert ids(hq.get(POINTS, {"category": city.market.pk})) == expected


def test_filter_sample_points_by_team(city, hq):
    assert ids(hq.get(POINTS, {"team": city.team.pk})) == {city.points_a[0].pk}


def test_filter_sample_points_by_responsible_unit(city, hq):
    assert ids(hq.get(POINTS, {"responsible_unit": city.office_b.pk})) == {p.pk for p in city.points_b}


def test_filter_sample_points_by_grid_and_road(city, hq):
    on_grid = make_sample_point(district=city.district_a, category=city.market, name="网格内", grid=city.grid_a)
    on_road = make_sample_point(district=city.district_a, category=city.market, name="路边", road=city.road_a)
    # With A's market (on grid A) and A's restaurant (on road A) of the test city.
    assert ids(hq.get(POINTS, {"grid": city.grid_a.pk})) == {on_grid.pk, city.points_a[0].pk}
    assert ids(hq.get(POINTS, {"road": city.road_a.pk})) == {on_road.pk, city.points_a[1].pk}


def test_filter_sample_points_by_active(city, hq):
    retired = make_sample_point(district=city.district_a, category=city.market, name="已撤销", active=False)
    assert ids(hq.get(POINTS, {"active": "false"})) == {retired.pk}
    assert retired.pk not in ids(hq.get(POINTS, {"active": "true"}))
    assert len(ids(hq.get(POINTS, {"active": "true"}))) == 4


@pytest.mark.parametrize("param", ["search", "q"])
def test_search_sample_points_in_chinese(city, hq, param):
    expected = {city.points_a[0].pk, city.points_b[0].pk}  # 甲农贸市场, 乙农贸市场
    assert ids(hq.get(POINTS, {param: "农贸"})) == expected


def test_search_finds_the_address(city, hq):
    point = make_sample_point(district=city.district_a, category=city.restaurant, name="某店", address="解放路88号")
    assert ids(hq.get(POINTS, {"search": "解放路"})) == {point.pk}


def test_search_stays_inside_the_users_scope(city, login):
    client = login(city.district_lead)
    assert ids(client.get(POINTS, {"search": "农贸"})) == {city.points_a[0].pk}


def test_filtering_by_a_district_out_of_scope_is_refused_not_answered(city, login):
    response = login(city.district_lead).get(POINTS, {"district": city.district_b.pk})
    assert response.status_code == 400
    assert "district" in response.json()


def test_ordering_sample_points(city, hq):
    response = hq.get(POINTS, {"ordering": "-code"})
    listed = [row["code"] for row in response.json()["results"]]
    assert listed == sorted(listed, reverse=True)
    assert len(listed) == 4


def test_filter_units_by_team_and_district(city, hq):
    assert ids(hq.get(reverse("unit-list"), {"team": city.team.pk})) == {city.office_a.pk}
    assert ids(hq.get(reverse("unit-list"), {"district": city.district_b.pk})) == {city.office_b.pk}


def test_filter_grids_and_roads_by_district(city, hq):
    assert ids(hq.get(reverse("grid-list"), {"district": city.district_a.pk})) == {city.grid_a.pk}
    assert ids(hq.get(reverse("road-list"), {"district": city.district_b.pk})) == {city.road_b.pk}


def test_filter_categories_by_kind(city, hq):
    assert ids(hq.get(reverse("category-list"), {"kind": "standard"})) == {city.standard.pk}


def test_filter_teams_by_category(city, hq):
    other = Team.objects.create(code="T09", name="餐饮组", leader_name="某副市长")
    other.categories.add(city.restaurant)
    assert ids(hq.get(reverse("team-list"), {"category": city.restaurant.pk})) == {other.pk}


def test_search_districts_by_chinese_name(city, hq):
    assert ids(hq.get(reverse("district-list"), {"search": "乙"})) == {city.district_b.pk}


# --- Query counts ---------------------------------------------------------------------------


def test_sample_point_list_costs_a_bounded_number_of_queries(city, login, django_assert_max_num_queries):
    for n in range(30):
        make_sample_point(
            district=city.district_a, category=city.market, unit=city.office_a, team=city.team,
            grid=city.grid_a, road=city.road_a, name=f"批量点{n}",
        )
    client = login(city.hq)
    with django_assert_max_num_queries(8):
        response = client.get(POINTS, {"page_size": 100})
    assert len(response.json()["results"]) == 34
    assert all(row["grid_label"] for row in response.json()["results"][:30] if row["grid"])


def test_scoped_sample_point_list_is_bounded_too(city, login, django_assert_max_num_queries):
    for n in range(30):
        make_sample_point(district=city.district_a, category=city.market, unit=city.office_a, name=f"批量点{n}")
    client = login(city.team_lead)
    with django_assert_max_num_queries(8):
        response = client.get(POINTS, {"page_size": 100})
    assert response.json()["count"] == 32


def test_team_list_costs_a_bounded_number_of_queries(city, login, django_assert_max_num_queries):
    for n in range(20):
        team = Team.objects.create(code=f"T{n + 10}", name=f"专项组{n}", leader_name="某", lead_unit=city.office_a)
        team.member_units.add(city.office_a, city.office_b)
        team.categories.add(city.market)
    client = login(city.hq)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("team-list"))
    assert response.json()["count"] == 21


def test_unit_list_costs_a_bounded_number_of_queries(city, login, django_assert_max_num_queries):
    for n in range(20):
        Unit.objects.create(name=f"单位{n}", kind="street_office", district=city.district_a)
    client = login(city.hq)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("unit-list"))
    assert response.json()["count"] == 23


def test_indicator_list_costs_a_bounded_number_of_queries(city, login, django_assert_max_num_queries):
    for n in range(20):
        indicator = Indicator.objects.create(code=f"I{n}", name=f"指标{n}", target=Decimal("90"), category=city.standard)
        for month in (1, 2, 3):
            IndicatorValue.objects.create(indicator=indicator, month=f"2025-0{month}-01", value=Decimal(88 + month))
    client = login(city.hq)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("indicator-list"))
    results = response.json()["results"]
    assert len(results) == 20
    assert all(row["met"] is True and row["latest"]["month"] == "2025-03-01" for row in results)


def test_unit_handler_filtering_by_another_unit_is_refused(city, login):
    response = login(city.unit_handler).get(POINTS, {"responsible_unit": city.office_b.pk})
    assert response.status_code == 400
    assert "responsible_unit" in response.json()
