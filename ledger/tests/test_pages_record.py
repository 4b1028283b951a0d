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
    html = login(city.district_lead).get(URL).content.decode()
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "甲农贸市场" in html
    assert "乙农贸市场" not in html


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
