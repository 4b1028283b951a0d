"""The map's GeoJSON API: scoped by visible_to, filtered by the ledger's FilterSet, capped,
and shifted to GCJ-02 only for display when the tile server says so."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaign import geo
from campaign.models import SamplePoint
from campaign.services.boundaries import boundaries_upload
from campaign.tests.test_geo import DISTRICT_A, DISTRICT_B, collection, feature, square
from ledger.choices import Status
from ledger.tests.api_support import client_for
from ledger.tests.factories import problem_in, record

PROBLEMS = reverse("map-problems")
POINTS = reverse("map-sample-points")
BOUNDARIES = reverse("map-boundaries")


@pytest.fixture
def placed(city):
    """District B's market gets coordinates; one problem at A's market, one at B's."""
    SamplePoint.objects.filter(pk=city.points_b[0].pk).update(latitude=Decimal("30.910000"), longitude=Decimal("121.550000"))
    city.points_b[0].refresh_from_db()
    city.problem_a = record(city)
    city.problem_b = record(city, point=city.points_b[0])
    return city


def codes(answer) -> set[str]:
    return {f["properties"]["code"] for f in answer["features"]}


def get(user, url, **params):
    response = client_for(user).get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_anonymous_and_the_public_get_nothing(placed):
    assert client_for(None).get(PROBLEMS).status_code == 401
    for url in (PROBLEMS, POINTS, BOUNDARIES):
        assert client_for(placed.public).get(url).status_code == 403


@pytest.mark.parametrize(("role", "sees_a", "sees_b"), [
    ("hq", True, True), ("leader", True, True), ("district_lead", True, False),
    ("other_district_lead", False, True), ("inspector", True, False),
])
def test_problems_and_points_are_those_the_role_may_see(placed, role, sees_a, sees_b):
    user = getattr(placed, role)
    answer = get(user, PROBLEMS)
    assert codes(answer) == {p.code for p, sees in ((placed.problem_a, sees_a), (placed.problem_b, sees_b)) if sees}
    assert answer["total"] == sees_a + sees_b
    points = {f["id"] for f in get(user, POINTS)["features"]}
    assert points == {p.pk for p, sees in ((placed.points_a[0], sees_a), (placed.points_b[0], sees_b)) if sees}


def test_an_out_of_scope_filter_is_refused_and_shows_nothing(placed):
    response = client_for(placed.district_lead).get(PROBLEMS, {"district": placed.district_b.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["district"]
    response = client_for(placed.district_lead).get(POINTS, {"sample_point": placed.points_b[0].pk})
    assert response.status_code == 400
    assert list(response.json()) == ["sample_point"]


def test_a_problem_answers_with_its_link_status_and_point(placed):
    feature_a = get(placed.hq, PROBLEMS, district=placed.district_a.pk)["features"][0]
    assert feature_a["geometry"] == {"type": "Point", "coordinates": [121.45, 30.9]}
    assert feature_a["properties"]["url"] == reverse("ledger:problem_detail", args=[placed.problem_a.pk])
    assert feature_a["properties"]["status"] == Status.FOUND
    assert feature_a["properties"]["sample_point"] == placed.points_a[0].pk


def test_open_problems_only_unless_a_status_is_chosen(placed):
    closed = problem_in(placed, Status.CLOSED)
    assert closed.code not in codes(get(placed.hq, PROBLEMS))
    assert get(placed.hq, PROBLEMS)["open_only"] is True
    answer = get(placed.hq, PROBLEMS, status=Status.CLOSED)
    assert codes(answer) == {closed.code} and answer["open_only"] is False


def test_overdue_is_marked_and_filtered_with_the_ledger_filter(placed):
    from ledger.models import Problem

    Problem.objects.filter(pk=placed.problem_b.pk).update(deadline="2020-01-01")
    answer = get(placed.hq, PROBLEMS, overdue="true")
    assert codes(answer) == {placed.problem_b.code}
    assert answer["features"][0]["properties"]["overdue"] is True
    points = {f["id"]: f["properties"] for f in get(placed.hq, POINTS)["features"]}
    assert points[placed.points_b[0].pk]["overdue_problems"] == 1
    assert points[placed.points_a[0].pk] == {**points[placed.points_a[0].pk], "open_problems": 1, "overdue_problems": 0}


def test_limit_says_showing_n_of_m_and_bbox_narrows(placed):
    record(placed, description="第三个问题")
    answer = get(placed.hq, PROBLEMS, limit=2)
    assert (answer["shown"], answer["total"], answer["limit"]) == (2, 3, 2)
    inside_b = get(placed.hq, PROBLEMS, bbox="121.5,30.85,121.6,30.95")
    assert codes(inside_b) == {placed.problem_b.code} and inside_b["total"] == 1


@pytest.mark.parametrize(("params", "name"), [({"bbox": "1,2,3"}, "bbox"), ({"bbox": "10,50,5,60"}, "bbox"),
                                              ({"limit": "0"}, "limit"), ({"limit": "many"}, "limit"),
                                              ({"overdue": "perhaps"}, "overdue")])
def test_bad_parameters_are_a_400_naming_them(placed, params, name):
    response = client_for(placed.hq).get(PROBLEMS, params)
    assert response.status_code == 400
    assert name in response.json()


def test_boundaries_are_those_of_visible_districts_and_grids(placed):
    boundaries_upload(kind="district", data=collection(feature(DISTRICT_A, code="A"), feature(DISTRICT_B, code="B")),
                      match_by="code", by=placed.hq)
    boundaries_upload(kind="grid", data=collection(feature({"type": "Polygon", "coordinates": [square(121.4, 30.85, 121.45, 30.9)]},
                                                           code="A-G1")), match_by="code", by=placed.hq)
    every = get(placed.hq, BOUNDARIES)["features"]
    assert {(f["properties"]["kind"], f["properties"]["code"]) for f in every} == {("district", "A"), ("district", "B"),
                                                                                  ("grid", "A-G1")}
    assert get(placed.hq, BOUNDARIES)["bbox"] == [121.40, 30.85, 121.72, 30.95]  # the city's bounds
    district_b = get(placed.other_district_lead, BOUNDARIES)["features"]
    assert [(f["properties"]["kind"], f["properties"]["code"]) for f in district_b] == [("district", "B")]


def test_gcj02_tiles_get_shifted_points_boundaries_and_bbox(placed, settings):
    boundaries_upload(kind="district", data=collection(feature(DISTRICT_A, code="A")), match_by="code", by=placed.hq)
    settings.MAP_TILE_CRS = "gcj02"
    answer = get(placed.hq, PROBLEMS, district=placed.district_a.pk)
    assert answer["display_crs"] == "gcj02"
    lon, lat = answer["features"][0]["geometry"]["coordinates"]
    want_lat, want_lon = geo.wgs84_to_gcj02(30.9, 121.45)
    assert (lat, lon) == (pytest.approx(want_lat, abs=1e-7), pytest.approx(want_lon, abs=1e-7))
    assert geo.haversine_m(lat, lon, 30.9, 121.45) > 300  # shifted, not the stored point
    ring = get(placed.hq, BOUNDARIES)["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == list(reversed(geo.wgs84_to_gcj02(30.85, 121.40)))
    # A box drawn on the GCJ-02 map around the shifted point finds it.
    box = f"{want_lon - 0.001},{want_lat - 0.001},{want_lon + 0.001},{want_lat + 0.001}"
    assert codes(get(placed.hq, PROBLEMS, bbox=box)) == {placed.problem_a.code}
    settings.MAP_TILE_CRS = "wgs84"
    assert get(placed.hq, PROBLEMS, district=placed.district_a.pk)["features"][0]["geometry"]["coordinates"] == [121.45, 30.9]


def test_query_counts_do_not_grow_with_the_problems(placed, django_assert_max_num_queries):
    for n in range(40):
        record(placed, point=placed.points_a[n % 1], description=f"问题{n}")
    client = client_for(placed.hq)
    with django_assert_max_num_queries(5):  # session, user, count, rows (+ a savepoint at most)
        answer = client.get(PROBLEMS).json()
    assert answer["shown"] == 42
    with django_assert_max_num_queries(6):  # session, user, count, rows, problem counts
        assert client.get(POINTS).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(BOUNDARIES).status_code == 200
