"""campaign/geo.py: the GCJ-02 transform on published pairs, distances, polygons, city bounds."""

import json
from decimal import Decimal

import pytest

from campaign import geo
from campaign.models import DistrictBoundary, GridBoundary
from campaign.services.boundaries import boundaries_upload

# (WGS-84 lat, lon) -> (GCJ-02 lat, lon) as published with the open-source implementations:
# googollee/eviltransform go/transform_test.go (Shanghai, Shenzhen, Beijing) and the example in
# wandergis/coordtransform's README (Tiananmen, wgs84togcj02(116.404, 39.915)).
PUBLISHED_PAIRS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),
]


@pytest.mark.parametrize(("wgs", "gcj"), PUBLISHED_PAIRS)
def test_wgs84_to_gcj02_matches_published_pairs(wgs, gcj):
    lat, lon = geo.wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lon == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), PUBLISHED_PAIRS)
def test_gcj02_to_wgs84_returns_the_original_point_within_a_centimetre(wgs, gcj):
    lat, lon = geo.gcj02_to_wgs84(*gcj)
    assert geo.haversine_m(lat, lon, *wgs) < 0.01


def test_the_shift_in_china_is_hundreds_of_metres():
    assert 300 < geo.haversine_m(31.1774276, 121.5272106, *geo.wgs84_to_gcj02(31.1774276, 121.5272106)) < 700


@pytest.mark.parametrize("point", [(51.5074, -0.1278), (34.0522, -118.2437), (1.3521, 103.8198 - 40)])
def test_no_shift_outside_china(point):
    assert geo.wgs84_to_gcj02(*point) == point
    assert geo.gcj02_to_wgs84(*point) == point


def test_haversine_distances():
    # One degree of latitude on the mean radius (pi * R / 180), and Rosetta Code's Nashville to
    # Los Angeles (2887.26 km on their radius of 6372.8 km; 2886.45 km on the mean radius).
    assert geo.haversine_m(30, 120, 31, 120) == pytest.approx(111195.08, abs=0.01)
    assert geo.haversine_m(36.12, -86.67, 33.94, -118.40) == pytest.approx(2886448.4, abs=1)
    assert geo.haversine_m(30, 120, 30, 120) == 0


def square(west, south, east, north):
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def collection(*features, **extra):
    return json.dumps({"type": "FeatureCollection", **extra, "features": list(features)}).encode()


def feature(geometry, **properties):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


DISTRICT_A = {"type": "Polygon", "coordinates": [square(121.40, 30.85, 121.50, 30.95), square(121.46, 30.86, 121.49, 30.89)]}
DISTRICT_B = {"type": "MultiPolygon", "coordinates": [[square(121.50, 30.85, 121.60, 30.95)], [square(121.70, 30.85, 121.72, 30.87)]]}


def test_point_in_polygon_with_a_hole_and_a_multipolygon(city):
    boundaries_upload(kind="district", data=collection(feature(DISTRICT_A, code="A"), feature(DISTRICT_B, code="B")),
                      match_by="code", by=city.hq)
    assert geo.district_for_point(30.90, 121.45) == city.district_a
    assert geo.district_for_point(30.875, 121.475) is None  # in A's hole
    assert geo.district_for_point(30.86, 121.71) == city.district_b  # B's second polygon
    assert geo.district_for_point(30.80, 121.45) is None
    assert geo.district_for_point(None, None) is None


def test_grid_for_point_takes_the_smallest_of_overlapping_grids(city):
    from campaign.models import Grid

    small = Grid.objects.create(district=city.district_a, code="A-G2", name="甲二网格")
    data = collection(feature({"type": "Polygon", "coordinates": [square(121.40, 30.85, 121.50, 30.95)]}, code="A-G1"),
                      feature({"type": "Polygon", "coordinates": [square(121.41, 30.86, 121.42, 30.87)]}, code="A-G2"))
    boundaries_upload(kind="grid", data=data, match_by="code", by=city.hq)
    assert geo.grid_for_point(30.865, 121.415) == small
    assert geo.grid_for_point(30.90, 121.45) == city.grid_a
    assert geo.grid_for_point(31.5, 121.45) is None


def test_city_bounds_come_from_district_boundaries_else_the_setting(city, settings):
    settings.CITY_BOUNDS = None
    assert geo.city_bounds() is None
    assert geo.city_coordinate_errors(Decimal("80"), Decimal("10")) == {}
    settings.CITY_BOUNDS = (27.0, 112.0, 28.5, 113.5)
    assert geo.city_bounds() == geo.Bounds(27.0, 112.0, 28.5, 113.5)
    boundaries_upload(kind="district", data=collection(feature(DISTRICT_A, code="A"), feature(DISTRICT_B, code="B")),
                      match_by="code", by=city.hq)
    assert geo.city_bounds() == geo.Bounds(south=30.85, west=121.40, north=30.95, east=121.72)
    assert geo.city_coordinate_errors(Decimal("30.9"), Decimal("121.45")) == {}
    errors = geo.city_coordinate_errors(Decimal("27.5"), Decimal("121.45"))
    assert list(errors) == ["latitude"] and "27.5" in errors["latitude"] and "30.85" in errors["latitude"]
    assert list(geo.city_coordinate_errors(Decimal("30.9"), Decimal("112.5"))) == ["longitude"]


def test_a_gcj02_upload_is_stored_in_wgs84(city):
    wgs = [[121.45, 30.90], [121.47, 30.90], [121.47, 30.92], [121.45, 30.92], [121.45, 30.90]]
    gcj = [list(reversed(geo.wgs84_to_gcj02(lat, lon))) for lon, lat in wgs]
    boundaries_upload(kind="grid", data=collection(feature({"type": "Polygon", "coordinates": [gcj]}, code="A-G1")),
                      match_by="code", by=city.hq, source_crs="gcj02")
    stored = GridBoundary.objects.get(grid=city.grid_a).geometry["coordinates"][0]
    for (lon, lat), (want_lon, want_lat) in zip(stored, wgs, strict=True):
        assert geo.haversine_m(lat, lon, want_lat, want_lon) < 0.01


def test_a_new_upload_replaces_only_the_areas_it_names(city):
    boundaries_upload(kind="district", data=collection(feature(DISTRICT_A, code="A"), feature(DISTRICT_B, code="B")),
                      match_by="code", by=city.hq)
    smaller = {"type": "Polygon", "coordinates": [square(121.40, 30.85, 121.45, 30.90)]}
    boundaries_upload(kind="district", data=collection(feature(smaller, name="甲区")), match_by="name", by=city.hq)
    assert DistrictBoundary.objects.get(district=city.district_a).geometry["coordinates"] == smaller["coordinates"]
    assert DistrictBoundary.objects.get(district=city.district_b).geometry["type"] == "MultiPolygon"


def test_geometry_to_display_shifts_only_for_gcj02_tiles(settings):
    settings.MAP_TILE_CRS = "wgs84"
    assert geo.geometry_to_display(DISTRICT_A) is DISTRICT_A
    settings.MAP_TILE_CRS = "gcj02"
    shifted = geo.geometry_to_display(DISTRICT_A)
    lon, lat = DISTRICT_A["coordinates"][0][0]
    assert shifted["coordinates"][0][0] == list(reversed(geo.wgs84_to_gcj02(lat, lon)))
    assert geo.to_display(30.9, 121.45) == geo.wgs84_to_gcj02(30.9, 121.45)
