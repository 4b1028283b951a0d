"""A round point given to an inspector from elsewhere (a city inspector, or one of another
district) gives them that point for the round (campaign/grants.py): they see it, start it,
answer and submit it, on the pages and the API. HQ gives a district round's points to any
inspector; every refusal says why (a message on the page, a 400 naming the field in the API)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from campaign.choices import Role
from campaign.models import SamplePoint
from campaign.tests.factories import make_user
from campaign.write_scope import writable
from inspections import services
from inspections.choices import InspectionKind, InspectionStatus, Outcome, RoundStatus
from inspections.models import Inspection, Round
from inspections.tests.factories import market_checklist
from ledger.models import Problem
from ledger.tests.api_support import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def round_in_b(city):
    """A drawn round of district B (which has no inspector of its own), its market point."""
    market_checklist(city)
    inspection_round = services.round_create(
        name="暗访第47周", kind=InspectionKind.UNANNOUNCED, starts_on=date.today(),
        ends_on=date.today() + timedelta(days=6), quotas={city.market: 1}, by=city.hq, district=city.district_b,
    )
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=7)
    return inspection_round


@pytest.fixture
def city_inspector():
    return make_user("city_inspector", Role.INSPECTOR)


def test_hq_lists_every_inspector_for_a_district_round_without_its_own(city, login, round_in_b, city_inspector):
    html = login(city.hq).get(f"/inspections/rounds/{round_in_b.pk}/").content.decode()
    assert "There is no active inspector" not in html
    assert f'value="{city.inspector.pk}"' in html and f'value="{city_inspector.pk}"' in html
    response = login(city.hq).post(f"/inspections/rounds/{round_in_b.pk}/assign/",
                                   {"inspectors": [city.inspector.pk]})
    assert response.status_code == 302
    assert round_in_b.points.get().inspector == city.inspector


@pytest.mark.parametrize("who", ["inspector", "city_inspector"])
def test_an_inspector_from_elsewhere_starts_and_submits_the_point_given_to_them(
        city, login, round_in_b, city_inspector, who):
    inspector = city.inspector if who == "inspector" else city_inspector
    round_point = round_in_b.points.get()
    point = round_point.sample_point
    assert point.district == city.district_b
    client = login(inspector)
    assert client.get(f"/sample-points/{point.pk}/").status_code == 404 or who == "city_inspector"
    services.round_point_reassign(round_point=round_point, inspector=inspector, by=city.hq)

    assert client.get(f"/sample-points/{point.pk}/").status_code == 200
    start = client.get(f"/inspections/start/?round_point={round_point.pk}")
    assert start.status_code == 200
    # What the start page's form posts: the point and the round point.
    response = client.post("/inspections/start/", {"point": point.pk, "round_point": round_point.pk})
    inspection = Inspection.objects.get(round_point=round_point)
    assert response.status_code == 302 and response["Location"] == f"/inspections/{inspection.pk}/fill/"
    assert client.get(response["Location"]).status_code == 200
    items = list(inspection.checklist_version.items.all())
    for item in items:
        outcome = Outcome.FAIL if item.code == "M02" else Outcome.PASS
        answer = client.post(f"/inspections/{inspection.pk}/items/{item.pk}/", {"outcome": outcome})
        assert answer.status_code == 302, answer.content
    submitted = client.post(f"/inspections/{inspection.pk}/submit/", {"confirmed": "yes"})
    assert submitted.status_code == 302, submitted.content
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    problem = Problem.objects.get(sample_point=point)
    assert problem.district == city.district_b and problem.found_by == inspector


def test_the_grant_is_one_rule_for_reading_and_writing(city, round_in_b):
    round_point = round_in_b.points.get()
    point = round_point.sample_point
    assert not SamplePoint.objects.visible_to(city.inspector).filter(pk=point.pk).exists()
    assert not writable(SamplePoint, city.inspector).filter(pk=point.pk).exists()
    services.round_assign(inspection_round=round_in_b, inspectors=[city.inspector], by=city.hq)
    assert SamplePoint.objects.visible_to(city.inspector).filter(pk=point.pk).exists()
    assert writable(SamplePoint, city.inspector).filter(pk=point.pk).exists()
    # Only that point: the rest of district B stays out of reach.
    assert set(SamplePoint.objects.visible_to(city.inspector).filter(district=city.district_b)) == {point}
    # Closing the round ends the grant.
    Round.objects.filter(pk=round_in_b.pk).update(status=RoundStatus.CLOSED)
    assert not SamplePoint.objects.visible_to(city.inspector).filter(pk=point.pk).exists()


def test_the_api_starts_and_submits_a_point_given_from_elsewhere(city, round_in_b):
    round_point = round_in_b.points.get()
    services.round_assign(inspection_round=round_in_b, inspectors=[city.inspector], by=city.hq)
    api = client_for(city.inspector)
    started = api.post(reverse("inspection-list"), {"round_point": round_point.pk,
                                                    "sample_point": round_point.sample_point_id}, format="json")
    assert started.status_code == 201, started.content
    inspection_id = started.json()["id"]
    for item in Inspection.objects.get(pk=inspection_id).checklist_version.items.all():
        answer = api.post(reverse("inspection-results", args=[inspection_id]),
                          {"item": item.pk, "outcome": "pass"}, format="json")
        assert answer.status_code in (200, 201), answer.content
    submitted = api.post(reverse("inspection-submit", args=[inspection_id]), {}, format="json")
    assert submitted.status_code == 200, submitted.content


def test_a_point_that_may_not_be_inspected_is_refused_with_a_message(city, login, round_in_b):
    round_point = round_in_b.points.get()
    services.round_assign(inspection_round=round_in_b, inspectors=[city.inspector], by=city.hq)
    # The point was closed down after the draw: the start form says why it refuses.
    SamplePoint.objects.filter(pk=round_point.sample_point_id).update(active=False)
    response = login(city.inspector).post("/inspections/start/", {"point": round_point.sample_point_id,
                                                                  "round_point": round_point.pk})
    assert response.status_code == 400
    assert "You may not inspect this sample point" in response.content.decode()
    assert not Inspection.objects.exists()
    # Another district's point, not given to them, does not exist for them.
    other = city.points_b[1]
    assert login(city.inspector).post("/inspections/start/", {"point": other.pk, "kind": "routine"}).status_code == 404


def test_a_district_lead_giving_a_point_to_another_districts_inspector_is_told_why(city, login, city_inspector):
    market_checklist(city)
    inspection_round = services.round_create(
        name="区暗访", kind=InspectionKind.UNANNOUNCED, starts_on=date.today(),
        ends_on=date.today() + timedelta(days=6), quotas={city.market: 1}, by=city.district_lead,
        district=city.district_a,
    )
    services.round_draw(inspection_round=inspection_round, by=city.district_lead, seed=1)
    elsewhere = make_user("b_inspector", Role.INSPECTOR, district=city.district_b)
    point = inspection_round.points.get()
    response = login(city.district_lead).post(
        f"/inspections/rounds/{inspection_round.pk}/points/{point.pk}/reassign/", {"inspector": elsewhere.pk},
        follow=True)
    assert "is not an inspector of your district or of the city" in response.content.decode()
    # The API names the field and says why.
    answer = client_for(city.district_lead).post(reverse("round-assign", args=[inspection_round.pk]),
                                                  {"inspectors": [elsewhere.pk]}, format="json")
    assert answer.status_code == 400
    assert "not an inspector of your district or of the city" in answer.json()["inspectors"][0]
    answer = client_for(city.district_lead).post(reverse("round-assign", args=[inspection_round.pk]),
                                                  {"inspectors": [city.unit_handler.pk]}, format="json")
    assert answer.status_code == 400 and "is not an active inspector" in answer.json()["inspectors"][0]
    # The page's checkboxes offer the district's and the city's inspectors only.
    html = login(city.district_lead).get(f"/inspections/rounds/{inspection_round.pk}/").content.decode()
    assert f'value="{city_inspector.pk}"' in html and f'value="{elsewhere.pk}"' not in html
    point.refresh_from_db()
    assert point.inspector is None
