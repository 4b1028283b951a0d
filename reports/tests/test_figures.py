"""The published figure rules on a hand-built week whose every figure is known in advance."""

import datetime as dt

import pytest

from reports import figures
from reports.periods import week_of
from reports.tests.weeks import WEEK, build_week

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def week(city):
    return build_week(city)


def test_every_city_figure_follows_the_published_rule(week):
    city = figures.city_figures(period=WEEK)

    assert city["found"] == 3  # 6, 7 and the rebound
    assert city["assigned"] == 1  # problem 6, assigned and reassigned
    assert city["closed"] == 2
    assert city["rejected"] == 2 and city["closing_applications"] == 4
    assert city["due"] == 4  # 1, 2, 3 and 5 (4 was invalid before the end)
    assert city["closed_of_due"] == 2 and city["closed_on_time"] == 1
    assert city["overdue"] == 2  # 3 and 5
    assert city["carried_over"] == 5  # 3, 5, 6, 7, the rebound
    assert city["rebounds"] == 1


def test_rates_keep_their_fraction_and_are_null_without_a_denominator(week):
    city = figures.city_figures(period=WEEK)
    assert city["closure_rate"] == {"numerator": 2, "denominator": 4, "value": 0.5}
    assert city["on_time_rate"] == {"numerator": 1, "denominator": 4, "value": 0.25}
    assert city["rebound_rate"]["numerator"] == 1 and city["rebound_rate"]["denominator"] == 3
    assert city["rejection_rate"] == {"numerator": 2, "denominator": 4, "value": 0.5}

    empty = figures.city_figures(period=week_of(dt.date(2024, 1, 3)))
    assert empty["closure_rate"] == {"numerator": 0, "denominator": 0, "value": None}
    assert empty["found"] == 0


def test_breakdowns_follow_current_team_district_and_unit_with_ids(city, week):
    result = figures.breakdowns(period=WEEK)

    districts = {row["district_id"]: row for row in result.districts}
    assert districts[city.district_a.pk]["carried_over"] == 4
    assert districts[city.district_b.pk]["carried_over"] == 1
    assert districts[city.district_b.pk]["assigned"] == 1
    units = {row["unit_id"]: row for row in result.units}
    assert units[city.office_b.pk]["found"] == 1 and units[city.office_b.pk]["district_id"] == city.district_b.pk
    assert units[city.office_a.pk]["due"] == 4
    assert units[city.office_a.pk]["team_ids"] == [city.team.pk]
    teams = {row["team_id"]: row for row in result.teams}
    assert teams[city.team.pk]["rejected"] == 2
    assert teams[None]["found"] == 1  # B's market point has no team
    assert sum(row["found"] for row in result.units) == result.city["found"]


def test_a_district_scope_counts_only_its_problems(city, week):
    b = figures.city_figures(period=WEEK, district=city.district_b)
    assert (b["found"], b["assigned"], b["carried_over"], b["due"], b["rejected"]) == (1, 1, 1, 0, 0)
    a = figures.breakdowns(period=WEEK, district=city.district_a.pk)
    assert [row["district_id"] for row in a.districts] == [city.district_a.pk]
    assert a.city["found"] == 2


def test_the_figures_take_two_grouped_queries_whatever_the_number_of_problems(week, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        figures.cell_counts(period=WEEK)
