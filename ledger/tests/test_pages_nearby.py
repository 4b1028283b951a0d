"""Likely duplicates while recording: the record form's JSON list of the open problems of the
chosen category near the chosen place (/ledger/problems/nearby/)."""

from decimal import Decimal

import pytest

from ledger import services
from ledger.choices import Source
from ledger.tests.factories import record, stored_photo

pytestmark = pytest.mark.django_db
URL = "/ledger/problems/nearby/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def at_market(city, **extra):
    """The query for a market problem at district A's market (30.9, 121.45)."""
    return {"category": city.market.pk, "latitude": "30.900000", "longitude": "121.450000", **extra}


def recorded(city, *, district, metres_north: float, photos=(), category=None):
    """A market problem recorded by HQ ``metres_north`` metres north of district A's market."""
    return services.problem_record(
        by=city.hq, category=category or city.market, district=district, description="垃圾桶满溢",
        source=Source.PUBLIC_REPORT, latitude=(Decimal("30.9") + Decimal(metres_north / 111_195.08))
        .quantize(Decimal("0.000001")), longitude=Decimal("121.45"), photos=list(photos),
    )


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(URL, at_market(city))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("actor", ["public", "unit_handler", "leader"])
def test_roles_that_may_not_record_get_403(city, login, actor):
    recorded(city, district=city.district_a, metres_north=20)
    assert login(getattr(city, actor)).get(URL, at_market(city)).status_code == 403


def test_a_recorder_sees_the_open_problem_nearby_with_distance_photo_and_link(city, login):
    problem = recorded(city, district=city.district_a, metres_north=120, photos=[stored_photo(), stored_photo()])
    far = recorded(city, district=city.district_a, metres_north=400)
    restaurant = recorded(city, district=city.district_a, metres_north=10, category=city.restaurant)
    client = login(city.inspector)
    response = client.get(URL, at_market(city))
    assert response.status_code == 200
    data = response.json()
    assert (data["radius_m"], data["days"]) == (250, 30)
    assert codes(response) == [problem.code]
    assert far.code not in codes(response) and restaurant.code not in codes(response)
    row = data["results"][0]
    assert row["distance_m"] == 120
    assert row["url"] == f"/ledger/problems/{problem.pk}/"
    first_photo = problem.photos.order_by("uploaded_at", "id").first()
    assert row["thumbnail"] == f"/ledger/photos/{first_photo.pk}/thumb/"
    assert client.get(row["thumbnail"]).status_code == 200
    assert client.get(row["url"]).status_code == 200


def test_nearest_first(city, login):
    farther = recorded(city, district=city.district_a, metres_north=200)
    nearer = recorded(city, district=city.district_a, metres_north=50)
    assert codes(login(city.hq).get(URL, at_market(city))) == [nearer.code, farther.code]


def test_a_sample_point_gives_the_place(city, login):
    problem = recorded(city, district=city.district_a, metres_north=30)
    query = {"category": city.market.pk, "sample_point": city.points_a[0].pk}
    assert codes(login(city.hq).get(URL, query)) == [problem.code]


def test_a_district_lead_is_not_shown_another_districts_problems(city, login):
    ours = recorded(city, district=city.district_a, metres_north=40)
    theirs = recorded(city, district=city.district_b, metres_north=60)
    assert codes(login(city.district_lead).get(URL, at_market(city))) == [ours.code]
    assert codes(login(city.other_district_lead).get(URL, at_market(city))) == [theirs.code]
    assert codes(login(city.hq).get(URL, at_market(city))) == [ours.code, theirs.code]


def test_without_a_place_nothing_is_listed_and_bad_input_is_400(city, login):
    recorded(city, district=city.district_a, metres_north=40)
    client = login(city.hq)
    assert client.get(URL, {"category": city.market.pk}).json()["results"] == []
    assert client.get(URL, {"latitude": "30.9", "longitude": "121.45"}).status_code == 400
    assert client.get(URL, at_market(city, longitude="")).status_code == 400
    assert client.get(URL, at_market(city, latitude="91")).status_code == 400


def test_the_list_takes_one_query_for_ten_problems(city, login, django_assert_max_num_queries):
    for metres in range(10, 130, 10):
        recorded(city, district=city.district_a, metres_north=metres, photos=[stored_photo()])
    client = login(city.hq)
    client.get(URL, at_market(city))  # the session and the user are loaded once the same way
    # session, user, the category's validation, the search (with its photos)
    with django_assert_max_num_queries(4):
        response = client.get(URL, at_market(city))
    assert len(response.json()["results"]) == 10
    assert all(row["thumbnail"] for row in response.json()["results"])


def test_the_record_page_carries_the_list(city, login):
    record(city)
    page = login(city.inspector).get("/ledger/problems/new/").content.decode()
    assert 'id="nearby"' in page and 'data-url="/ledger/problems/nearby/"' in page
