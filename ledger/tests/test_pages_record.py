"""Recording a problem from the page, with before-photos from the phone's camera."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db
URL = "/ledger/problems/new/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def form(city, **values):
    return {"category": city.market.pk, "description": "活禽宰杀区未封闭", "source": "unannounced",
            "severity": "serious", **values}


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("actor", ["public", "unit_handler", "leader"])
def test_roles_that_may_not_record_get_403(city, login, actor):
    client = login(getattr(city, actor))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(city, district=city.district_a.pk)).status_code == 403
    assert not Problem.objects.exists()


def test_the_form_opens_the_camera_and_offers_only_visible_points(city, login):
    client = login(city.district_lead)
    html = client.get(URL).content.decode()
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    # The points are searched through the scoped API the picker asks (not listed in the page).
    names = [row["name"] for row in client.get("/api/sample-points/", {"search": "农贸", "active": "true"})
             .json()["results"]]
    assert names == ["甲农贸市场"]


def test_inspector_records_a_problem_at_a_sample_point_with_photos(city, login):
    point = city.points_a[0]
    response = login(city.inspector).post(URL, form(
        city, sample_point=point.pk, latitude="30.900100", longitude="121.450200",
        photos=[jpeg_upload("1.jpg"), jpeg_upload("2.jpg")],
    ))
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledger/problems/{problem.pk}/"
    assert (problem.status, problem.district, problem.responsible_unit) == (Status.FOUND, city.district_a, city.office_a)
    assert problem.severity == "serious" and str(problem.latitude) == "30.900100"
    assert problem.photos.filter(kind="before").count() == 2


def test_district_lead_records_without_a_sample_point(city, login):
    login(city.district_lead).post(URL, form(city, district=city.district_a.pk, address="甲路12号"))
    problem = Problem.objects.get()
    assert (problem.district, problem.sample_point, problem.address) == (city.district_a, None, "甲路12号")


def test_a_district_lead_cannot_record_in_another_district(city, login):
    client = login(city.district_lead)
    assert client.post(URL, form(city, district=city.district_b.pk)).status_code == 400
    assert client.post(URL, form(city, sample_point=city.points_b[0].pk)).status_code == 400
    assert not Problem.objects.exists()


def test_district_or_sample_point_is_needed(city, login):
    response = login(city.hq).post(URL, form(city))
    assert response.status_code == 400
    assert "Choose the district or a sample point" in response.content.decode()
    assert not Problem.objects.exists()


def test_a_file_that_is_not_a_picture_records_nothing(city, login):
    fake = SimpleUploadedFile("scene.png", b"GIF89a? no", content_type="image/png")
    response = login(city.inspector).post(URL, form(city, district=city.district_a.pk, photos=[fake]))
    assert response.status_code == 400
    assert "scene.png" in response.content.decode()
    assert not Problem.objects.exists()


def test_the_point_picker_is_searched_through_the_api_narrowed_by_category_and_district(city, login):
    html = login(city.hq).get("/ledger/problems/new/").content.decode()
    select = html[html.index('<select name="sample_point"'):]
    select = select[:select.index("</select>")]
    assert 'data-search-select="/api/sample-points/?active=true"' in select
    assert 'data-depends-on="category:category,district:district"' in select
    # Only the empty choice is rendered: the points are searched, not listed with the page.
    assert select.count("<option") == 1
    assert html.index('name="category"') < html.index('name="district"') < html.index('name="sample_point"')


def test_the_point_search_is_narrowed_by_category_and_district(city, login):
    client = login(city.hq)
    answer = client.get("/api/sample-points/", {"search": "小餐", "district": city.district_a.pk,
                                                "category": city.restaurant.pk, "active": "true"}).json()
    assert [row["name"] for row in answer["results"]] == ["甲小餐馆"]
