"""Possible duplicates of a report: open problems and waiting reports of the same ledger category
within 250 m and 30 days (ledger.nearby), on the report's page and counted for the queue."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaign.geo import haversine_m
from ledger import services as ledger
from ledger.choices import Source
from ledger.tests.factories import stored_photo
from public_reports.selectors import duplicate_counts, report_duplicates, report_queue

from .factories import public_category, report

pytestmark = pytest.mark.django_db

LAT, LON = Decimal("31.230000"), Decimal("121.470000")
# About 111 m north per 0.001 degree of latitude.
NORTH_100M = Decimal("31.230900")
NORTH_300M = Decimal("31.232700")


def _problem(city, *, latitude=LAT, longitude=LON, category=None, found_at=None, photos=()):
    return ledger.problem_record(
        by=city.hq, category=category or city.points_a[0].category, district=city.district_a,
        description="垃圾堆放", source=Source.SELF_FOUND,
        latitude=latitude, longitude=longitude, found_at=found_at, photos=list(photos))


def test_a_report_lists_the_open_problem_and_the_waiting_report_nearby_with_distance_and_photo(city):
    problem = _problem(city, latitude=NORTH_100M, photos=[stored_photo()])
    earlier = report(city, latitude=NORTH_100M, photos=[stored_photo()])
    mine = report(city)
    found = report_duplicates(mine, user=city.hq)
    assert [(d.kind, d.code) for d in found] in (
        [("problem", problem.code), ("report", earlier.code)], [("report", earlier.code), ("problem", problem.code)])
    expected = haversine_m(LAT, LON, NORTH_100M, LON)
    assert all(abs(d.distance_m - expected) < 0.01 for d in found)
    assert all(d.thumbnail_url.endswith("/thumb/") for d in found)


def test_far_old_closed_or_other_category_rows_are_not_duplicates(city):
    _problem(city, latitude=NORTH_300M)  # 333 m away
    _problem(city, found_at=timezone.now() - timedelta(days=31))  # outside the window
    _problem(city, category=city.restaurant)  # another ledger category
    invalid = _problem(city)
    ledger.problem_invalidate(problem=invalid, reason="不属于问题", by=city.hq)  # not open
    decided = report(city)
    from public_reports import services

    services.public_report_reject(report=decided, by=city.hq, reason="not_found")  # not waiting
    other = public_category(city, code="food", name="餐饮", category=city.restaurant)
    report(city, public_category=other)  # another category
    assert report_duplicates(report(city), user=city.hq) == []


def test_a_report_without_a_place_has_no_duplicates(city):
    _problem(city)
    assert report_duplicates(report(city, latitude=None, longitude=None), user=city.hq) == []


def test_a_district_lead_is_offered_only_what_they_may_see(city):
    report(city, district=city.district_b)  # the same spot, placed in district B
    mine = report(city)
    assert report_duplicates(mine, user=city.district_lead) == []
    assert len(report_duplicates(mine, user=city.hq)) == 1


def test_the_queue_counts_equal_the_page_lists_in_a_fixed_number_of_queries(city, django_assert_num_queries):
    _problem(city, latitude=NORTH_100M)
    _problem(city, latitude=NORTH_300M)
    reports = [report(city) for _ in range(3)] + [report(city, latitude=NORTH_300M)]
    rows = list(report_queue(city.hq))
    with django_assert_num_queries(3):  # the public categories, the problems, the reports
        counts = duplicate_counts(rows, user=city.hq)
    for row in reports:
        assert counts[row.pk] == len(report_duplicates(row, user=city.hq, limit=100)), row.code
    assert counts[reports[0].pk] == 3  # the problem 100 m away and the two other reports here
