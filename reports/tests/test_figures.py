"""The published figure rules on a hand-built week whose every figure is known in advance."""

import datetime as dt

import pytest
from django.utils import timezone

from ledger import services
from ledger.tests.factories import record, stored_photo
from reports import figures
from reports.periods import week_of

pytestmark = pytest.mark.django_db

WEEK = week_of(dt.date(2025, 3, 12))  # Monday 10 to Sunday 16 March 2025
MON, TUE, WED, THU, FRI, SUN = (dt.date(2025, 3, d) for d in (10, 11, 12, 13, 14, 16))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def found(city, when, point=None, **extra):
    return record(city, found_at=when, point=point, **extra)


def assigned(city, problem, when, deadline, unit=None):
    return services.problem_assign(problem=problem, unit=unit or city.office_a, deadline=deadline,
                                   by=city.hq, at=when)


def worked(city, problem, when):
    problem = services.problem_acknowledge(problem=problem, by=city.hq, at=when)
    return services.problem_apply_close(problem=problem, note="已整改", photos=[stored_photo(problem.pk)],
                                        by=city.hq, at=when)


def verified(city, problem, when, approved=True):
    return services.problem_verify(problem=problem, approved=approved, note="" if approved else "未整改到位",
                                   by=city.district_lead, at=when)


@pytest.fixture
def week(city):
    """Problems of district A's office (team T01) unless said otherwise; what each counts as is
    written beside it."""
    early = at(dt.date(2025, 3, 3))
    # 1. due Wednesday, closed Wednesday 23:30 local (15:30 UTC): due, closed, closed of due, on time.
    p1 = assigned(city, found(city, early), early, WED)
    p1 = worked(city, p1, at(WED, 9))
    verified(city, p1, at(WED, 23, 30))
    # 2. due Wednesday, closed Thursday 00:30 local (Wednesday 16:30 UTC): closed of due, late.
    p2 = assigned(city, found(city, early), early, WED)
    p2 = worked(city, p2, at(WED, 9))
    verified(city, p2, at(THU, 0, 30))
    # 3. due Friday, rejected twice in the week, still open: due, overdue, carried, 2 rejections.
    p3 = assigned(city, found(city, early), early, FRI)
    p3 = worked(city, p3, at(MON, 9))
    p3 = verified(city, p3, at(TUE), approved=False)
    p3 = services.problem_apply_close(problem=p3, note="再次整改", photos=[stored_photo(p3.pk)], by=city.hq,
                                      at=at(WED))
    verified(city, p3, at(THU), approved=False)
    # 4. due Thursday, marked invalid on Tuesday: not due, not carried.
    p4 = assigned(city, found(city, early), early, THU)
    services.problem_invalidate(problem=p4, reason="不属实", by=city.hq, at=at(TUE))
    # 5. due Thursday, marked invalid the next Monday: due, overdue and carried at the week's end.
    p5 = assigned(city, found(city, early), early, THU)
    services.problem_invalidate(problem=p5, reason="重复", by=city.hq, at=at(WEEK.end + dt.timedelta(days=1)))
    # 6. found Tuesday in district B, assigned and reassigned in the week to B's office: found,
    #    assigned once, carried; due next week.
    p6 = found(city, at(TUE), point=city.points_b[0])
    p6 = assigned(city, p6, at(TUE, 11), SUN + dt.timedelta(days=3), unit=city.office_b)
    assigned(city, p6, at(WED, 11), SUN + dt.timedelta(days=5), unit=city.office_b)
    # 7. found Sunday 23:59 local (in the week) and 8. Monday 00:00 next week (not in it).
    found(city, at(SUN, 23, 59))
    found(city, at(SUN + dt.timedelta(days=1), 0, 0))
    # 9. a rebound of problem 1, found Friday: found, rebound, carried.
    services.problem_record_rebound(original=p1.__class__.objects.get(pk=p1.pk), by=city.hq, found_at=at(FRI),
                                    at=at(FRI))
    # 10. closed the week before: counts for nothing this week.
    p10 = assigned(city, found(city, early), early, dt.date(2025, 3, 6))
    p10 = worked(city, p10, at(dt.date(2025, 3, 5)))
    verified(city, p10, at(dt.date(2025, 3, 6)))
    return {"p3": p3, "p6": p6}


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
