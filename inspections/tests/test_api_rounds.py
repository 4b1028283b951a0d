"""Rounds over the REST API: planned with quotas, drawn reproducibly from a seed, shared among
inspectors, followed on a progress board; scoped like the pages."""

from datetime import date

import pytest
from django.urls import reverse

from campaign.choices import Role
from campaign.tests.factories import make_sample_point, make_user
from inspections import services
from inspections.choices import Outcome, RoundStatus
from inspections.models import Round
from inspections.tests.factories import market_checklist
from ledger.tests.api_support import client_for, user_of

pytestmark = pytest.mark.django_db

ROUNDS = reverse("round-list")


@pytest.fixture
def many_markets(city):
    """Twenty more markets, half in each district (with the city's own: 11 in A, 11 in B)."""
    return [make_sample_point(district=city.district_a if i % 2 else city.district_b, category=city.market,
                              unit=city.office_a if i % 2 else city.office_b, name=f"市场{i}") for i in range(20)]


def plan_payload(city, **extra) -> dict:
    return {"name": "暗访 第47周", "kind": "unannounced", "starts_on": "2026-11-16", "ends_on": "2026-11-22",
            "quotas": [{"category": city.market.pk, "quota": 5}], **extra}


def plan(api, city, **extra) -> dict:
    response = api.post(ROUNDS, plan_payload(city, **extra), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def action(name: str, round_id: int) -> str:
    return reverse(f"round-{name}", args=[round_id])


def drawn_points(answer: dict) -> list[int]:
    return sorted(point["sample_point"] for point in answer["round"]["points"])


def test_hq_plans_draws_assigns_and_follows_a_round(city, many_markets):
    market_checklist(city)
    api = client_for(city.hq)
    planned = plan(api, city, exclude_inspected_days=30)
    assert planned["status"] == RoundStatus.PLANNED and planned["points"] == []
    assert planned["quotas"] == [{"category": city.market.pk, "category_label": "Farmers' markets", "quota": 5}]
    assert planned["exclude_inspected_days"] == 30

    # The same seed on the same points draws the same points, in two rounds.
    first = api.post(action("draw", planned["id"]), {"seed": 2026}, format="json")
    assert first.status_code == 200, first.content
    second_round = plan(api, city)
    second = api.post(action("draw", second_round["id"]), {"seed": 2026}, format="json").json()
    assert len(drawn_points(first.json())) == 5
    assert drawn_points(first.json()) == drawn_points(second)
    assert first.json()["shortfalls"] == [] and first.json()["round"]["seed"] == 2026
    assert first.json()["round"]["status"] == RoundStatus.DRAWN
    other_seed = plan(api, city)
    third = api.post(action("draw", other_seed["id"]), {"seed": 7}, format="json").json()
    assert drawn_points(third) != drawn_points(first.json())

    # A round is drawn once.
    again = api.post(action("draw", planned["id"]), {"seed": 1}, format="json")
    assert again.status_code == 409 and again.json()["detail"]

    helper = make_user("inspector2", Role.INSPECTOR, district=city.district_b)
    assigned = api.post(action("assign", planned["id"]), {"inspectors": [city.inspector.pk, helper.pk]}, format="json")
    assert assigned.status_code == 200, assigned.content
    by_inspector = {}
    for point in assigned.json()["points"]:
        by_inspector.setdefault(point["inspector"]["id"], []).append(point["sample_point"])
    assert sorted(len(points) for points in by_inspector.values()) == [2, 3]

    # The inspector runs one point of the round and submits it with one failure.
    mine = next(p for p in assigned.json()["points"] if p["inspector"]["id"] == city.inspector.pk)
    inspector = client_for(city.inspector)
    draft = inspector.post(reverse("inspection-list"), {"round_point": mine["id"]}, format="json").json()
    for item in draft["items"]:
        outcome = Outcome.FAIL if item["code"] == "M03" else Outcome.PASS
        inspector.post(reverse("inspection-results", args=[draft["id"]]), {"item": item["id"], "outcome": outcome},
                       format="json")
    submitted = inspector.post(reverse("inspection-submit", args=[draft["id"]]), {}, format="json").json()

    progress = api.get(action("progress", planned["id"]))
    assert progress.status_code == 200
    board = progress.json()
    assert board["done"] == 1 and board["todo"] == 4
    rows = {row["name"]: (row["done"], row["todo"]) for row in board["inspectors"]}
    assert rows[str(city.inspector)] == (1, len(by_inspector[city.inspector.pk]) - 1)
    assert rows[str(helper)] == (0, len(by_inspector[helper.pk]))
    assert board["categories"] == [{"name": "Farmers' markets", "done": 1, "todo": 4}]
    assert [p["id"] for p in board["problems"]] == [f["problem"] for f in submitted["findings"]]

    detail = api.get(reverse("round-detail", args=[planned["id"]])).json()
    done = next(p for p in detail["points"] if p["id"] == mine["id"])
    assert done["inspection"] == draft["id"] and done["inspection_status"] == "submitted" and done["score"] == "95.0"
    assert detail["point_count"] == 5 and detail["done_count"] == 1


def test_a_draw_reports_the_shortfall_per_category(city, many_markets):
    api = client_for(city.hq)
    planned = plan(api, city, quotas=[{"category": city.market.pk, "quota": 30},
                                      {"category": city.restaurant.pk, "quota": 1}])
    answer = api.post(action("draw", planned["id"]), {}, format="json").json()
    assert answer["shortfalls"] == [{"category": city.market.pk, "category_label": "Farmers' markets",
                                     "missing": 30 - 22}]
    assert answer["round"]["seed"] is not None  # a random seed is drawn and kept
    assert len(answer["round"]["points"]) == 22 + 1


@pytest.mark.parametrize(("payload", "field"), [
    (lambda city: {"quotas": []}, "quotas"),
    (lambda city: {"quotas": [{"category": 999999, "quota": 1}]}, "quotas"),
    (lambda city: {"quotas": [{"category": city.market.pk, "quota": 0}]}, "quotas"),
    (lambda city: {"quotas": [{"category": city.market.pk, "quota": 1}] * 2}, "quotas"),
    (lambda city: {"kind": "picnic"}, "kind"),
    (lambda city: {"starts_on": "someday"}, "starts_on"),
])
def test_bad_round_input_is_a_400(city, payload, field):
    response = client_for(city.hq).post(ROUNDS, plan_payload(city, **payload(city)), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Round.objects.exists()


def test_a_round_that_ends_before_it_starts_is_refused(city):
    response = client_for(city.hq).post(ROUNDS, plan_payload(city, ends_on="2026-11-01"), format="json")
    assert response.status_code == 400
    assert "ends before" in response.json()["detail"]


PLANS_A_ROUND_IN_A = {
    "hq": 201, "district_lead": 201,
    "other_district_lead": 400,  # district A "does not exist" for them
    "leader": 403, "team_lead": 403, "unit_handler": 403, "inspector": 403, "public": 403, None: 401,
}


@pytest.mark.parametrize(("role", "expected"), PLANS_A_ROUND_IN_A.items())
def test_planning_a_district_round_by_role(city, role, expected):
    response = client_for(user_of(city, role)).post(ROUNDS, plan_payload(city, district=city.district_a.pk),
                                                    format="json")
    assert response.status_code == expected, response.content
    assert Round.objects.count() == (1 if expected == 201 else 0)


def test_a_district_lead_cannot_plan_a_city_wide_round(city):
    response = client_for(city.district_lead).post(ROUNDS, plan_payload(city), format="json")
    # The whole city lies outside their write scope: a 400 naming the field.
    assert response.status_code == 400
    assert "district" in response.json()
    assert not Round.objects.exists()


def _round(city, *, district=None, quota=3):
    return services.round_create(name="轮次", kind="unannounced", starts_on=date(2026, 11, 16),
                                 ends_on=date(2026, 11, 22), quotas={city.market: quota}, by=city.hq,
                                 district=district)


SEES_A_ROUND_IN_A = {
    "hq": 200, "leader": 200, "district_lead": 200,
    "other_district_lead": 404, "team_lead": 404, "unit_handler": 404,
    "inspector": 404,  # no point of it is theirs
    "public": 403, None: 401,
}


@pytest.mark.parametrize(("role", "expected"), SEES_A_ROUND_IN_A.items())
def test_round_detail_by_role_and_scope(city, many_markets, role, expected):
    in_a = _round(city, district=city.district_a)
    services.round_draw(inspection_round=in_a, by=city.hq, seed=1)
    response = client_for(user_of(city, role)).get(reverse("round-detail", args=[in_a.pk]))
    assert response.status_code == expected, response.content
    for name in ("progress",):
        assert client_for(user_of(city, role)).get(action(name, in_a.pk)).status_code == expected


def test_round_lists_by_role(city, many_markets):
    city_wide, in_a, in_b = _round(city), _round(city, district=city.district_a), _round(city, district=city.district_b)
    services.round_draw(inspection_round=in_b, by=city.hq, seed=1)
    services.round_assign(inspection_round=in_b, inspectors=[city.inspector], by=city.hq)

    def listed(role):
        return {row["id"] for row in client_for(user_of(city, role)).get(ROUNDS).json()["results"]}

    assert listed("hq") == listed("leader") == {city_wide.pk, in_a.pk, in_b.pk}
    assert listed("district_lead") == {city_wide.pk, in_a.pk}
    assert listed("other_district_lead") == {city_wide.pk, in_b.pk}
    assert listed("inspector") == {in_b.pk}  # they have points in it
    assert listed("team_lead") == listed("unit_handler") == set()


def test_an_inspector_sees_only_their_own_points_of_a_round(city, many_markets):
    inspection_round = _round(city, quota=6)
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=4)
    helper = make_user("inspector2", Role.INSPECTOR)
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector, helper], by=city.hq)
    points = client_for(city.inspector).get(reverse("round-detail", args=[inspection_round.pk])).json()["points"]
    assert len(points) == 3 and {p["inspector"]["id"] for p in points} == {city.inspector.pk}
    # A district lead sees the points of a city-wide round in their own district only.
    lead_points = client_for(city.district_lead).get(reverse("round-detail", args=[inspection_round.pk])).json()
    assert {p["district"] for p in lead_points["points"]} <= {city.district_a.pk}
    assert len(lead_points["points"]) == inspection_round.points.filter(sample_point__district=city.district_a).count()


@pytest.mark.parametrize(("role", "expected"), [
    ("hq", 200), ("district_lead", 200), ("other_district_lead", 404), ("leader", 403), ("inspector", 403),
    ("public", 403), (None, 401),
])
def test_drawing_a_district_round_by_role(city, many_markets, role, expected):
    in_a = _round(city, district=city.district_a)
    response = client_for(user_of(city, role)).post(action("draw", in_a.pk), {"seed": 3}, format="json")
    assert response.status_code == expected, response.content
    in_a.refresh_from_db()
    assert in_a.status == (RoundStatus.DRAWN if expected == 200 else RoundStatus.PLANNED)


def test_a_district_lead_may_see_but_not_draw_or_assign_a_city_wide_round(city, many_markets):
    city_wide = _round(city)
    lead = client_for(city.district_lead)
    assert lead.get(reverse("round-detail", args=[city_wide.pk])).status_code == 200
    refused = lead.post(action("draw", city_wide.pk), {"seed": 1}, format="json")
    assert refused.status_code == 403 and "own district" in refused.json()["detail"]
    services.round_draw(inspection_round=city_wide, by=city.hq, seed=1)
    assert lead.post(action("assign", city_wide.pk), {"inspectors": [city.inspector.pk]},
                     format="json").status_code == 403
    assert not city_wide.points.filter(inspector__isnull=False).exists()


def test_assigning_needs_people_who_inspect(city, many_markets):
    inspection_round = _round(city)
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=1)
    api = client_for(city.hq)
    assert api.post(action("assign", inspection_round.pk), {"inspectors": []}, format="json").status_code == 400
    refused = api.post(action("assign", inspection_round.pk), {"inspectors": [city.unit_handler.pk]}, format="json")
    assert refused.status_code == 400
    assert not inspection_round.points.filter(inspector__isnull=False).exists()


def test_the_round_list_costs_a_bounded_number_of_queries(city, many_markets, django_assert_max_num_queries):
    api = client_for(city.hq)
    for _ in range(2):
        services.round_draw(inspection_round=_round(city), by=city.hq, seed=1)
    with django_assert_max_num_queries(8) as few:
        assert len(api.get(ROUNDS).json()["results"]) == 2
    for _ in range(8):
        services.round_draw(inspection_round=_round(city), by=city.hq, seed=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(ROUNDS)
    assert len(response.json()["results"]) == 10
    assert all(row["point_count"] == 3 for row in response.json()["results"])
