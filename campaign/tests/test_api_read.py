"""Reading the structure over the REST API: who sees which districts, grids, roads, units,
teams, categories, sample points and indicators (lists and details)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaign.models import (
    Category,
    District,
    Grid,
    Indicator,
    IndicatorValue,
    Road,
    SamplePoint,
    Team,
    Unit,
)
from campaign.tests.factories import make_sample_point

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # build_city hashes eight passwords per test; the default hasher makes that the slow part.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ALL_ENDPOINTS = {
    "district": District,
    "grid": Grid,
    "road": Road,
    "unit": Unit,
    "team": Team,
    "category": Category,
    "samplepoint": SamplePoint,
    "indicator": Indicator,
}

# Endpoints whose objects lie in one district: (object of district A, object of district B).
AREA_OBJECTS = {
    "district": lambda c: (c.district_a, c.district_b),
    "grid": lambda c: (c.grid_a, c.grid_b),
    "road": lambda c: (c.road_a, c.road_b),
    "unit": lambda c: (c.office_a, c.office_b),
    "samplepoint": lambda c: (c.points_a[0], c.points_b[0]),
}
CITY_WIDE = ["team", "category", "indicator"]


def list_url(basename: str) -> str:
    return reverse(f"{basename}-list")


def detail_url(basename: str, pk: int) -> str:
    return reverse(f"{basename}-detail", args=[pk])


def listed_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def indicator(city):
    indicator = Indicator.objects.create(
        code="GARBAGE", name="生活垃圾无害化处理率", name_en="Household garbage harmless treatment",
        category=city.standard, target=Decimal("100"),
    )
    IndicatorValue.objects.create(indicator=indicator, month="2025-01-01", value=Decimal("98.5"))
    IndicatorValue.objects.create(indicator=indicator, month="2025-02-01", value=Decimal("100"))
    return indicator


def some_object(city, indicator, basename):
    if basename in AREA_OBJECTS:
        return AREA_OBJECTS[basename](city)[0]
    return {"team": city.team, "category": city.market, "indicator": indicator}[basename]


@pytest.mark.parametrize("basename", ALL_ENDPOINTS)
def test_anonymous_is_refused_list_and_detail(city, indicator, login, basename):
    client = login(None)
    obj = some_object(city, indicator, basename)
    for url in (list_url(basename), detail_url(basename, obj.pk)):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert "results" not in response.json()
        assert "id" not in response.json()


@pytest.mark.parametrize("basename", ALL_ENDPOINTS)
def test_public_role_sees_nothing(city, indicator, login, basename):
    client = login(city.public)
    response = client.get(list_url(basename))
    assert response.status_code == 200
    assert response.json()["count"] == 0
    obj = some_object(city, indicator, basename)
    assert client.get(detail_url(basename, obj.pk)).status_code == 404


@pytest.mark.parametrize("basename", ALL_ENDPOINTS)
@pytest.mark.parametrize("actor", ["hq", "leader"])
def test_hq_and_leader_see_everything(city, indicator, login, basename, actor):
    client = login(getattr(city, actor))
    model = ALL_ENDPOINTS[basename]
    assert listed_ids(client.get(list_url(basename))) == set(model.objects.values_list("pk", flat=True))
    obj = some_object(city, indicator, basename)
    response = client.get(detail_url(basename, obj.pk))
    assert response.status_code == 200
    assert response.json()["id"] == obj.pk


@pytest.mark.parametrize("basename", AREA_OBJECTS)
def test_district_lead_sees_own_district_and_gets_404_for_other(city, login, basename):
    own, other = AREA_OBJECTS[basename](city)
    client = login(city.district_lead)
    ids = listed_ids(client.get(list_url(basename)))
    assert own.pk in ids
    assert other.pk not in ids
    assert client.get(detail_url(basename, own.pk)).status_code == 200
    assert client.get(detail_url(basename, other.pk)).status_code == 404


@pytest.mark.parametrize("basename", AREA_OBJECTS)
def test_other_district_lead_gets_404_for_district_a(city, login, basename):
    own_of_a, own_of_b = AREA_OBJECTS[basename](city)
    client = login(city.other_district_lead)
    assert client.get(detail_url(basename, own_of_b.pk)).status_code == 200
    assert client.get(detail_url(basename, own_of_a.pk)).status_code == 404


def test_district_lead_lists_exactly_district_a_sample_points(city, login):
    client = login(city.district_lead)
    expected = set(SamplePoint.objects.filter(district=city.district_a).values_list("pk", flat=True))
    assert listed_ids(client.get(list_url("samplepoint"))) == expected


def test_district_lead_sees_city_departments_and_own_street_office_only(city, login):
    ids = listed_ids(login(city.district_lead).get(list_url("unit")))
    assert ids == {city.city_department.pk, city.office_a.pk}


def test_unit_handler_sees_only_their_units_points(city, login):
    # Same district, another unit: a district lead sees it, the street office's handler does not.
    department_point = make_sample_point(
        district=city.district_a, category=city.market, unit=city.city_department, name="甲区局属点"
    )
    client = login(city.unit_handler)
    ids = listed_ids(client.get(list_url("samplepoint")))
    assert ids == {p.pk for p in city.points_a}
    assert client.get(detail_url("samplepoint", department_point.pk)).status_code == 404
    assert client.get(detail_url("samplepoint", city.points_b[0].pk)).status_code == 404
    assert department_point.pk in listed_ids(login(city.district_lead).get(list_url("samplepoint")))


def test_unit_handler_sees_only_their_own_unit(city, login):
    client = login(city.unit_handler)
    assert listed_ids(client.get(list_url("unit"))) == {city.office_a.pk}
    assert client.get(detail_url("unit", city.city_department.pk)).status_code == 404


def test_team_lead_sees_points_of_their_team_and_its_units(city, login):
    # The team's lead unit (the city department) answers for a point in district B.
    lead_unit_point = make_sample_point(
        district=city.district_b, category=city.market, unit=city.city_department, name="乙区局属点"
    )
    client = login(city.team_lead)
    ids = listed_ids(client.get(list_url("samplepoint")))
    assert ids == {city.points_a[0].pk, city.points_a[1].pk, lead_unit_point.pk}
    for outside in city.points_b:
        assert client.get(detail_url("samplepoint", outside.pk)).status_code == 404


def test_team_lead_sees_only_their_teams_units(city, login):
    ids = listed_ids(login(city.team_lead).get(list_url("unit")))
    assert ids == {city.city_department.pk, city.office_a.pk}


@pytest.mark.parametrize("basename", CITY_WIDE)
@pytest.mark.parametrize("actor", ["team_lead", "district_lead", "unit_handler", "inspector"])
def test_scoped_staff_read_city_wide_reference_data(city, indicator, login, basename, actor):
    ids = listed_ids(login(getattr(city, actor)).get(list_url(basename)))
    assert ids == set(ALL_ENDPOINTS[basename].objects.values_list("pk", flat=True))
    assert ids


def test_sample_point_detail_carries_readable_labels(city, login):
    point = city.points_a[0]
    data = login(city.hq).get(detail_url("samplepoint", point.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert data["code"] == point.code
    assert data["district"] == city.district_a.pk
    assert data["district_label"] == "甲区"
    assert data["category_label"] == "农贸市场"
    assert data["responsible_unit_label"] == "甲街道办"
    assert data["team_label"] == "市容环境组"
    assert data["grid"] == city.grid_a.pk and data["grid_label"] == "甲一网格"
    assert data["road"] is None
    assert Decimal(data["latitude"]) == Decimal("30.9")


def test_team_detail_lists_lead_unit_member_units_and_categories(city, login):
    data = login(city.hq).get(detail_url("team", city.team.pk)).json()
    assert data["leader_name"] == "王副市长"
    assert data["lead_unit"] == city.city_department.pk
    assert data["member_units"] == [city.office_a.pk]
    assert data["categories"] == [city.market.pk]


def test_indicator_shows_monthly_values_latest_and_whether_met(indicator, city, login):
    data = login(city.district_lead).get(detail_url("indicator", indicator.pk)).json()
    assert [v["month"] for v in data["values"]] == ["2025-01-01", "2025-02-01"]
    assert data["latest"]["month"] == "2025-02-01"
    assert Decimal(data["latest"]["value"]) == Decimal("100")
    assert data["met"] is True


def test_indicator_below_target_is_not_met_and_without_values_is_unknown(city, login):
    below = Indicator.objects.create(code="SEWAGE", name="污水集中处理率", target=Decimal("95"))
    IndicatorValue.objects.create(indicator=below, month="2025-03-01", value=Decimal("90.1"))
    empty = Indicator.objects.create(code="EMPTY", name="无数据指标", target=Decimal("1"))
    client = login(city.hq)
    assert client.get(detail_url("indicator", below.pk)).json()["met"] is False
    data = client.get(detail_url("indicator", empty.pk)).json()
    assert data["met"] is None
    assert data["latest"] is None


def test_list_is_paginated_by_page_number(city, login):
    response = login(city.hq).get(list_url("samplepoint"), {"page_size": 3})
    data = response.json()
    assert data["count"] == 4
    assert len(data["results"]) == 3
    assert "page=2" in data["next"]
    second = login(city.hq).get(data["next"]).json()
    assert len(second["results"]) == 1
