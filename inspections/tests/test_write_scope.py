"""Who may write what in inspections: every role of the test city × the writable foreign keys
of starting an inspection (its sample point) and planning a round (its district) × every
object of the city. In scope is accepted, out of scope a 400 naming the field, a role that
does not inspect or plan is refused as a whole, never a 500. The spec is
campaign/tests/write_scope_cases.py."""

import pytest
from django.urls import reverse

from campaign.tests.factories import add_other_team
from campaign.tests.write_scope_cases import WRITES, city_objects, names_of
from campaign.write_scope import OutOfScope
from inspections import services
from inspections.models import Inspection, Round
from inspections.tests.factories import market_checklist
from ledger.tests.api_support import ROLES, client_for

INSPECTORS = {"hq", "district_lead", "other_district_lead", "inspector"}
PLANNERS = {"hq", "district_lead", "other_district_lead"}


@pytest.fixture
def city(city):
    add_other_team(city)
    market_checklist(city)
    services.checklist_revise(category=city.restaurant, by=city.hq, items=[
        {"code": "R01", "text_zh": "后厨整洁", "text_en": "Kitchen clean", "points": 5},
    ])
    return city


@pytest.mark.parametrize(("role", "name"), [(role, name) for role in ROLES for name in names_of("sample_point")])
def test_starting_an_inspection_names_only_a_point_the_role_may_write_for(city, role, name):
    point = city_objects(city)[name]

    response = client_for(getattr(city, role)).post(
        reverse("inspection-list"), {"sample_point": point.pk, "kind": "routine"}, format="json")

    if role not in INSPECTORS:
        assert response.status_code == 403, response.content
    elif name in WRITES[role]:
        assert response.status_code == 201, response.content
        assert Inspection.objects.get().sample_point == point
        return
    else:
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["sample_point"]
    assert not Inspection.objects.exists()


def _round(city, district) -> dict:
    return {"name": "暗访第47周", "kind": "unannounced", "starts_on": "2026-11-16", "ends_on": "2026-11-22",
            "district": district.pk if district else None, "quotas": [{"category": city.market.pk, "quota": 1}]}


@pytest.mark.parametrize(("role", "name"), [(role, name) for role in ROLES for name in [*names_of("district"), None]])
def test_planning_a_round_names_only_a_district_the_role_may_write_for(city, role, name):
    district = city_objects(city)[name] if name else None

    response = client_for(getattr(city, role)).post(reverse("round-list"), _round(city, district), format="json")

    # None is the whole city: HQ's only.
    allowed = name in WRITES[role] if name else role == "hq"
    if role not in PLANNERS:
        assert response.status_code == 403, response.content
    elif allowed:
        assert response.status_code == 201, response.content
        assert Round.objects.get().district == district
        return
    else:
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["district"]
    assert not Round.objects.exists()


def test_the_services_refuse_a_point_or_district_outside_the_scope(city):
    with pytest.raises(OutOfScope) as refused:
        services.inspection_start(sample_point=city.points_b[0], kind="routine", by=city.inspector)
    assert list(refused.value.message_dict) == ["sample_point"]
    with pytest.raises(OutOfScope) as refused:
        services.round_create(name="全市", kind="unannounced", starts_on=None, ends_on=None,
                              quotas={city.market: 1}, by=city.district_lead)
    assert list(refused.value.message_dict) == ["district"]
