"""Duplicate detection (ledger/nearby.py) on real coordinates: Los Angeles 311 requests of the
last days of 2017 (../shared/realdata/la311_2017_subset.csv), which hold real near-duplicates:
the same kind of request made again at the same or the next address within hours or days."""

import csv
import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from campaign.geo import haversine_m
from campaign.tests.factories import make_category
from ledger import services
from ledger.choices import Source
from ledger.models import Problem
from ledger.nearby import nearby, nearby_queryset, open_problems, problems_nearby, search_boxes
from ledger.tests.factories import stored_photo

pytestmark = pytest.mark.django_db

CSV = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "la311_2017_subset.csv"
LA = ZoneInfo("America/Los_Angeles")
SIX_PLACES = Decimal("0.000001")

# Request types as ledger categories (several kinds of bulky waste are one category).
KINDS = {
    "Bulky Items": "bulky", "Metal/Household Appliances": "bulky", "Electronic Waste": "ewaste",
    "Graffiti Removal": "graffiti", "Illegal Dumping Pickup": "dumping",
}

# Real pairs (found by computing every same-kind pair's distance in the file).
SAME_ADDRESS = ("1-866516951", "1-866513841")  # Bulky Items, 7112 N RANCHITO AVE, 7 minutes apart
GRAFFITI_CORNER = ("1-869716073", "1-869815661")  # 2307 E 8TH ST / 1180 S MATEO ST, 30 m, 5 hours
DUMPING_NEXT_DOOR = ("1-868474523", "1-870363102")  # 14294 / 14300 W FOOTHILL BLVD, 28 m, 2 days
JUST_OUTSIDE = ("1-868451451", "1-868872271")  # Bulky Items, 429 W 40TH ST / 558 W 39TH ST, 250.1 m
DAYS_APART = ("1-866749611", "1-870481311")  # Bulky Items, 819 S MANHATTAN PL, 3.8 days apart
OTHER_KIND = ("1-866513661", "1-866518641")  # 10844 S KALMIA ST: Bulky Items, then Electronic Waste
PAIRS = (SAME_ADDRESS, GRAFFITI_CORNER, DUMPING_NEXT_DOOR, JUST_OUTSIDE, DAYS_APART, OTHER_KIND)
NOISE = 150  # the first requests of the file, around the pairs


def _created(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=LA)


@pytest.fixture
def la(city):
    """Problems recorded (through the service) from the pairs' requests and the first NOISE
    others with coordinates and a mapped kind: {SR number: problem}."""
    categories = {
        slug: make_category(f"LA-{slug.upper()}", slug, slug)
        for slug in sorted(set(KINDS.values()))
    }
    wanted = {sr for pair in PAIRS for sr in pair}
    rows = []
    with CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["Latitude"] or row["RequestType"] not in KINDS:
                continue
            if row["SRNumber"] in wanted or len(rows) < NOISE + len(wanted):
                rows.append(row)
    problems = {}
    for row in rows:
        if row["SRNumber"] in problems:
            continue
        problems[row["SRNumber"]] = services.problem_record(
            by=city.hq, category=categories[KINDS[row["RequestType"]]], district=city.district_a,
            description=f"{row['RequestType']} {row['SRNumber']}", source=Source.PUBLIC_REPORT,
            found_at=_created(row["CreatedDate"]), address=row["Address"],
            latitude=Decimal(row["Latitude"]).quantize(SIX_PLACES),
            longitude=Decimal(row["Longitude"]).quantize(SIX_PLACES),
        )
    assert wanted <= set(problems)
    return problems


def _search(problem, **options):
    """What recording ``problem`` again would show (itself left out), as {code: metres}."""
    found = nearby(Problem.objects.open().exclude(pk=problem.pk), latitude=problem.latitude,
                   longitude=problem.longitude, category=problem.category_id, at=problem.found_at, **options)
    return {p.code: p.distance_m for p in found}


def _metres(a, b) -> float:
    return haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)


@pytest.mark.realdata
def test_the_same_request_at_the_same_address_is_found_at_zero_metres(la):
    first, second = (la[sr] for sr in SAME_ADDRESS)
    assert _search(second)[first.code] == pytest.approx(0, abs=1e-6)


@pytest.mark.realdata
def test_graffiti_on_the_corner_thirty_metres_away_is_found_with_its_distance(la):
    first, second = (la[sr] for sr in GRAFFITI_CORNER)
    found = _search(first)
    assert found[second.code] == pytest.approx(_metres(first, second), abs=1e-6)
    assert 29 < found[second.code] < 31


@pytest.mark.realdata
def test_dumping_next_door_two_days_later_is_found_both_ways(la):
    first, second = (la[sr] for sr in DUMPING_NEXT_DOOR)
    assert second.code in _search(first)
    assert first.code in _search(second)


@pytest.mark.realdata
def test_a_request_just_outside_the_radius_is_not_found(la):
    first, second = (la[sr] for sr in JUST_OUTSIDE)
    distance = _metres(first, second)
    assert 250 < distance < 250.5
    assert second.code not in _search(first)
    assert second.code in _search(first, radius_m=251)


@pytest.mark.realdata
def test_the_radius_is_inclusive_to_the_last_millimetre(la):
    first, second = (la[sr] for sr in JUST_OUTSIDE)
    distance = _metres(first, second)
    assert second.code in _search(first, radius_m=distance)
    assert second.code not in _search(first, radius_m=distance - 0.001)


@pytest.mark.realdata
def test_a_request_older_than_the_window_is_not_found(la):
    first, second = (la[sr] for sr in DAYS_APART)
    assert 3 < (second.found_at - first.found_at).total_seconds() / 86400 < 4
    assert first.code not in _search(second, days=3)
    assert first.code in _search(second, days=4)
    assert first.code in _search(second)  # the default window, 30 days


@pytest.mark.realdata
def test_the_window_is_inclusive_at_its_end(la):
    first, second = (la[sr] for sr in DAYS_APART)
    end = first.found_at + dt.timedelta(days=3)
    # Searching from exactly three days after the first request: it lies on the window's edge.
    found = nearby(Problem.objects.exclude(pk=second.pk), latitude=first.latitude, longitude=first.longitude,
                   category=first.category_id, at=end, days=3)
    assert first.code in {p.code for p in found}
    found = nearby(Problem.objects.exclude(pk=second.pk), latitude=first.latitude, longitude=first.longitude,
                   category=first.category_id, at=end + dt.timedelta(seconds=1), days=3)
    assert first.code not in {p.code for p in found}


@pytest.mark.realdata
def test_another_kind_at_the_same_address_is_not_found(la):
    bulky, ewaste = (la[sr] for sr in OTHER_KIND)
    assert _metres(bulky, ewaste) == 0
    assert ewaste.code not in _search(bulky)
    assert bulky.code not in _search(ewaste)


@pytest.mark.realdata
def test_closed_and_invalid_problems_are_not_offered(la, city):
    first, second = (la[sr] for sr in SAME_ADDRESS)
    problem = services.problem_assign(problem=first, unit=city.office_a, by=city.district_lead)
    problem = services.problem_acknowledge(problem=problem, by=city.unit_handler)
    problem = services.problem_apply_close(problem=problem, note="已清运", photos=[stored_photo(problem.pk)],
                                           by=city.unit_handler)
    services.problem_verify(problem=problem, approved=True, note="现场核实", by=city.district_lead)
    assert first.code not in _search(second)
    graffiti, other = (la[sr] for sr in GRAFFITI_CORNER)
    services.problem_invalidate(problem=other, reason="重复", by=city.hq)
    assert other.code not in _search(graffiti)


@pytest.mark.realdata
def test_results_are_sorted_nearest_first_and_limited(la):
    first = la[GRAFFITI_CORNER[0]]
    found = nearby(Problem.objects.all(), latitude=first.latitude, longitude=first.longitude,
                   category=first.category_id, at=first.found_at, radius_m=20_000)
    distances = [p.distance_m for p in found]
    assert len(found) == 10
    assert distances == sorted(distances)
    assert found[0].pk == first.pk and distances[0] == pytest.approx(0, abs=1e-6)
    assert len(nearby(Problem.objects.all(), latitude=first.latitude, longitude=first.longitude,
                      category=first.category_id, at=first.found_at, radius_m=20_000, limit=3)) == 3


@pytest.mark.realdata
def test_every_distance_is_the_haversine_of_the_stored_coordinates(la):
    first = la[SAME_ADDRESS[0]]
    found = nearby(Problem.objects.all(), latitude=first.latitude, longitude=first.longitude,
                   category=first.category_id, at=first.found_at, radius_m=50_000, limit=50)
    assert len(found) > 10
    for problem in found:
        assert problem.distance_m == pytest.approx(_metres(first, problem), abs=1e-6)


@pytest.mark.realdata
def test_the_ledger_search_carries_the_first_before_photo(la, city):
    first, second = (la[sr] for sr in GRAFFITI_CORNER)
    with_photos = services.problem_record(
        by=city.hq, category=first.category, district=city.district_a, description="graffiti, photographed",
        source=Source.PUBLIC_REPORT, found_at=first.found_at, latitude=first.latitude, longitude=first.longitude,
        photos=[stored_photo(), stored_photo()],
    )
    found = problems_nearby(user=city.hq, category=second.category, latitude=second.latitude,
                            longitude=second.longitude, at=second.found_at, exclude=second)
    assert [p.code for p in found] == sorted([first.code, with_photos.code], key=[first.code, with_photos.code].index)
    photos = {p.code: p.before_photo_id for p in found}
    assert photos[first.code] is None
    assert photos[with_photos.code] == with_photos.photos.order_by("uploaded_at", "id").first().pk


# --- The search box, where a Chinese city never goes -------------------------------------------


def test_the_box_widens_in_longitude_with_the_latitude():
    (south, west, north, east), = search_boxes(0, 0, 1000)
    (_s, west_60, _n, east_60), = search_boxes(60, 0, 1000)
    assert north - south == pytest.approx(2 * (1000 / 111_195.08 + 1e-6), rel=1e-5)  # with the margin
    assert (east_60 - west_60) == pytest.approx(2 * (east - west), rel=1e-3)  # 1 / cos(60°) = 2


def test_a_point_due_east_at_high_latitude_lies_inside_the_box():
    (south, west, north, east), = search_boxes(60, 10, 250)
    # 249.9 m due east along the great circle, and back: the box holds it.
    lon = 10 + math.degrees(249.9 / (6371008.8 * math.cos(math.radians(60))))
    assert haversine_m(60, 10, 60, lon) < 250
    assert west <= lon <= east and south <= 60 <= north


def test_a_circle_over_the_antimeridian_is_two_boxes():
    boxes = search_boxes(10, 179.999, 1000)
    assert len(boxes) == 2
    assert any(w <= -179.995 <= e for _s, w, _n, e in boxes)
    assert any(w <= 179.999 <= e for _s, w, _n, e in boxes)


def test_a_circle_around_a_pole_takes_every_longitude():
    assert search_boxes(89.9999, 0, 500) == [(pytest.approx(89.9999 - 500 / 111_195.08 - 1e-6, abs=1e-6),
                                              -180.0, 90.0, 180.0)]


# --- The index: the SQL emitted is the SQL migration 0014's indexes were built for -------------


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test ledger is tiny: make the planner show whether it *can* use the index.
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.realdata
def test_the_search_is_bounded_by_the_neighbourhood_index(la, city):
    problem = la[SAME_ADDRESS[0]]
    queryset = nearby_queryset(open_problems(user=city.hq), latitude=problem.latitude, longitude=problem.longitude,
                               category=problem.category_id, at=problem.found_at)
    plan = _plan(queryset)
    index = "problem_open_point" if connection.vendor == "postgresql" else "problem_category_lat_lon"
    assert index in plan, plan
    if connection.vendor == "postgresql":
        # The box and the window are both answered by the GiST index.
        condition = next(line for line in plan.splitlines() if "Index Cond" in line and "<@" in line)
        assert "found_at >=" in condition, plan
