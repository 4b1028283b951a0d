"""The sample points' build-out: who may move a point to which state (the unit builds, only
HQ or an inspector marks it checked), refused moves and dates, the history, and the figures per
district and category counted by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programme.models import BuildoutEvent, BuildoutState, SamplePointBuildout
from programme.selectors.sites import buildout_figures
from programme.services import sites as services

from .sites_support import english, media  # noqa: F401

pytestmark = pytest.mark.django_db

B, R, C, P = BuildoutState.BUILDING, BuildoutState.READY, BuildoutState.CHECKED, BuildoutState.PLANNED


def move(point, state, by, **kwargs):
    return services.buildout_transition(sample_point=point, to_state=state, by=by, **kwargs)


def test_the_unit_builds_and_only_hq_or_an_inspector_checks(city):
    point, today = city.points_a[0], timezone.localdate()
    unit = city.unit_handler
    services.buildout_plan(sample_point=point, planned_completion=today + timedelta(days=30), by=unit,
                           on=today - timedelta(days=20))
    move(point, B, unit, on=today - timedelta(days=10))
    buildout = move(point, R, unit, on=today - timedelta(days=2))
    assert buildout.state == R and buildout.ready_on == today - timedelta(days=2)
    with pytest.raises(services.SiteForbidden, match="checked"):
        move(point, C, unit)
    assert services.allowed_moves(unit, point, R) == []
    assert services.allowed_moves(city.inspector, point, R) == [B, C]
    buildout = move(point, C, city.inspector)
    assert buildout.state == C and buildout.checked_on == today
    assert list(BuildoutEvent.objects.filter(buildout=buildout).values_list("from_state", "to_state", "by")) == [
        ("", P, unit.pk), (P, B, unit.pk), (B, R, unit.pk), (R, C, city.inspector.pk)]


def test_illegal_moves_and_dates_are_refused(city):
    point, today = city.points_a[0], timezone.localdate()
    with pytest.raises(services.SiteInvalid) as skip:
        move(point, R, city.hq)  # planned cannot become ready at once
    assert "state" in skip.value.errors
    with pytest.raises(services.SiteInvalid) as future:
        move(point, B, city.hq, on=today + timedelta(days=1))
    assert "on" in future.value.errors
    move(point, B, city.hq, on=today - timedelta(days=5))
    with pytest.raises(services.SiteInvalid) as earlier:
        move(point, R, city.hq, on=today - timedelta(days=6))
    assert "on" in earlier.value.errors
    move(point, R, city.hq, on=today - timedelta(days=1))
    with pytest.raises(services.SiteInvalid) as no_reason:
        move(point, B, city.inspector)  # sent back without saying why
    assert "reason" in no_reason.value.errors
    buildout = move(point, B, city.inspector, reason="地面未硬化")
    assert buildout.state == B and buildout.ready_on is None
    assert buildout.events.last().changes == {"state": [R, B], "ready_on": [(today - timedelta(days=1)).isoformat(), None]}


def test_who_may_not_touch_a_build_out(city):
    point = city.points_a[0]
    for role in ("leader", "district_lead", "grid_chief"):
        with pytest.raises(services.SiteForbidden):
            move(point, B, city.users[role])
    with pytest.raises(services.SiteForbidden):
        move(city.points_b[0], B, city.unit_handler)  # not its point
    with pytest.raises(services.SiteForbidden):
        move(point, B, city.inspector)  # inspectors check, they do not build
    with pytest.raises(services.SiteForbidden):
        services.buildout_plan(sample_point=point, planned_completion=timezone.localdate(), by=city.district_lead)
    assert not SamplePointBuildout.objects.exists()


def test_changing_the_plan_needs_a_reason(city):
    point, today = city.points_a[0], timezone.localdate()
    services.buildout_plan(sample_point=point, planned_completion=today, by=city.hq)
    with pytest.raises(services.SiteInvalid) as refused:
        services.buildout_plan(sample_point=point, planned_completion=today + timedelta(days=9), by=city.hq)
    assert "reason" in refused.value.errors
    buildout = services.buildout_plan(sample_point=point, planned_completion=today + timedelta(days=9), by=city.hq,
                                      reason="雨季延误")
    assert buildout.planned_completion == today + timedelta(days=9)
    assert buildout.events.last().changes == {"planned_completion": [today.isoformat(),
                                                                     (today + timedelta(days=9)).isoformat()]}


def test_figures_per_district_and_category_by_hand(city):
    today = timezone.localdate()
    a_market, a_rest = city.points_a
    b_market, b_rest = city.points_b
    # A market: building and overdue; A restaurant: ready (late, but ready: not overdue);
    # B market: checked; B restaurant: no record at all (planned, without a plan).
    services.buildout_plan(sample_point=a_market, planned_completion=today - timedelta(days=3), by=city.hq,
                           on=today - timedelta(days=30))
    move(a_market, B, city.hq, on=today - timedelta(days=20))
    services.buildout_plan(sample_point=a_rest, planned_completion=today - timedelta(days=3), by=city.hq,
                           on=today - timedelta(days=30))
    move(a_rest, B, city.hq, on=today - timedelta(days=20))
    move(a_rest, R, city.hq, on=today - timedelta(days=1))
    services.buildout_plan(sample_point=b_market, planned_completion=today + timedelta(days=3), by=city.hq,
                           on=today - timedelta(days=30))
    for state in (B, R, C):
        move(b_market, state, city.hq, on=today - timedelta(days=2))
    lines, total = buildout_figures(city.hq, today=today)
    got = {(line.district, line.category): line.as_dict() for line in lines}
    a, b = str(city.district_a), str(city.district_b)
    market, rest = str(city.market), str(city.restaurant)
    assert got[(a, market)] | {} == {"district": a, "category": market, "total": 1, "planned": 0, "building": 1,
                                     "ready": 0, "checked": 0, "unplanned": 0, "overdue": 1, "ready_percent": 0.0,
                                     "checked_percent": 0.0}
    assert (got[(a, rest)]["ready"], got[(a, rest)]["overdue"], got[(a, rest)]["ready_percent"]) == (1, 0, 100.0)
    assert (got[(b, market)]["checked"], got[(b, market)]["checked_percent"]) == (1, 100.0)
    assert (got[(b, rest)]["planned"], got[(b, rest)]["unplanned"]) == (1, 1)
    assert total.as_dict() | {"district": "", "category": ""} == {
        "district": "", "category": "", "total": 4, "planned": 1, "building": 1, "ready": 1, "checked": 1,
        "unplanned": 1, "overdue": 1, "ready_percent": 50.0, "checked_percent": 25.0}
    # a district lead counts their district only; a unit handler its own points
    lines, total = buildout_figures(city.district_lead, today=today)
    assert {line.district for line in lines} == {a} and total.total == 2 and total.overdue == 1
    lines, total = buildout_figures(city.unit_handler, today=today)
    assert total.total == 2
    lines, total = buildout_figures(city.grid_chief, today=today)
    assert lines == [] and total.total == 0
