"""The standard over the API: staff read with the page's filters; only HQ sets a material's unit and due date."""

import datetime

import pytest
from rest_framework.test import APIClient

from assessment.models import MaterialRequirement, StandardChange
from assessment.services import standard as standard_service
from campaign.models import Indicator, IndicatorValue

from .standard_support import english  # noqa: F401 (autouse: messages in English)

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(city):
    return standard_service.standard_load(use=True).edition


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_staff_read_editions_parts_articles_and_materials(city, edition):
    indicator = Indicator.objects.create(code="IND01", name="x", category=city.standard, target=100)
    IndicatorValue.objects.create(indicator=indicator, month=datetime.date(2026, 1, 1), value=100)
    client = _client(city.unit_handler)
    editions = client.get("/api/standard-editions/", {"in_use": "true"}).json()
    assert [e["code"] for e in editions["results"]] == ["2021"]
    parts = client.get("/api/standard-parts/", {"edition": edition.pk}).json()
    assert parts["count"] == 8
    part3 = next(p for p in parts["results"] if p["number"] == 3)
    assert part3["category_code"] == "STD3" and part3["team_code"] == "T01"
    assert part3["indicators"] == {"total": 1, "met": 1, "unmet": 0, "no_value": 0}
    articles = client.get("/api/standard-articles/", {"part": 3, "untitled": "true"}).json()
    assert articles["count"] == 8 and all(a["title"] == "" for a in articles["results"])
    assert all(a["answering_team"] == city.team.pk for a in articles["results"])
    materials = client.get("/api/standard-materials/", {"part": 8, "page_size": 100}).json()
    assert materials["count"] == MaterialRequirement.objects.filter(article__part__number=8).count()
    assert {m["part_number"] for m in materials["results"]} == {8}


def test_material_filters_are_the_pages(city, edition):
    material = MaterialRequirement.objects.filter(article__part__number=1).first()
    standard_service.material_requirement_assign(material=material, actor=city.hq, responsible_unit=city.office_a,
                                                 due_date=datetime.date(2026, 12, 1))
    client = _client(city.hq)
    by_unit = client.get("/api/standard-materials/", {"responsible_unit": city.office_a.pk}).json()
    assert [m["code"] for m in by_unit["results"]] == [material.code]
    due = client.get("/api/standard-materials/", {"due_before": "2026-12-01", "due_after": "2026-12-01"}).json()
    assert [m["code"] for m in due["results"]] == [material.code]
    assert client.get("/api/standard-materials/", {"unassigned": "false"}).json()["count"] == 1
    assert client.get("/api/standard-materials/", {"due_before": "soon"}).status_code == 400


def test_only_hq_patches_a_materials_unit_and_due_date(city, edition):
    material = MaterialRequirement.objects.first()
    url = f"/api/standard-materials/{material.pk}/"
    for name in ("leader", "team_lead", "unit_handler", "inspector"):
        response = _client(city.users[name]).patch(url, {"due_date": "2027-02-01"}, format="json")
        assert response.status_code == 403, name
    assert _client().get(url).status_code == 401
    response = _client(city.hq).patch(url, {"responsible_unit": city.office_b.pk, "due_date": "2027-02-01"},
                                      format="json")
    assert response.status_code == 200, response.content
    assert response.json()["responsible_unit"] == city.office_b.pk and response.json()["due_date"] == "2027-02-01"
    material.refresh_from_db()
    assert material.responsible_unit == city.office_b
    assert StandardChange.objects.filter(action="material_changed", actor=city.hq).count() == 1
    # Titles and codes are not written here (the data file and HQ's workbook are their source).
    response = _client(city.hq).patch(url, {"title": "x", "code": "Z"}, format="json")
    material.refresh_from_db()
    assert response.status_code == 200 and material.title != "x" and material.code != "Z"
    assert _client(city.hq).delete(url).status_code == 405
    assert _client(city.hq).post("/api/standard-materials/", {}, format="json").status_code == 405
