"""Builders for test data. A small city: two districts, each with a grid, a road, a street
office and sample points; one city department; one team; a person in every role.

Actors (the same names in every test):
  hq, leader, team_lead (team "市容"), district_lead (district A), other_district_lead (B),
  unit_handler (street office in A), inspector (district A), grid_chief (A's grid, where A's
  market lies), road_chief (A's road, where A's restaurant lies), public, and anonymous.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

from campaign.choices import CategoryKind, Role, UnitKind
from campaign.models import (
    Category,
    District,
    Grid,
    Road,
    SamplePoint,
    Team,
    Unit,
    User,
)

_seq = count(1)
PASSWORD = "correct horse battery staple"  # noqa: S105


def make_user(username: str, role: str, **scope) -> User:
    user = User(username=username, role=role, full_name=username, **scope)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_category(code: str, name_zh: str, name_en: str, kind=CategoryKind.KEY_PLACE) -> Category:
    return Category.objects.create(code=code, name_zh=name_zh, name_en=name_en, kind=kind)


def make_sample_point(*, district, category, unit=None, team=None, name=None, **extra) -> SamplePoint:
    n = next(_seq)
    return SamplePoint.objects.create(
        code=extra.pop("code", f"SP-T{n:05d}"),
        name=name or f"样本点{n}",
        district=district,
        category=category,
        responsible_unit=unit,
        team=team,
        **extra,
    )


@dataclass
class City:
    district_a: District
    district_b: District
    market: Category
    restaurant: Category
    standard: Category
    city_department: Unit
    office_a: Unit
    office_b: Unit
    team: Team
    grid_a: Grid
    grid_b: Grid
    road_a: Road
    road_b: Road
    points_a: list = field(default_factory=list)
    points_b: list = field(default_factory=list)
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_city() -> City:
    district_a = District.objects.create(code="A", name="甲区", name_en="District A")
    district_b = District.objects.create(code="B", name="乙区", name_en="District B")
    market = make_category("MKT", "农贸市场", "Farmers' markets")
    restaurant = make_category("REST", "小餐饮", "Small restaurants")
    standard = make_category("STD3", "市容环境卫生", "City appearance and sanitation", CategoryKind.STANDARD)
    city_department = Unit.objects.create(name="市城管局", name_en="City Management Bureau", kind=UnitKind.DEPARTMENT)
    office_a = Unit.objects.create(name="甲街道办", kind=UnitKind.STREET_OFFICE, district=district_a)
    office_b = Unit.objects.create(name="乙街道办", kind=UnitKind.STREET_OFFICE, district=district_b)
    team = Team.objects.create(code="T01", name="市容环境组", leader_name="王副市长", lead_unit=city_department)
    team.member_units.add(office_a)
    team.categories.add(market)
    city = City(
        district_a=district_a,
        district_b=district_b,
        market=market,
        restaurant=restaurant,
        standard=standard,
        city_department=city_department,
        office_a=office_a,
        office_b=office_b,
        team=team,
        grid_a=Grid.objects.create(district=district_a, code="A-G1", name="甲一网格", chief_name="张网格长"),
        grid_b=Grid.objects.create(district=district_b, code="B-G1", name="乙一网格", chief_name="李网格长"),
        road_a=Road.objects.create(district=district_a, name="甲路", chief_name="赵路长"),
        road_b=Road.objects.create(district=district_b, name="乙路", chief_name="钱路长"),
    )
    city.points_a = [
        make_sample_point(district=district_a, category=market, unit=office_a, team=team, name="甲农贸市场",
                          latitude=Decimal("30.900000"), longitude=Decimal("121.450000"), grid=city.grid_a),
        make_sample_point(district=district_a, category=restaurant, unit=office_a, name="甲小餐馆", road=city.road_a),
    ]
    city.points_b = [
        make_sample_point(district=district_b, category=market, unit=office_b, name="乙农贸市场"),
        make_sample_point(district=district_b, category=restaurant, unit=office_b, name="乙小餐馆"),
    ]
    city.users = {
        "hq": make_user("hq", Role.HQ_STAFF),
        "leader": make_user("leader", Role.LEADER),
        "team_lead": make_user("team_lead", Role.TEAM_LEAD, team=team),
        "district_lead": make_user("district_lead", Role.DISTRICT_LEAD, district=district_a),
        "other_district_lead": make_user("other_district_lead", Role.DISTRICT_LEAD, district=district_b),
        "unit_handler": make_user("unit_handler", Role.UNIT_HANDLER, unit=office_a),
        "inspector": make_user("inspector", Role.INSPECTOR, district=district_a),
        "grid_chief": make_user("grid_chief", Role.GRID_CHIEF, grid=city.grid_a),
        "road_chief": make_user("road_chief", Role.ROAD_CHIEF, road=city.road_a),
        "public": make_user("public", Role.PUBLIC),
    }
    return city


def add_other_team(city: City) -> Team:
    """A second special team for district B's office, with B's market point: what the first
    team's lead may see (teams are readable by all staff) but not write for."""
    other_team = Team.objects.create(code="T02", name="农贸市场组", leader_name="刘副市长")
    other_team.member_units.add(city.office_b)
    SamplePoint.objects.filter(pk=city.points_b[0].pk).update(team=other_team)
    city.points_b[0].refresh_from_db()
    city.other_team = other_team
    return other_team
