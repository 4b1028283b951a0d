"""What each role of the standing test city may write for, written out by hand (the spec the
generated write-scope tests check the code against; campaign/write_scope.py is the code).

The city (campaign/tests/factories.py, with ``add_other_team``): districts A and B; the
categories market, restaurant and standard; the city department (the team's lead unit),
office A (a member of the team) and office B (of the other team); A's market point (the
team's), A's restaurant (no team, office A), B's market (the other team's) and B's restaurant
(no team, office B); a grid and a road in each district.
"""

from campaign.tests.factories import City

CATEGORIES = {"market", "restaurant", "standard"}
EVERYTHING = {
    "district_a", "district_b", *CATEGORIES, "city_department", "office_a", "office_b", "team", "other_team",
    "point_a_market", "point_a_restaurant", "point_b_market", "point_b_restaurant",
    "grid_a", "grid_b", "road_a", "road_b",
}
DISTRICT_A = {"district_a", *CATEGORIES, "city_department", "office_a", "team", "other_team",
              "point_a_market", "point_a_restaurant", "grid_a", "road_a"}

WRITES: dict[str, set[str]] = {
    "hq": EVERYTHING,
    # Their team, its units and points; any district (a special team works across the city).
    "team_lead": {"district_a", "district_b", *CATEGORIES, "city_department", "office_a", "team",
                  "point_a_market", "point_a_restaurant", "grid_a", "grid_b", "road_a", "road_b"},
    # Their district, its units and the city-level ones; any team.
    "district_lead": DISTRICT_A,
    "other_district_lead": {"district_b", *CATEGORIES, "city_department", "office_b", "team", "other_team",
                            "point_b_market", "point_b_restaurant", "grid_b", "road_b"},
    "inspector": DISTRICT_A,  # inspects district A
    "leader": set(),
    "unit_handler": set(),
    # Chiefs read their cell and write nothing: the units rectify, the district assigns.
    "grid_chief": set(),
    "road_chief": set(),
    "public": set(),
}

# Where each role records when the field under test is not the place: its own district.
HOME_DISTRICT = {"other_district_lead": "district_b"}


def city_objects(city: City) -> dict[str, object]:
    return {
        "district_a": city.district_a, "district_b": city.district_b,
        "market": city.market, "restaurant": city.restaurant, "standard": city.standard,
        "city_department": city.city_department, "office_a": city.office_a, "office_b": city.office_b,
        "team": city.team, "other_team": city.other_team,
        "point_a_market": city.points_a[0], "point_a_restaurant": city.points_a[1],
        "point_b_market": city.points_b[0], "point_b_restaurant": city.points_b[1],
        "grid_a": city.grid_a, "grid_b": city.grid_b, "road_a": city.road_a, "road_b": city.road_b,
    }


def names_of(model_name: str) -> list[str]:
    """The objects of the city of one kind, by name."""
    prefixes = {"district": ("district_",), "category": tuple(CATEGORIES), "unit": ("city_department", "office_"),
                "team": ("team", "other_team"), "sample_point": ("point_",), "grid": ("grid_",),
                "road": ("road_",)}[model_name]
    return sorted(name for name in EVERYTHING if name.startswith(prefixes))
