"""Readiness from the database: readiness_by_category (the contract), the trend, mock
assessments drawn by inspections' draw, and HQ's pass line and draw sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.models import DrawSize, MockAssessment, PassLine
from assessment.selectors.readiness import (
    draw_size_rows,
    mock_assessment_findings,
    pass_line_current,
    readiness_by_category,
    readiness_trend,
)
from assessment.services.readiness import (
    ReadinessError,
    draw_size_set,
    mock_assessment_create,
    pass_line_set,
)
from campaign.models import SamplePoint
from inspections.choices import InspectionKind, RoundStatus

from .readiness_support import checklists, history, inspect, places

pytestmark = pytest.mark.django_db
CONTRACT_KEYS = {"category_id", "category", "draw_size", "readiness", "low", "high", "places", "inspected_places",
                 "drag"}


@pytest.fixture
def town(city):
    """District A: 12 markets in good order, 10 restaurants that mostly fail (one is fine)."""
    checklists(city)
    city.markets = places(city, city.market, 12)
    city.restaurants = places(city, city.restaurant, 10)
    history(city, city.markets, ok_every=1)
    history(city, city.restaurants[1:], ok_every=0)
    history(city, city.restaurants[:1], ok_every=1)
    draw_size_set(by=city.hq, category=city.market, size=6, source="test")
    draw_size_set(by=city.hq, category=city.restaurant, size=6, source="test")
    return city


def by_category(rows):
    return {row["category_id"]: row for row in rows}


def test_good_places_make_a_ready_category_and_failing_ones_an_unready_one(town):
    rows = by_category(readiness_by_category(as_of=timezone.localdate()))
    market, restaurant = rows[town.market.pk], rows[town.restaurant.pk]
    assert CONTRACT_KEYS <= set(market)
    assert market["readiness"] > 0.9 and restaurant["readiness"] < 0.05
    for row in (market, restaurant):
        assert 0 <= row["low"] <= row["readiness"] <= row["high"] <= 1
        assert row["draw_size"] == 6
    # The fixture city's own markets count as places never inspected.
    others = SamplePoint.objects.filter(category=town.market, active=True).exclude(
        pk__in=[p.pk for p in town.markets]).count()
    assert others and market["places"] == 12 + others and market["inspected_places"] == 12
    # The restaurants that fail drag their category down; the one in good order does not.
    dragging = {place["sample_point_id"] for place in restaurant["drag"]}
    assert dragging and town.restaurants[0].pk not in dragging
    assert dragging <= {p.pk for p in town.restaurants[1:]}
    assert {"sample_point_id", "code", "name", "pass_probability"} <= set(restaurant["drag"][0])


def test_the_same_data_gives_the_same_figures_and_inspections_after_the_day_do_not_count(town):
    today = timezone.localdate()
    assert readiness_by_category(as_of=today) == readiness_by_category(as_of=today)
    before = by_category(readiness_by_category(as_of=today - datetime.timedelta(days=60)))
    assert before[town.market.pk]["readiness"] is None  # nothing was inspected yet then
    assert before[town.market.pk]["inspected_places"] == 0


def test_a_district_sees_its_own_places_only(town):
    rows = by_category(readiness_by_category(as_of=timezone.localdate(), district_id=town.district_b.pk))
    in_b = SamplePoint.objects.filter(category=town.market, district=town.district_b).count()
    assert rows[town.market.pk]["places"] == in_b < 6 and rows[town.market.pk]["inspected_places"] == 0
    assert rows[town.market.pk]["readiness"] is None
    assert rows[town.market.pk]["draw_size"] == in_b  # never more than the places there are


def test_self_checks_do_not_count(town):
    point = places(town, town.market, 1, district=town.district_b, prefix="自查")[0]
    inspect(town, point, ok=True, kind=InspectionKind.SELF_CHECK)
    rows = by_category(readiness_by_category(as_of=timezone.localdate(), district_id=town.district_b.pk))
    assert rows[town.market.pk]["inspected_places"] == 0


def test_readiness_reads_a_bounded_number_of_queries(town):
    with CaptureQueriesContext(connection) as queries:
        readiness_by_category(as_of=timezone.localdate())
    few = len(queries)
    places(town, town.market, 30, prefix="更多")
    with CaptureQueriesContext(connection) as queries:
        readiness_by_category(as_of=timezone.localdate())
    assert len(queries) == few <= 6


def test_the_trend_covers_twelve_weeks_in_one_read_and_shows_the_improvement(town):
    with CaptureQueriesContext(connection) as queries:
        trend = readiness_trend(as_of=timezone.localdate())
    assert len(queries) <= 6
    assert len(trend["weeks"]) == 12
    markets = next(row for row in trend["categories"] if row["category_id"] == town.market.pk)
    values = [point["readiness"] for point in markets["points"]]
    assert values[0] is None  # twelve weeks ago nothing had been inspected
    assert values[-1] > 0.9
    assert trend["weeks"][-1] >= timezone.localdate().isoformat()


def test_a_mock_assessment_draws_the_assessors_number_per_category_through_inspections_draw(town):
    mock = mock_assessment_create(by=town.hq, starts_on=timezone.localdate(), seed=7)
    round_ = mock.round
    assert round_.kind == InspectionKind.MOCK and round_.status == RoundStatus.DRAWN and round_.seed == 7
    quotas = {q.category_id: q.quota for q in round_.quotas.all()}
    assert quotas == {town.market.pk: 6, town.restaurant.pk: 6}
    assert round_.points.filter(category=town.market).count() == 6
    assert {row["category_id"] for row in mock.predicted} == set(quotas)
    # Its inspections are set against the prediction.
    for round_point in round_.points.filter(category=town.market).select_related("sample_point"):
        inspect(town, round_point.sample_point, ok=True, kind=InspectionKind.MOCK, round_point=round_point)
    findings = by_category(mock_assessment_findings(mock))
    assert findings[town.market.pk]["inspected"] == 6 and findings[town.market.pk]["share"] == 100.0
    assert findings[town.market.pk]["met"] is True and findings[town.market.pk]["complete"]
    assert findings[town.restaurant.pk]["inspected"] == 0 and findings[town.restaurant.pk]["met"] is None
    assert findings[town.market.pk]["predicted"] > 0.9


def test_the_same_seed_draws_the_same_places(town):
    first = mock_assessment_create(by=town.hq, starts_on=timezone.localdate(), seed=11)
    second = mock_assessment_create(by=town.hq, starts_on=timezone.localdate(), seed=11)
    assert (sorted(first.round.points.values_list("sample_point_id", flat=True))
            == sorted(second.round.points.values_list("sample_point_id", flat=True)))


def test_only_hq_runs_mock_assessments_and_changes_the_settings(town):
    for person in (town.leader, town.district_lead, town.inspector):
        with pytest.raises(ReadinessError):
            mock_assessment_create(by=person, starts_on=timezone.localdate())
        with pytest.raises(ReadinessError):
            draw_size_set(by=person, category=town.market, size=3)
    assert not MockAssessment.objects.exists()


def test_the_pass_line_changes_keep_their_history_and_refuse_bad_values(town):
    assert pass_line_current().pk is None and pass_line_current().rule == "share"
    first = pass_line_set(by=town.hq, rule="share", min_share=90, min_average=85, window_days=90,
                          half_life_days=30, reason="省级暗访标准")
    second = pass_line_set(by=town.hq, rule="average", min_share=90, min_average=88, window_days=90,
                           half_life_days=30, reason="按平均分")
    assert pass_line_current() == second and PassLine.objects.count() == 2 and first.pk
    for field, values in {"min_share": {"min_share": 101}, "rule": {"rule": "best"}, "reason": {"reason": " "},
                          "window_days": {"window_days": 3}, "half_life_days": {"half_life_days": "x"}}.items():
        arguments = {"rule": "share", "min_share": 80, "min_average": 85, "window_days": 90, "half_life_days": 30,
                     "reason": "test"} | values
        with pytest.raises(ReadinessError) as refused:
            pass_line_set(by=town.hq, **arguments)
        assert refused.value.field == field
    assert PassLine.objects.count() == 2


def test_the_average_rule_reads_the_scores(town):
    pass_line_set(by=town.hq, rule="average", min_share=80, min_average=95, window_days=180, half_life_days=42,
                  reason="test")
    rows = by_category(readiness_by_category(as_of=timezone.localdate()))
    # Markets score 100; restaurants fail the 10-point item (90) but one.
    assert rows[town.market.pk]["readiness"] > 0.9
    assert rows[town.restaurant.pk]["readiness"] < 0.1


def test_draw_sizes_keep_their_history(town):
    draw_size_set(by=town.hq, category=town.market, size=9, source="第二次")
    rows = {row["category_id"]: row for row in draw_size_rows()}
    assert rows[town.market.pk]["draw_size"] == 9 and rows[town.market.pk]["source"] == "第二次"
    assert DrawSize.objects.filter(category=town.market).count() == 2
    with pytest.raises(ReadinessError):
        draw_size_set(by=town.hq, category=town.market, size=0)
