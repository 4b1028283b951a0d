"""Checklists over the REST API: every member of staff reads them with their versions; HQ staff
set them, and changing a used checklist makes a new version that old inspections do not see."""

import pytest
from django.urls import reverse

from inspections.models import Checklist, ChecklistVersion
from inspections.tests.factories import MARKET_ITEMS, inspect, market_checklist
from ledger.tests.api_support import ROLES, client_for, user_of

pytestmark = pytest.mark.django_db

CHECKLISTS = reverse("checklist-list")


def payload(city, items=None, **extra) -> dict:
    return {"category": city.market.pk, "name": "农贸市场检查表", "items": items or MARKET_ITEMS, **extra}


def test_hq_sets_a_checklist_and_gets_its_first_version(city):
    response = client_for(city.hq).post(CHECKLISTS, payload(city, note="首版"), format="json")
    assert response.status_code == 201, response.content
    version = response.json()
    assert version["number"] == 1 and version["note"] == "首版" and version["is_used"] is False
    assert version["category"] == city.market.pk
    assert [item["code"] for item in version["items"]] == ["M01", "M02", "M03", "M04", "M05"]
    veto = version["items"][4]
    assert veto["veto"] is True and veto["severity"] == "urgent" and veto["text"] == "No live poultry slaughter on site"
    assert Checklist.objects.get().name == "农贸市场检查表"


def test_changing_an_unused_checklist_edits_it_in_place(city):
    market_checklist(city)
    response = client_for(city.hq).post(CHECKLISTS, payload(city, items=MARKET_ITEMS[:2]), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["number"] == 1 and len(response.json()["items"]) == 2
    assert ChecklistVersion.objects.count() == 1


def test_changing_a_used_checklist_makes_a_new_version_and_old_inspections_keep_theirs(city):
    market_checklist(city)
    old, _ = inspect(city, outcomes={})
    checklist = Checklist.objects.get()
    changed = [*MARKET_ITEMS, {"code": "M06", "text_zh": "无积水", "text_en": "No standing water", "points": "2.5"}]
    response = client_for(city.hq).put(reverse("checklist-detail", args=[checklist.pk]),
                                       {"items": changed, "note": "加积水"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2 and response.json()["items"][-1]["points"] == "2.5"

    api = client_for(city.inspector)
    detail = api.get(reverse("checklist-detail", args=[checklist.pk])).json()
    assert detail["current_version"] == 2 and detail["version"]["number"] == 2
    assert [(v["number"], v["item_count"], v["is_used"]) for v in detail["versions"]] == [(2, 6, False), (1, 5, True)]
    first = api.get(reverse("checklist-detail", args=[checklist.pk]), {"version": 1}).json()
    assert len(first["version"]["items"]) == 5
    assert api.get(reverse("checklist-detail", args=[checklist.pk]), {"version": 9}).status_code == 404
    assert api.get(reverse("checklist-detail", args=[checklist.pk]), {"version": "x"}).status_code == 400
    # The old inspection still shows the items it was scored on.
    shown = api.get(reverse("inspection-detail", args=[old.pk])).json()
    assert shown["checklist_version"] == 1 and len(shown["items"]) == 5


@pytest.mark.parametrize("role", [*ROLES, None])
def test_only_hq_sets_checklists(city, role):
    response = client_for(user_of(city, role)).post(CHECKLISTS, payload(city), format="json")
    expected = {"hq": 201, None: 401}.get(role, 403)
    assert response.status_code == expected, response.content
    assert Checklist.objects.exists() == (expected == 201)


@pytest.mark.parametrize("role", ["district_lead", "inspector"])
def test_only_hq_revises_a_checklist(city, role):
    version = market_checklist(city)
    response = client_for(user_of(city, role)).put(reverse("checklist-detail", args=[version.checklist_id]),
                                                   {"items": MARKET_ITEMS[:1]}, format="json")
    assert response.status_code == 403
    assert version.items.count() == 5


@pytest.mark.parametrize(("items", "field"), [
    ([], "items"),
    ([{"code": "M01", "text_zh": "x", "points": -1}], "items"),
    ([{"code": "M01", "text_zh": "x", "points": 5, "severity": "mild"}], "items"),
    ([{"code": "M01", "points": 5}], "items"),
])
def test_bad_checklist_items_are_a_400(city, items, field):
    response = client_for(city.hq).post(CHECKLISTS, {"category": city.market.pk, "items": items}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Checklist.objects.exists()


def test_duplicate_item_codes_are_refused(city):
    items = [{"code": "M01", "text_zh": "a", "points": 1}, {"code": "M01", "text_zh": "b", "points": 1}]
    response = client_for(city.hq).post(CHECKLISTS, {"category": city.market.pk, "items": items}, format="json")
    assert response.status_code == 400
    assert "unique" in response.json()["detail"]


def test_checklists_are_listed_with_their_current_version(city, django_assert_max_num_queries):
    market_checklist(city)
    client_for(city.hq).post(CHECKLISTS, {"category": city.restaurant.pk, "name": "小餐饮",
                                          "items": [{"code": "R01", "text_zh": "后厨整洁", "points": 5}]},
                             format="json")
    api = client_for(city.unit_handler)
    with django_assert_max_num_queries(5):
        response = api.get(CHECKLISTS)
    rows = {row["category_code"]: row for row in response.json()["results"]}
    assert set(rows) == {"MKT", "REST"}
    assert rows["MKT"]["current_version"] == 1 and rows["MKT"]["category_label"] == "Farmers' markets"
