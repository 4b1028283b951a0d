"""Coordinates outside the city are refused where they are entered, by the one validator
(campaign.geo.city_coordinate_errors): a 400 naming the field on the API and the record form,
a row and column in the sample-point import."""

import pytest
from django.urls import reverse
from django.utils import translation

from campaign.importing.planning import build_plan
from campaign.models import SamplePoint
from campaign.tests.files.builders import EN, point_row, xlsx_bytes
from campaign.tests.test_api_write import point_payload
from ledger.models import Problem
from ledger.tests.api_support import client_for, problems_url


@pytest.fixture(autouse=True)
def _bounds(settings):
    # No district boundaries are loaded in these tests: the setting defines the city.
    settings.CITY_BOUNDS = (30.8, 121.3, 31.0, 121.6)
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_sample_point_api_refuses_a_latitude_outside_the_city(city):
    response = client_for(city.hq).post(reverse("samplepoint-list"), point_payload(city, latitude="39.900000"),
                                        format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["latitude"]
    assert "outside the city (30.8 to 31.0)" in response.json()["latitude"][0]
    assert not SamplePoint.objects.filter(code="SP-NEW-001").exists()


def test_sample_point_api_accepts_a_point_inside_and_a_rename_of_an_old_point_outside(city):
    client = client_for(city.hq)
    assert client.post(reverse("samplepoint-list"), point_payload(city), format="json").status_code == 201
    SamplePoint.objects.filter(pk=city.points_b[0].pk).update(latitude="40.000000", longitude="116.000000")
    response = client.patch(reverse("samplepoint-detail", args=[city.points_b[0].pk]), {"name": "改名"}, format="json")
    assert response.status_code == 200


def test_problem_api_refuses_a_longitude_outside_the_city(city):
    payload = {"description": "污水", "source": "routine", "category": city.market.pk,
               "district": city.district_a.pk, "latitude": "30.900000", "longitude": "116.400000"}
    response = client_for(city.hq).post(problems_url(), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["longitude"]
    payload["longitude"] = "121.450000"
    assert client_for(city.hq).post(problems_url(), payload, format="json").status_code == 201


def test_record_form_shows_the_error_on_the_field(city, login):
    data = {"description": "污水", "source": "routine", "category": city.market.pk,
            "district": city.district_a.pk, "severity": "general", "latitude": "27.9", "longitude": "121.45"}
    response = login(city.hq).post(reverse("ledger:problem_record"), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["latitude"]
    assert not Problem.objects.exists()


def test_sample_point_import_names_row_and_column(city):
    rows = [EN, point_row(EN, name="新点", category="MKT", district="A", latitude="30.9", longitude="121.45"),
            point_row(EN, name="远点", category="MKT", district="A", latitude="30.9", longitude="112.5")]
    plan = build_plan(xlsx_bytes(rows), user=city.hq)
    assert [(e["row"], e["column"]) for e in plan.errors] == [(3, "Longitude")]
    assert "outside the city" in plan.errors[0]["message"]
