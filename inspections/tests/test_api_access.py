"""Who may do what over the inspections API: anonymous 401, the public 403, inspectors their own
and assigned inspections (others' are 404), district leads their district, HQ everything; and
lists cost a bounded number of queries however long they are."""

import pytest
from django.urls import reverse

from campaign.choices import Role
from campaign.tests.factories import make_user
from inspections.choices import Outcome
from inspections.models import Inspection, ItemResult
from inspections.tests.factories import inspect, market_checklist
from ledger.tests.api_support import ROLES, client_for, user_of

pytestmark = pytest.mark.django_db

INSPECTIONS = reverse("inspection-list")
EVERYONE = [*ROLES, "other_inspector", None]


@pytest.fixture
def checklist(city):
    return market_checklist(city)


@pytest.fixture
def other_inspector(city):
    """An inspector of district A who takes no part in the inspections of these tests."""
    return make_user("other_inspector", Role.INSPECTOR, district=city.district_a)


def actor(city, other_inspector, role):
    return other_inspector if role == "other_inspector" else user_of(city, role)


@pytest.fixture
def draft_in_a(city, checklist):
    inspection, _ = inspect(city, outcomes={}, submit=False)
    return inspection


SEES_INSPECTION_IN_A = {
    "hq": 200, "leader": 200, "team_lead": 200, "district_lead": 200, "unit_handler": 200, "inspector": 200,
    "grid_chief": 200,  # A's market lies in their grid
    "road_chief": 404,  # and not on their road
    "other_district_lead": 404, "other_inspector": 404, "public": 403, None: 401,
}


@pytest.mark.parametrize(("role", "expected"), SEES_INSPECTION_IN_A.items())
def test_inspection_detail_answers_by_role_and_scope(city, draft_in_a, other_inspector, role, expected):
    response = client_for(actor(city, other_inspector, role)).get(reverse("inspection-detail", args=[draft_in_a.pk]))
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["id"] == draft_in_a.pk


@pytest.mark.parametrize("role", EVERYONE)
def test_inspection_list_holds_exactly_what_the_user_may_see(city, checklist, other_inspector, role):
    in_a = inspect(city, outcomes={})[0]
    in_b = inspect(city, outcomes={}, point=city.points_b[0], by=city.hq)[0]
    response = client_for(actor(city, other_inspector, role)).get(INSPECTIONS)
    if role in (None, "public"):
        assert response.status_code == (401 if role is None else 403)
        return
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    expected = {
        "hq": {in_a.pk, in_b.pk}, "leader": {in_a.pk, in_b.pk}, "team_lead": {in_a.pk}, "district_lead": {in_a.pk},
        "unit_handler": {in_a.pk}, "inspector": {in_a.pk}, "other_district_lead": {in_b.pk}, "other_inspector": set(),
        "grid_chief": {in_a.pk}, "road_chief": set(),
    }[role]
    assert listed == expected


STARTS_A_DRAFT_IN_A = {
    "hq": 201, "district_lead": 201, "inspector": 201, "other_inspector": 201,
    "leader": 403, "team_lead": 403, "unit_handler": 403, "grid_chief": 403, "road_chief": 403,
    "public": 403, None: 401,
    "other_district_lead": 400,  # the point is not one they may see: "does not exist"
}


@pytest.mark.parametrize(("role", "expected"), STARTS_A_DRAFT_IN_A.items())
def test_starting_a_draft_by_role(city, checklist, other_inspector, role, expected):
    response = client_for(actor(city, other_inspector, role)).post(
        INSPECTIONS, {"sample_point": city.points_a[0].pk, "kind": "routine"}, format="json"
    )
    assert response.status_code == expected, response.content
    assert Inspection.objects.count() == (1 if expected == 201 else 0)


ANSWERS_IN_SOMEONE_ELSES_DRAFT = {
    "inspector": 200,  # their own
    "hq": 200,  # HQ may correct any draft
    "district_lead": 403, "team_lead": 403, "leader": 403, "unit_handler": 403,  # see it, may not change it
    "grid_chief": 403, "road_chief": 404,
    "other_district_lead": 404, "other_inspector": 404,
    "public": 403, None: 401,
}


@pytest.mark.parametrize(("role", "expected"), ANSWERS_IN_SOMEONE_ELSES_DRAFT.items())
def test_recording_a_result_by_role_and_scope(city, checklist, other_inspector, role, expected):
    inspection = inspect(city, outcomes={}, submit=False)[0]
    ItemResult.objects.filter(inspection=inspection).delete()
    item = inspection.checklist_version.items.first()
    response = client_for(actor(city, other_inspector, role)).post(
        reverse("inspection-results", args=[inspection.pk]), {"item": item.pk, "outcome": Outcome.FAIL}, format="json"
    )
    assert response.status_code == expected, response.content
    if expected != 200:
        assert not ItemResult.objects.filter(inspection=inspection).exists()
    if expected in (403, 400, 409, 404):
        assert "detail" in response.json()


@pytest.mark.parametrize(("role", "expected"), [("district_lead", 403), ("other_district_lead", 404),
                                                ("other_inspector", 404), ("inspector", 200)])
def test_submitting_by_scope(city, checklist, other_inspector, role, expected):
    inspection = inspect(city, outcomes={}, submit=False)[0]
    response = client_for(actor(city, other_inspector, role)).post(
        reverse("inspection-submit", args=[inspection.pk]), {}, format="json"
    )
    assert response.status_code == expected, response.content


def test_an_inspector_sees_the_inspection_of_a_round_point_assigned_to_them_and_no_one_elses(
        city, checklist, other_inspector):
    from datetime import date

    from inspections import services

    inspection_round = services.round_create(name="暗访", kind="unannounced", starts_on=date(2026, 11, 16),
                                             ends_on=date(2026, 11, 22), quotas={city.market: 2}, by=city.hq)
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=1)
    services.round_assign(inspection_round=inspection_round, inspectors=[other_inspector, city.inspector], by=city.hq)
    theirs = inspection_round.points.get(inspector=other_inspector)
    # HQ starts it (say, to help); the assigned inspector sees it although they did not start it.
    started = services.inspection_start(sample_point=theirs.sample_point, kind="unannounced", by=city.hq,
                                        round_point=theirs)
    listed = client_for(other_inspector).get(INSPECTIONS).json()["results"]
    assert [row["id"] for row in listed] == [started.pk]
    assert listed[0]["round"] == inspection_round.pk
    assert client_for(city.inspector).get(INSPECTIONS).json()["results"] == []
    # The other inspector of the round cannot take it over, nor read it by "resuming" it: a 409
    # with a code the field app's queue acts on (it may have been theirs when the phone queued it).
    response = client_for(city.inspector).post(INSPECTIONS, {"round_point": theirs.pk}, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "round_point_reassigned"
    assert "another inspector" in response.json()["detail"]
    assert "results" not in response.json()
    # Their own point starts a draft of the round's kind; starting it again resumes it.
    mine = inspection_round.points.get(inspector=city.inspector)
    first = client_for(city.inspector).post(INSPECTIONS, {"round_point": mine.pk}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["kind"] == "unannounced" and first.json()["sample_point"] == mine.sample_point_id
    again = client_for(city.inspector).post(INSPECTIONS, {"round_point": mine.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


# --- Checklists and scores: every member of staff reads them ---------------------------------------


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("url_name", ["checklist-list", "round-list", "scores"])
def test_reading_lists_needs_a_signed_in_member_of_staff(city, checklist, other_inspector, role, url_name):
    response = client_for(actor(city, other_inspector, role)).get(reverse(url_name))
    assert response.status_code == {None: 401, "public": 403}.get(role, 200), response.content


def test_anonymous_api_clients_are_asked_for_a_token(city):
    response = client_for(None).get(INSPECTIONS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


# --- Bounded queries ----------------------------------------------------------------------------------


def _many_inspections(city, n):
    """n submitted inspections by HQ with the inspector along, half of them in each district."""
    from campaign.tests.factories import make_sample_point
    from inspections import services

    for i in range(n):
        point = make_sample_point(district=city.district_a if i % 2 else city.district_b, category=city.market,
                                  unit=city.office_a)
        inspection = inspect(city, outcomes={"M02": Outcome.FAIL}, point=point, by=city.hq, submit=False)[0]
        inspection.inspectors.add(city.inspector)
        services.inspection_submit(inspection=inspection, by=city.hq)


@pytest.mark.parametrize(("role", "share"), [("hq", 1), ("district_lead", 0.5), ("inspector", 1)])
def test_the_inspection_list_costs_a_bounded_number_of_queries(city, checklist, role, share,
                                                                django_assert_max_num_queries):
    _many_inspections(city, 4)
    api = client_for(user_of(city, role))
    with django_assert_max_num_queries(8) as few:
        assert len(api.get(INSPECTIONS).json()["results"]) == 4 * share
    _many_inspections(city, 16)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(INSPECTIONS)
    assert len(response.json()["results"]) == 20 * share


def test_an_inspection_detail_costs_a_bounded_number_of_queries(city, checklist, django_assert_max_num_queries):
    inspection = inspect(city, outcomes={"M02": Outcome.FAIL})[0]
    api = client_for(city.hq)
    with django_assert_max_num_queries(10):
        response = api.get(reverse("inspection-detail", args=[inspection.pk]))
    assert response.status_code == 200
    assert len(response.json()["items"]) == 5 and len(response.json()["problems"]) == 1


# --- Filters ------------------------------------------------------------------------------------------


def test_the_inspection_list_filters(city, checklist):
    from datetime import datetime

    from django.utils import timezone

    from inspections import services

    services.checklist_revise(category=city.restaurant, by=city.hq, items=[{"code": "R01", "text_zh": "后厨整洁",
                                                                            "points": 5}])
    market_a = inspect(city, outcomes={})[0]
    draft_a = inspect(city, outcomes={}, kind="routine", submit=False)[0]
    restaurant_a = inspect(city, outcomes={}, point=city.points_a[1])[0]
    market_b = inspect(city, outcomes={}, point=city.points_b[0], by=city.hq)[0]
    Inspection.objects.filter(pk=market_a.pk).update(started_at=timezone.make_aware(datetime(2026, 9, 1, 9)))
    api = client_for(city.hq)

    def listed(**params):
        response = api.get(INSPECTIONS, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert listed(status="draft") == {draft_a.pk}
    assert listed(kind="routine") == {draft_a.pk}
    assert listed(district=city.district_b.pk) == {market_b.pk}
    assert listed(category=city.restaurant.pk) == {restaurant_a.pk}
    assert listed(sample_point=city.points_a[0].pk) == {market_a.pk, draft_a.pk}
    assert listed(end="2026-09-30") == {market_a.pk}
    assert listed(start="2026-10-01") == {draft_a.pk, restaurant_a.pk, market_b.pk}
    # A district the user may not see is not a choice: 400, not an empty list that hides the error.
    lead = client_for(city.district_lead)
    assert lead.get(INSPECTIONS, {"district": city.district_b.pk}).status_code == 400
    assert lead.get(INSPECTIONS, {"kind": "picnic"}).status_code == 400
