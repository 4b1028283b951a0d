"""`manage.py seed_demo`: the demo city, its logins, and running it again."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from campaign.choices import CategoryKind, DistrictKind, IndicatorDirection, Role, UnitKind
from campaign.models import (
    Campaign,
    Category,
    District,
    Grid,
    Indicator,
    IndicatorValue,
    Road,
    SamplePoint,
    Team,
    Unit,
    User,
)

DEMO_USERNAMES = ["hq", "leader", "team", "district", "unit", "inspector", "grid", "road"]
ALL_MODELS = (Campaign, Category, District, Grid, Road, Unit, Team, SamplePoint, Indicator, IndicatorValue, User)


@pytest.fixture(autouse=True)
def _fast_hasher_and_no_env_password(settings, monkeypatch):
    # The full-strength hasher costs half a second per seed; what is tested is which password works.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def seed(*args) -> str:
    # The demo ledger (ledger/tests/test_demo_ledger.py) takes seconds; these tests are about the city.
    out = StringIO()
    call_command("seed_demo", "--without-ledger", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def can_log_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/login/")
    return authenticate(request, username=username, password=password) is not None


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


# --- The city ------------------------------------------------------------------------------------


def test_seed_builds_five_districts_with_a_county_and_a_development_zone(seeded):
    districts = District.objects.all()
    assert districts.count() == 5
    kinds = sorted(d.kind for d in districts)
    assert kinds.count(DistrictKind.DISTRICT) == 3
    assert DistrictKind.COUNTY in kinds and DistrictKind.DEVELOPMENT_ZONE in kinds
    assert all(d.chief_name and d.name_en for d in districts)


def test_every_district_has_street_offices_grids_and_roads_with_chiefs(seeded):
    for district in District.objects.all():
        offices = district.units.filter(kind=UnitKind.STREET_OFFICE)
        assert 2 <= offices.count() <= 4
        assert district.grids.exists() and district.roads.exists()
        assert all(g.chief_name for g in district.grids.all())
        assert all(r.chief_name and "—" in r.section for r in district.roads.all())
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT, district__isnull=True).count() >= 12
    assert Unit.objects.filter(kind=UnitKind.ENTERPRISE).exists()


def test_each_of_ten_teams_is_led_by_a_deputy_mayor_with_lead_unit_members_and_categories(seeded):
    teams = Team.objects.all()
    assert teams.count() == 10
    for team in teams:
        assert team.leader_name and team.leader_title.endswith("副市长"), team
        assert team.lead_unit is not None
        assert team.member_units.exists() and team.categories.exists()
        assert team.name_en


def test_the_eight_standard_categories_are_std1_to_std8_in_both_languages(seeded):
    standard = Category.objects.filter(kind=CategoryKind.STANDARD)
    assert sorted(c.code for c in standard) == [f"STD{n}" for n in range(1, 9)]
    assert all(c.name_zh and c.name_en for c in standard)
    assert Category.objects.get(code="STD3").name_zh == "市容环境卫生"


def test_key_place_categories_cover_the_domain_list(seeded):
    key_places = Category.objects.filter(kind=CategoryKind.KEY_PLACE)
    assert set(key_places.values_list("name_zh", flat=True)) >= {
        "农贸市场", "建筑工地", "城中村和城乡结合部", "老旧小区", "背街小巷", "“六小”行业", "餐饮服务单位",
        "车站", "公共厕所", "医疗机构", "学校", "河湖水系", "机关企事业单位",
    }
    assert all(c.name_en for c in key_places)


def test_172_sample_points_in_exactly_eight_key_place_categories_over_all_five_districts(seeded):
    points = SamplePoint.objects.all()
    assert points.count() == 172
    categories = Category.objects.filter(sample_points__isnull=False).distinct()
    assert categories.count() == 8
    assert {c.kind for c in categories} == {CategoryKind.KEY_PLACE}
    assert District.objects.filter(sample_points__isnull=False).distinct().count() == 5
    for district in District.objects.all():  # every district has places of every sampled kind
        assert district.sample_points.values("category").distinct().count() == 8, district


def test_each_sample_point_lies_in_a_grid_and_on_a_road_of_its_own_district(seeded):
    for point in SamplePoint.objects.select_related("grid", "road", "district"):
        assert point.grid.district_id == point.district_id, point
        assert point.road.district_id == point.district_id, point
        assert point.road.name in point.address, point
        point.clean()  # the model's own rule agrees


def test_each_sample_point_has_a_responsible_unit_of_its_district_or_the_city_and_its_team(seeded):
    lat, lon = Decimal("27.912"), Decimal("112.586")
    for point in SamplePoint.objects.select_related("responsible_unit", "team", "category"):
        unit = point.responsible_unit
        assert unit.district_id in (None, point.district_id), point
        assert point.team.categories.filter(pk=point.category_id).exists(), point
        # within about 6 km of the city centre
        assert abs(point.latitude - lat) < Decimal("0.055") and abs(point.longitude - lon) < Decimal("0.06")


def test_current_campaign_is_a_review_with_assessment_a_few_months_ahead(seeded):
    campaign = Campaign.objects.get(is_current=True)
    today = timezone.localdate()
    assert campaign.kind == "review"
    assert today + datetime.timedelta(days=60) < campaign.assessment_date < today + datetime.timedelta(days=200)


def test_each_indicator_has_twelve_monthly_values_ending_last_month(seeded):
    indicators = Indicator.objects.all()
    assert 8 <= indicators.count() <= 10
    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    for indicator in indicators:
        assert indicator.category.kind == CategoryKind.STANDARD
        months = list(indicator.values.order_by("month").values_list("month", flat=True))
        assert len(months) == 12, indicator
        assert all(m.day == 1 for m in months)
        assert months[-1] == last_month
        assert len({(m.year, m.month) for m in months}) == 12


def test_one_or_two_indicators_still_miss_their_target(seeded):
    missed = []
    for indicator in Indicator.objects.all():
        latest = indicator.values.order_by("-month").first()
        if not indicator.is_met(latest.value):
            missed.append(indicator.code)
    assert 1 <= len(missed) <= 2
    assert Indicator.objects.filter(direction=IndicatorDirection.AT_MOST).exists()


# --- The demo users ------------------------------------------------------------------------------


def test_demo_users_have_their_roles_and_scopes(seeded):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert users["hq"].role == Role.HQ_STAFF
    assert users["hq"].is_staff and not users["hq"].is_superuser
    assert users["leader"].role == Role.LEADER
    assert users["team"].role == Role.TEAM_LEAD and users["team"].team.code == "T01"
    assert users["district"].role == Role.DISTRICT_LEAD
    assert users["unit"].role == Role.UNIT_HANDLER and users["unit"].unit.kind == UnitKind.STREET_OFFICE
    assert users["inspector"].role == Role.INSPECTOR
    district = users["district"].district
    assert users["unit"].unit.district == district
    assert users["inspector"].district == district
    assert users["grid"].role == Role.GRID_CHIEF and users["grid"].grid.district == district
    assert users["road"].role == Role.ROAD_CHIEF and users["road"].road.district == district
    assert users["grid"].grid.chief_name.startswith(users["grid"].full_name)
    assert list(users["road"].road.chief_users()) == [users["road"]]
    assert all(u.full_name and u.post for u in users.values())
    assert not any(u.is_staff for name, u in users.items() if name != "hq")


def test_scoped_demo_users_have_sample_points_to_work_on(seeded):
    district_lead = User.objects.get(username="district")
    for username in ("district", "unit", "inspector", "team", "grid", "road"):
        visible = SamplePoint.objects.visible_to(User.objects.get(username=username))
        assert visible.exists(), username
        assert visible.count() < SamplePoint.objects.count(), username
        if username != "team":
            assert set(visible.values_list("district", flat=True)) == {district_lead.district_id}


def test_demo_users_log_in_with_the_default_password(seeded):
    for username in DEMO_USERNAMES:
        assert can_log_in(username, "demo"), username
    assert not can_log_in("hq", "wrong")


def test_demo_password_env_replaces_the_default_and_is_not_printed(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "s3cret-demo-pass")
    out = seed()
    assert can_log_in("unit", "s3cret-demo-pass")
    assert not can_log_in("unit", "demo")
    assert "DEMO_PASSWORD" in out
    assert "s3cret-demo-pass" not in out


def test_password_option_wins_over_the_environment(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-env")
    seed("--password", "from-option")
    assert can_log_in("leader", "from-option")
    assert not can_log_in("leader", "from-env")


def test_output_summarises_and_lists_a_login_per_role(seeded):
    assert "172 sample points" in seeded
    assert "'demo'" in seeded
    for username, role in zip(DEMO_USERNAMES, ("HQ staff", "Leader", "Team lead", "District lead",
                                               "Unit handler", "Inspector", "Grid chief", "Road chief"),
                                   strict=True):
        assert any(line.split()[:1] == [username] and role in line for line in seeded.splitlines()), username


# --- Running it again ----------------------------------------------------------------------------


def _snapshot():
    return list(
        SamplePoint.objects.order_by("code").values_list(
            "code", "name", "district__code", "grid__code", "road__name", "address", "latitude", "longitude",
            "responsible_unit__name", "team__code",
        )
    )


def test_running_twice_creates_no_duplicates_and_writes_the_same_city(seeded):
    before, points = counts(), _snapshot()
    seed()
    assert counts() == before
    assert _snapshot() == points


def test_running_again_restores_demo_points_renamed_into_each_others_names(seeded):
    first, second = SamplePoint.objects.filter(code__in=["SP-D01-SIX-01", "SP-D01-SIX-02"]).order_by("code")
    names = (first.name, second.name)
    first.name = "临时"
    first.save()
    second.name, first.name = names[0], names[1]
    second.save()
    first.save()
    seed()
    assert tuple(
        SamplePoint.objects.filter(pk__in=[first.pk, second.pk]).order_by("code").values_list("name", flat=True)
    ) == names


def test_if_empty_does_nothing_on_a_seeded_database(seeded, monkeypatch):
    SamplePoint.objects.filter(code="SP-D01-SIX-01").delete()
    monkeypatch.setenv("DEMO_PASSWORD", "changed")
    out = seed("--if-empty")
    assert "nothing seeded" in out
    assert SamplePoint.objects.count() == 171
    assert can_log_in("hq", "demo")  # the password was not reset either


def test_if_empty_seeds_an_empty_database(db):
    out = seed("--if-empty")
    assert "seeded" in out and "nothing seeded" not in out
    assert SamplePoint.objects.count() == 172


def test_if_empty_does_nothing_when_another_campaign_exists(db):
    Campaign.objects.create(name="Real campaign", city="某市", kind="creating")
    out = seed("--if-empty")
    assert "nothing seeded" in out
    assert not SamplePoint.objects.exists() and not User.objects.exists()


def test_refuses_to_seed_next_to_another_citys_current_campaign(db):
    Campaign.objects.create(name="Real campaign", city="某市", kind="creating", is_current=True)
    with pytest.raises(CommandError, match="demo city"):
        seed()
    assert not District.objects.exists()  # nothing half-written
