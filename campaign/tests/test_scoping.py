"""visible_to(user): what each role sees of the city's structure."""

import pytest
from django.contrib.auth.models import AnonymousUser

from campaign.models import Category, District, Grid, Indicator, Road, SamplePoint, Team, Unit


def names(queryset):
    return sorted(str(obj.name) for obj in queryset)


@pytest.mark.parametrize("actor", ["hq", "leader"])
def test_hq_and_leaders_see_the_whole_city(city, actor):
    user = getattr(city, actor)
    assert SamplePoint.objects.visible_to(user).count() == 4
    assert District.objects.visible_to(user).count() == 2
    assert Unit.objects.visible_to(user).count() == 3


def test_district_lead_sees_only_their_district(city):
    user = city.district_lead
    assert set(SamplePoint.objects.visible_to(user)) == set(city.points_a)
    assert list(District.objects.visible_to(user)) == [city.district_a]
    assert list(Grid.objects.visible_to(user)) == [city.grid_a]
    assert list(Road.objects.visible_to(user)) == [city.road_a]
    # Street offices of their own district and the city departments that work everywhere.
    assert set(Unit.objects.visible_to(user)) == {city.office_a, city.city_department}


def test_other_district_lead_sees_none_of_district_a(city):
    user = city.other_district_lead
    assert set(SamplePoint.objects.visible_to(user)) == set(city.points_b)
    assert city.office_a not in Unit.objects.visible_to(user)


def test_unit_handler_sees_the_points_their_unit_answers_for(city):
    user = city.unit_handler
    assert set(SamplePoint.objects.visible_to(user)) == set(city.points_a)
    assert list(Unit.objects.visible_to(user)) == [city.office_a]
    assert list(District.objects.visible_to(user)) == [city.district_a]


def test_unit_handler_without_a_unit_sees_no_points(city):
    city.unit_handler.unit = None
    assert not SamplePoint.objects.visible_to(city.unit_handler).exists()


def test_team_lead_sees_the_team_points_and_member_units(city):
    user = city.team_lead
    # The market in A belongs to the team; the restaurant in A is the member unit's.
    assert set(SamplePoint.objects.visible_to(user)) == set(city.points_a)
    assert set(Unit.objects.visible_to(user)) == {city.office_a, city.city_department}


def test_inspector_with_a_district_sees_that_district(city):
    assert set(SamplePoint.objects.visible_to(city.inspector)) == set(city.points_a)


def test_inspector_without_a_district_sees_the_whole_city(city):
    city.inspector.district = None
    assert SamplePoint.objects.visible_to(city.inspector).count() == 4


@pytest.mark.parametrize("model", [SamplePoint, District, Grid, Road, Unit, Team, Category, Indicator])
def test_public_and_anonymous_see_nothing_of_the_structure(city, model):
    assert not model.objects.visible_to(city.public).exists()
    assert not model.objects.visible_to(AnonymousUser()).exists()


def test_inactive_people_see_nothing(city):
    city.hq.is_active = False
    assert not SamplePoint.objects.visible_to(city.hq).exists()


@pytest.mark.parametrize("actor", ["leader", "team_lead", "district_lead", "unit_handler", "inspector"])
def test_reference_data_is_readable_by_all_staff(city, actor):
    user = getattr(city, actor)
    assert Team.objects.visible_to(user).count() == 1
    assert Category.objects.visible_to(user).count() == 3


def test_only_hq_manages_the_structure(city):
    assert city.hq.can_manage_structure
    for actor in ("leader", "team_lead", "district_lead", "unit_handler", "inspector", "public"):
        assert not getattr(city, actor).can_manage_structure


def test_district_lead_scope_label_names_the_district(city):
    assert city.district_lead.scope_label == "甲区"
    assert str(city.hq.scope_label) in {"Whole city", "全市"}


def test_grid_and_road_chiefs_see_the_points_of_their_cell_and_its_district(city):
    assert list(SamplePoint.objects.visible_to(city.grid_chief)) == [city.points_a[0]]
    assert list(SamplePoint.objects.visible_to(city.road_chief)) == [city.points_a[1]]
    for chief in (city.grid_chief, city.road_chief):
        assert list(District.objects.visible_to(chief)) == [city.district_a]
        assert list(Grid.objects.visible_to(chief)) == [city.grid_a]
        assert list(Road.objects.visible_to(chief)) == [city.road_a]
        assert set(Unit.objects.visible_to(chief)) == {city.office_a, city.city_department}
