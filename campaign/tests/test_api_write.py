"""Changing the structure over the REST API: only HQ staff write; out-of-scope objects are
404, visible ones 403; nothing is deleted; validation errors name the field."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from campaign.api.serializers import SamplePointSerializer
from campaign.choices import UnitKind
from campaign.models import Indicator, SamplePoint, Team, Unit
from campaign.services.structure import sample_point_create, sample_point_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def point_payload(city, **changes) -> dict:
    payload = {
        "code": "SP-NEW-001",
        "name": "甲区新农贸市场",
        "category": city.market.pk,
        "district": city.district_a.pk,
        "grid": city.grid_a.pk,
        "road": city.road_a.pk,
        "address": "甲路1号",
        "latitude": "30.910000",
        "longitude": "121.460000",
        "responsible_unit": city.office_a.pk,
        "team": city.team.pk,
        "active": True,
    }
    payload.update(changes)
    return payload


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


POINTS = reverse("samplepoint-list")


def point_url(point) -> str:
    return reverse("samplepoint-detail", args=[point.pk])


# --- Sample points --------------------------------------------------------------------------


def test_hq_creates_a_sample_point(city, login):
    response = post(login(city.hq), POINTS, point_payload(city))
    assert response.status_code == 201, response.content
    point = SamplePoint.objects.get(code="SP-NEW-001")
    assert response.json()["id"] == point.pk
    assert point.district == city.district_a
    assert point.grid == city.grid_a
    assert point.road == city.road_a
    assert point.responsible_unit == city.office_a
    assert point.team == city.team
    assert point.latitude == Decimal("30.91")
    assert response.json()["district_label"] == str(city.district_a)


def test_hq_renames_a_sample_point_with_patch(city, login):
    point = city.points_a[0]
    response = patch(login(city.hq), point_url(point), {"name": "甲农贸市场（新）"})
    assert response.status_code == 200, response.content
    point.refresh_from_db()
    assert point.name == "甲农贸市场（新）"
    assert point.district == city.district_a  # untouched fields keep their value


def test_hq_replaces_a_sample_point_with_put(city, login):
    point = city.points_b[0]
    payload = point_payload(city, code=point.code, name="改到甲区", responsible_unit=None, team=None)
    response = put(login(city.hq), point_url(point), payload)
    assert response.status_code == 200, response.content
    point.refresh_from_db()
    assert point.district == city.district_a
    assert point.grid == city.grid_a
    assert point.responsible_unit is None


def test_hq_deactivates_a_sample_point_instead_of_deleting(city, login):
    point = city.points_a[0]
    client = login(city.hq)
    assert client.delete(point_url(point)).status_code == 405
    assert SamplePoint.objects.filter(pk=point.pk).exists()
    assert patch(client, point_url(point), {"active": False}).status_code == 200
    point.refresh_from_db()
    assert point.active is False


def test_district_lead_gets_403_creating_a_sample_point(city, login):
    response = post(login(city.district_lead), POINTS, point_payload(city))
    assert response.status_code == 403
    assert not SamplePoint.objects.filter(code="SP-NEW-001").exists()


def test_district_lead_gets_403_changing_a_visible_sample_point(city, login):
    point = city.points_a[0]
    client = login(city.district_lead)
    assert patch(client, point_url(point), {"name": "偷改"}).status_code == 403
    assert put(client, point_url(point), point_payload(city, code=point.code)).status_code == 403
    point.refresh_from_db()
    assert point.name == "甲农贸市场"


def test_district_lead_gets_404_changing_other_district_sample_point(city, login):
    point = city.points_b[0]
    response = patch(login(city.district_lead), point_url(point), {"name": "偷改"})
    assert response.status_code == 404
    point.refresh_from_db()
    assert point.name == "乙农贸市场"


@pytest.mark.parametrize("actor", ["leader", "team_lead", "unit_handler", "inspector"])
def test_other_roles_cannot_change_a_visible_sample_point(city, login, actor):
    point = city.points_a[0]
    client = login(getattr(city, actor))
    assert client.get(point_url(point)).status_code == 200
    assert patch(client, point_url(point), {"active": False}).status_code == 403
    assert post(client, POINTS, point_payload(city)).status_code == 403
    point.refresh_from_db()
    assert point.active is True


def test_public_gets_404_changing_and_403_creating(city, login):
    client = login(city.public)
    assert patch(client, point_url(city.points_a[0]), {"active": False}).status_code == 404
    assert post(client, POINTS, point_payload(city)).status_code == 403


def test_anonymous_cannot_create_or_change(city, login):
    client = login(None)
    assert post(client, POINTS, point_payload(city)).status_code == 401
    assert patch(client, point_url(city.points_a[0]), {"active": False}).status_code == 401
    assert not SamplePoint.objects.filter(code="SP-NEW-001").exists()


# --- Validation -----------------------------------------------------------------------------


def test_grid_of_another_district_is_refused_on_the_grid_field(city, login):
    response = post(login(city.hq), POINTS, point_payload(city, grid=city.grid_b.pk))
    assert response.status_code == 400
    assert set(response.json()) == {"grid"}
    assert not SamplePoint.objects.filter(code="SP-NEW-001").exists()


def test_road_of_another_district_is_refused_on_the_road_field(city, login):
    response = post(login(city.hq), POINTS, point_payload(city, road=city.road_b.pk))
    assert response.status_code == 400
    assert set(response.json()) == {"road"}


def test_patching_only_the_grid_checks_it_against_the_stored_district(city, login):
    point = city.points_a[0]
    response = patch(login(city.hq), point_url(point), {"grid": city.grid_b.pk})
    assert response.status_code == 400
    assert "grid" in response.json()
    point.refresh_from_db()
    assert point.grid == city.grid_a


def test_moving_a_point_to_another_district_strands_its_grid(city, login):
    point = city.points_a[0]
    client = login(city.hq)
    assert patch(client, point_url(point), {"grid": city.grid_a.pk}).status_code == 200
    response = patch(client, point_url(point), {"district": city.district_b.pk})
    assert response.status_code == 400
    assert "grid" in response.json()


@pytest.mark.parametrize(("field", "value"), [("latitude", "200"), ("latitude", "-90.5"), ("longitude", "181")])
def test_coordinates_out_of_range_are_refused_on_their_field(city, login, field, value):
    response = post(login(city.hq), POINTS, point_payload(city, **{field: value}))
    assert response.status_code == 400
    assert field in response.json()
    assert not SamplePoint.objects.filter(code="SP-NEW-001").exists()


def test_latitude_without_longitude_is_refused(city, login):
    response = post(login(city.hq), POINTS, point_payload(city, longitude=None))
    assert response.status_code == 400
    assert "longitude" in response.json()


def test_the_same_place_cannot_be_listed_twice_in_a_district_and_category(city, login):
    existing = city.points_a[0]
    payload = point_payload(city, name=existing.name, category=existing.category_id)
    response = post(login(city.hq), POINTS, payload)
    assert response.status_code == 400
    assert SamplePoint.objects.filter(name=existing.name).count() == 1


def test_unknown_category_is_refused_on_the_category_field(city, login):
    response = post(login(city.hq), POINTS, point_payload(city, category=999999))
    assert response.status_code == 400
    assert "category" in response.json()


def test_related_ids_outside_the_users_scope_do_not_exist_for_the_serializer(city):
    request = RequestFactory().post(POINTS)
    request.user = city.district_lead
    payload = point_payload(city, district=city.district_b.pk, grid=None, road=None, responsible_unit=city.office_b.pk)
    serializer = SamplePointSerializer(data=payload, context={"request": request})
    assert not serializer.is_valid()
    assert {"district", "responsible_unit"} <= set(serializer.errors)

    request.user = city.hq
    serializer = SamplePointSerializer(data=payload, context={"request": request})
    assert serializer.is_valid(), serializer.errors


# --- Units and teams ------------------------------------------------------------------------


def test_hq_creates_and_updates_a_unit(city, login):
    client = login(city.hq)
    response = post(client, reverse("unit-list"), {
        "kind": UnitKind.STREET_OFFICE, "name": "甲二街道办", "district": city.district_a.pk,
        "contact_name": "周主任",
    })
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(name="甲二街道办")
    assert unit.district == city.district_a

    response = patch(client, reverse("unit-detail", args=[unit.pk]), {"contact_phone": "0571-1234567"})
    assert response.status_code == 200
    unit.refresh_from_db()
    assert unit.contact_phone == "0571-1234567"
    assert unit.contact_name == "周主任"


def test_district_lead_gets_403_changing_a_visible_unit_and_404_for_other_district(city, login):
    client = login(city.district_lead)
    assert patch(client, reverse("unit-detail", args=[city.office_a.pk]), {"name": "x"}).status_code == 403
    assert patch(client, reverse("unit-detail", args=[city.office_b.pk]), {"name": "x"}).status_code == 404
    assert post(client, reverse("unit-list"), {"kind": UnitKind.DEPARTMENT, "name": "新局"}).status_code == 403
    assert not Unit.objects.filter(name__in=["x", "新局"]).exists()


def test_hq_creates_a_team_with_member_units_and_categories(city, login):
    client = login(city.hq)
    response = post(client, reverse("team-list"), {
        "code": "T02", "name": "农贸市场组", "leader_name": "李副市长",
        "lead_unit": city.city_department.pk,
        "member_units": [city.office_a.pk, city.office_b.pk],
        "categories": [city.market.pk],
    })
    assert response.status_code == 201, response.content
    team = Team.objects.get(code="T02")
    assert set(team.member_units.all()) == {city.office_a, city.office_b}
    assert list(team.categories.all()) == [city.market]

    response = patch(client, reverse("team-detail", args=[team.pk]), {"member_units": [city.office_b.pk]})
    assert response.status_code == 200
    assert list(team.member_units.all()) == [city.office_b]
    assert response.json()["member_units"] == [city.office_b.pk]


@pytest.mark.parametrize("basename", ["district", "grid", "road", "unit", "team", "category", "indicator"])
def test_nothing_is_deleted_over_the_api(city, login, basename):
    obj = {
        "district": city.district_a, "grid": city.grid_a, "road": city.road_a, "unit": city.office_a,
        "team": city.team, "category": city.market,
    }.get(basename)
    if obj is None:
        obj = Indicator.objects.create(code="X", name="指标", target=Decimal("1"))
    response = login(city.hq).delete(reverse(f"{basename}-detail", args=[obj.pk]))
    assert response.status_code == 405
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_hq_creates_a_grid_and_an_indicator(city, login):
    client = login(city.hq)
    response = post(client, reverse("grid-list"), {"code": "A-G2", "name": "甲二网格", "district": city.district_a.pk})
    assert response.status_code == 201, response.content
    response = post(client, reverse("indicator-list"), {
        "code": "SEWAGE", "name": "污水集中处理率", "category": city.standard.pk, "target": "95.00",
    })
    assert response.status_code == 201, response.content
    assert response.json()["values"] == []
    assert response.json()["met"] is None


def test_indicator_category_must_be_a_standard_category(city, login):
    response = post(login(city.hq), reverse("indicator-list"), {
        "code": "SEWAGE", "name": "污水集中处理率", "category": city.market.pk, "target": "95.00",
    })
    assert response.status_code == 400
    assert "category" in response.json()


# --- The services behind the API ------------------------------------------------------------


def test_sample_point_create_service_refuses_anyone_but_hq(city):
    data = {"code": "SP-SVC-1", "name": "服务层点", "category": city.market, "district": city.district_a}
    with pytest.raises(PermissionDenied):
        sample_point_create(data=data, by=city.district_lead)
    assert not SamplePoint.objects.filter(code="SP-SVC-1").exists()
    assert sample_point_create(data=data, by=city.hq).pk


def test_sample_point_update_service_enforces_the_district_rule_itself(city):
    point = city.points_a[0]
    with pytest.raises(ValidationError) as error:
        sample_point_update(point=point, data={"road": city.road_b}, by=city.hq)
    assert "road" in error.value.message_dict
    point.refresh_from_db()
    assert point.road is None
