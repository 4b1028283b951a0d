"""HQ's boundary upload page: stored all or nothing; every kind of bad file refused with its reason."""

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from campaign.models import DistrictBoundary, GridBoundary

from .test_geo import DISTRICT_A, DISTRICT_B, collection, feature, square

URL = reverse("campaign:boundary_upload")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def post(client, data: bytes, kind="district", match_by="code", name="areas.geojson"):
    return client.post(URL, {"kind": kind, "match_by": match_by, "file": SimpleUploadedFile(name, data)})


def refusals(response) -> list[str]:
    assert response.status_code == 400, response.content[:500]
    return [str(m) for m in response.context["refusals"]]


@pytest.mark.parametrize("actor", ["leader", "district_lead", "unit_handler", "inspector", "public"])
def test_only_hq_has_the_page(city, login, actor):
    client = login(getattr(city, actor))
    assert client.get(URL).status_code == 404
    assert post(client, collection(feature(DISTRICT_A, code="A"))).status_code == 404
    assert not DistrictBoundary.objects.exists()


def test_anonymous_is_sent_to_login(db, login):
    assert login(None).get(URL).status_code == 302


def test_hq_uploads_district_boundaries_and_sees_the_city_bounds(city, login):
    client = login(city.hq)
    response = post(client, collection(feature(DISTRICT_A, code="A"), feature(DISTRICT_B, code="B")))
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "2 boundaries stored." in page
    assert "2 district boundaries and 0 grid boundaries" in page
    assert "latitude 30.85000 to 30.95000" in page


def test_grids_are_matched_by_name(city, login):
    client = login(city.hq)
    grid = {"type": "Polygon", "coordinates": [square(121.40, 30.85, 121.45, 30.90)]}
    assert post(client, collection(feature(grid, name="甲一网格")), kind="grid", match_by="name").status_code == 302
    assert GridBoundary.objects.get().grid == city.grid_a


def polygon_feature(**properties):
    return feature(DISTRICT_A, **properties)


BAD_FILES = {
    "not JSON": (b"<kml>not json</kml>", "The file is not JSON: Expecting value at line 1, column 1."),
    "not UTF-8": ("{\"type\": \"区\"}".encode("gb18030"), "The file is not JSON text (UTF-8)."),
    "empty": (b"", "The file is not JSON: Expecting value"),
    "JSON, not GeoJSON": (b'{"districts": []}', 'The file is JSON but not GeoJSON: it has no "type" member.'),
    "a single feature": (json.dumps(polygon_feature(code="A")).encode(),
                         "The file is a single Feature; a FeatureCollection"),
    "no features": (collection(), "The FeatureCollection has no features."),
    "points": (collection(feature({"type": "Point", "coordinates": [121.4, 30.9]}, code="A")),
               "features[0]: a Point is not an area; boundaries are Polygon or MultiPolygon."),
    "projected metres": (collection(feature({"type": "Polygon", "coordinates": [square(350000, 3410000, 360000, 3420000)]},
                                            code="A")),
                         "features[0]: the coordinate [350000, 3410000] is not longitude/latitude in degrees"),
    "declared crs": (collection(polygon_feature(code="A"),
                                crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}),
                     'The file declares the coordinate system "urn:ogc:def:crs:EPSG::3857".'),
    "open ring": (collection(feature({"type": "Polygon", "coordinates": [square(121.4, 30.8, 121.5, 30.9)[:-1] + [[121.4, 30.85]]]},
                                     code="A")),
                  "features[0]: a ring must end at its first position."),
    "self-intersecting": (collection(feature({"type": "Polygon", "coordinates": [[[121.4, 30.8], [121.5, 30.9], [121.5, 30.8],
                                                                                   [121.4, 30.9], [121.4, 30.8]]]}, code="A")),
                          "features[0]: the polygon is not valid (Self-intersection"),
    "unknown code": (collection(polygon_feature(code="A"), polygon_feature(code="Z9")),
                     'features[1]: no district has the code "Z9".'),
    "missing property": (collection(polygon_feature(name="甲区")),
                         'features[0]: the property "code" that names its district is missing.'),
    "named twice": (collection(polygon_feature(code="A"), polygon_feature(code="A")),
                    'features[1]: "A" was already given by features[0].'),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_stored(city, login, case):
    data, message = BAD_FILES[case]
    response = post(login(city.hq), data)
    messages = refusals(response)
    assert any(m.startswith(message) for m in messages), messages
    assert message in html.unescape(response.content.decode())
    assert not DistrictBoundary.objects.exists()


def test_a_file_over_the_limit_is_refused(city, login, settings):
    settings.GEOJSON_MAX_MB = 1
    data = collection(polygon_feature(code="A", padding="x" * (1024 * 1024)))
    assert refusals(post(login(city.hq), data)) == ["The file is 1.0 MB; at most 1 MB is accepted."]


def test_one_bad_feature_refuses_the_whole_file(city, login):
    data = collection(polygon_feature(code="A"), feature(DISTRICT_B, code="B"), polygon_feature(code="nope"))
    assert len(refusals(post(login(city.hq), data))) == 1
    assert not DistrictBoundary.objects.exists()


def test_a_wgs84_crs_member_is_accepted(city, login):
    data = collection(polygon_feature(code="A"), crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    assert post(login(city.hq), data).status_code == 302
