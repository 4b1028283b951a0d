"""The supervision cycle: a two-weekly plan run over ten simulated weeks makes exactly five
rounds with its quotas, beat firing twice or two beats at once; a cross-inspection round never
sends an inspector to their own district, and one that cannot be staffed names the district."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaign.choices import Role
from campaign.models import District
from campaign.tests.factories import make_sample_point, make_user
from inspections import services as inspections
from inspections.models import Round, RoundPoint
from inspections.tests.factories import market_checklist
from ledger.tests.test_concurrency import run_at_once
from notifications.models import Notification
from programme.choices import Recurrence, RoundPlanAction, RoundPlanKind
from programme.models import PlanRound, RoundPlanEvent
from programme.services import cycle

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone())


@pytest.fixture
def third_district(city):
    """A third district with points of both categories and an inspector in each district."""
    district_c = District.objects.create(code="C", name="丙区", name_en="District C")
    city.points_c = [
        make_sample_point(district=district_c, category=city.market, unit=city.office_b, name="丙农贸市场"),
        make_sample_point(district=district_c, category=city.restaurant, unit=city.office_b, name="丙小餐馆"),
    ]
    city.extra_points = [
        make_sample_point(district=district, category=category, unit=city.office_a, name=f"{district.code}{category.code}{n}")
        for district in (city.district_a, city.district_b, district_c)
        for category in (city.market, city.restaurant) for n in range(2)
    ]
    city.inspector_b = make_user("inspector_b", Role.INSPECTOR, district=city.district_b)
    city.inspector_c = make_user("inspector_c", Role.INSPECTOR, district=district_c)
    city.district_c = district_c
    return city


def two_weekly(city, **overrides):
    values = {"by": city.hq, "name": "两周例行督查", "kind": RoundPlanKind.ROUTINE, "anchor": MONDAY,
              "recurrence": Recurrence.WEEKS, "every_weeks": 2, "quotas": {city.market: 2, city.restaurant: 1},
              "inspectors": [city.inspector]}
    values.update(overrides)
    return cycle.round_plan_create(**values)


def test_ten_weeks_of_a_two_weekly_plan_make_five_rounds_with_its_quotas_even_when_beat_fires_twice(third_district):
    city = third_district
    market_checklist(city)
    plan = two_weekly(city)
    for day in range(0, 70):  # ten weeks, swept every morning and again an hour later
        today = MONDAY + dt.timedelta(days=day)
        cycle.round_plans_sweep(now=at(today))
        cycle.round_plans_sweep(now=at(today, 10))
    made = list(PlanRound.objects.filter(plan=plan).order_by("period_start"))
    assert [p.period_start for p in made] == [MONDAY + dt.timedelta(weeks=2 * n) for n in range(5)]
    assert [p.period_end for p in made] == [MONDAY + dt.timedelta(weeks=2 * n, days=13) for n in range(5)]
    assert Round.objects.count() == 5
    for plan_round in made:
        inspection_round = plan_round.round
        assert (inspection_round.starts_on, inspection_round.ends_on) == (plan_round.period_start,
                                                                           plan_round.period_end)
        assert inspection_round.status == "drawn" and inspection_round.kind == "routine"
        drawn = Counter(inspection_round.points.values_list("category__code", flat=True))
        assert drawn == {"MKT": 2, "REST": 1}
        assert set(inspection_round.points.values_list("inspector", flat=True)) == {city.inspector.pk}


def test_a_plan_starting_later_makes_nothing_before_its_anchor_and_a_paused_plan_nothing(city):
    plan = two_weekly(city, anchor=MONDAY + dt.timedelta(weeks=4))
    assert cycle.round_plans_sweep(now=at(MONDAY)).made == []
    cycle.round_plan_set_active(plan=plan, by=city.hq, active=False, note="暂停")
    assert cycle.round_plans_sweep(now=at(MONDAY + dt.timedelta(weeks=5))).made == []
    assert list(plan.events.values_list("action", flat=True)) == [RoundPlanAction.PAUSED, RoundPlanAction.CREATED]


def test_a_quarterly_appraisal_makes_one_round_per_quarter(city):
    plan = cycle.round_plan_create(by=city.hq, name="季度考核", kind=RoundPlanKind.APPRAISAL,
                                   recurrence=Recurrence.QUARTERLY, anchor=dt.date(2026, 2, 10),
                                   quotas={city.market: 1}, inspectors=[city.inspector])
    for day in (dt.date(2026, 2, 10), dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 6, 30)):
        cycle.round_plans_sweep(now=at(day))
    made = list(PlanRound.objects.filter(plan=plan).order_by("period_start").select_related("round"))
    assert [(p.period_start, p.period_end) for p in made] == [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)), (dt.date(2026, 4, 1), dt.date(2026, 6, 30))]
    assert [p.round.name for p in made] == ["季度考核 2026-Q1", "季度考核 2026-Q2"]
    assert made[0].round.kind == "unannounced"


def test_a_plan_that_cannot_make_its_round_keeps_why_and_writes_nothing_until_fixed(city):
    plan = two_weekly(city)
    city.inspector.is_active = False
    city.inspector.save(update_fields=["is_active"])
    result = cycle.round_plans_sweep(now=at(MONDAY))
    cycle.round_plans_sweep(now=at(MONDAY, 10))
    assert result.made == [] and len(result.failed) == 1
    assert not PlanRound.objects.exists() and not Round.objects.exists()
    plan.refresh_from_db()
    assert plan.last_error == "该计划的督查员均已不在岗。"  # in the site's language
    assert RoundPlanEvent.objects.filter(plan=plan, action=RoundPlanAction.FAILED).count() == 1
    told = Notification.objects.filter(event=cycle.ROUND_PLAN_FAILED)
    assert [(n.recipient, n.context["reason"]) for n in told] == [(plan.owner, "该计划的督查员均已不在岗。")]
    assert told.get().url == f"/programme/plans/{plan.pk}/"
    city.inspector.is_active = True
    city.inspector.save(update_fields=["is_active"])
    assert len(cycle.round_plans_sweep(now=at(MONDAY, 11)).made) == 1
    plan.refresh_from_db()
    assert plan.last_error == ""


def test_a_period_the_sweep_missed_is_recorded_once_in_the_plans_history(city):
    plan = two_weekly(city)
    RoundPlanEvent.objects.filter(plan=plan).update(at=at(MONDAY - dt.timedelta(days=1)))
    type(plan).objects.filter(pk=plan.pk).update(created_at=at(MONDAY - dt.timedelta(days=1)))
    later = MONDAY + dt.timedelta(weeks=2)  # nothing swept during the first two weeks
    cycle.round_plans_sweep(now=at(later))
    cycle.round_plans_sweep(now=at(later, 10))
    missed = RoundPlanEvent.objects.filter(plan=plan, action=RoundPlanAction.FAILED)
    assert [event.changes for event in missed] == [{"missed": MONDAY.isoformat()}]
    assert "2026-03-02" in missed.get().note
    assert [p.period_start for p in PlanRound.objects.filter(plan=plan)] == [later]
    cycle.round_plans_sweep(now=at(later + dt.timedelta(weeks=2)))  # the second period had its round
    assert missed.count() == 1


def test_plan_rules_name_the_field(city):
    with pytest.raises(ValidationError) as error:
        two_weekly(city, every_weeks=0, quotas={}, inspectors=[city.users["unit_handler"]])
    assert set(error.value.message_dict) == {"every_weeks", "quotas", "inspectors"}
    with pytest.raises(ValidationError) as error:
        two_weekly(city, kind=RoundPlanKind.CROSS, district=city.district_a)
    assert set(error.value.message_dict) == {"district"}
    with pytest.raises(cycle.CycleForbidden):
        two_weekly(city, by=city.users["district_lead"])


def test_changing_a_plan_records_from_and_to(city):
    plan = two_weekly(city)
    cycle.round_plan_update(plan=plan, by=city.hq, name=plan.name, kind=plan.kind, anchor=plan.anchor,
                            every_weeks=3, quotas={city.market: 4}, inspectors=[city.inspector])
    event = plan.events.get(action=RoundPlanAction.CHANGED)
    assert event.changes["every_weeks"] == {"from": 2, "to": 3}
    assert event.changes["quotas"] == {"from": {"MKT": 2, "REST": 1}, "to": {"MKT": 4}}
    assert event.by == city.hq


def _periods(plan):
    return [(p.period_start, p.period_end) for p in PlanRound.objects.filter(plan=plan).order_by("period_start")]


def _no_overlap(periods):
    return all(earlier[1] < later[0] for earlier, later in zip(periods, periods[1:], strict=False))


def test_moving_the_anchor_makes_no_second_overlapping_round(city):
    plan = two_weekly(city)
    cycle.round_plans_sweep(now=at(MONDAY))  # 03-02 .. 03-15
    cycle.round_plan_update(plan=plan, by=city.hq, name=plan.name, kind=plan.kind, anchor=MONDAY + dt.timedelta(weeks=1),
                            every_weeks=2, quotas={city.market: 2, city.restaurant: 1}, inspectors=[city.inspector])
    for day in range(7, 28):
        cycle.round_plans_sweep(now=at(MONDAY + dt.timedelta(days=day)))
    periods = _periods(plan)
    assert _no_overlap(periods)
    assert periods == [(dt.date(2026, 3, 2), dt.date(2026, 3, 15)), (dt.date(2026, 3, 16), dt.date(2026, 3, 22)),
                       (dt.date(2026, 3, 23), dt.date(2026, 4, 5))]
    assert Round.objects.count() == 3


def test_switching_two_weekly_to_quarterly_makes_no_second_overlapping_round(city):
    plan = two_weekly(city)
    cycle.round_plans_sweep(now=at(MONDAY))  # 03-02 .. 03-15
    cycle.round_plan_update(plan=plan, by=city.hq, name=plan.name, kind=plan.kind, anchor=MONDAY,
                            recurrence=Recurrence.QUARTERLY, quotas={city.market: 2, city.restaurant: 1},
                            inspectors=[city.inspector])
    for day in (dt.date(2026, 3, 3), dt.date(2026, 3, 15), dt.date(2026, 3, 16), dt.date(2026, 3, 31),
                dt.date(2026, 4, 1)):
        cycle.round_plans_sweep(now=at(day))
    periods = _periods(plan)
    assert _no_overlap(periods)
    assert periods == [(dt.date(2026, 3, 2), dt.date(2026, 3, 15)), (dt.date(2026, 3, 16), dt.date(2026, 3, 31)),
                       (dt.date(2026, 4, 1), dt.date(2026, 6, 30))]


# --- Cross-inspection ------------------------------------------------------------------------------


def test_a_cross_plan_never_sends_an_inspector_to_their_own_district(third_district):
    city = third_district
    market_checklist(city)
    plan = cycle.round_plan_create(by=city.hq, name="区县互查", kind=RoundPlanKind.CROSS, anchor=MONDAY,
                                   every_weeks=2, quotas={city.market: 9, city.restaurant: 9})
    for week in range(10):
        cycle.round_plans_sweep(now=at(MONDAY + dt.timedelta(weeks=week)))
        cycle.round_plans_sweep(now=at(MONDAY + dt.timedelta(weeks=week), 10))
    rounds = Round.objects.filter(plan_round__plan=plan)
    assert rounds.count() == 5 and all(r.cross_inspection for r in rounds)
    points = RoundPoint.objects.filter(round__in=rounds).select_related("inspector", "sample_point")
    assert points.count() == 5 * 9 * 2
    assert all(p.inspector.district_id not in (None, p.sample_point.district_id) for p in points)
    # The rotation moves on: the first two rounds pair the districts differently.
    first, second = sorted(rounds, key=lambda r: r.starts_on)[:2]
    pairs = [{(p.inspector.district.code, p.sample_point.district.code) for p in r.points.all()}
             for r in (first, second)]
    assert pairs[0] == {("A", "B"), ("B", "C"), ("C", "A")}
    assert pairs[1] == {("A", "C"), ("B", "A"), ("C", "B")}
    from inspections.selectors import round_cross_pairs

    table = round_cross_pairs(inspection_round=first)
    assert {(row["inspecting"], row["inspected"]) for row in table} == {("甲区", "乙区"), ("乙区", "丙区"), ("丙区", "甲区")}
    assert sum(row["points"] for row in table) == 18 and not any(row["own_district"] for row in table)


def test_a_district_without_inspectors_inspects_nobody_and_blocks_no_round(third_district):
    city = third_district
    market_checklist(city)
    city.inspector_c.is_active = False
    city.inspector_c.save(update_fields=["is_active"])
    inspection_round = cycle.cross_round_create(name="互查", starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6),
                                                quotas={city.market: 9}, by=city.hq)
    rows = list(inspection_round.points.select_related("inspector", "sample_point"))
    assert {row.sample_point.district_id for row in rows} == {city.district_a.pk, city.district_b.pk,
                                                              city.district_c.pk}
    assert all(row.inspector is not None and row.inspector.district_id != row.sample_point.district_id
               for row in rows)
    assert {row.inspector.district_id for row in rows} == {city.district_a.pk, city.district_b.pk}


def test_an_unstaffable_cross_round_names_the_district_and_writes_nothing(third_district):
    city = third_district
    market_checklist(city)
    for person in (city.inspector_b, city.inspector_c):  # only A's inspectors: nobody may inspect A's points
        person.is_active = False
        person.save(update_fields=["is_active"])
    with pytest.raises(cycle.CrossInspectionUnstaffed) as error:
        cycle.cross_round_create(name="互查", starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6),
                                 quotas={city.market: 9}, by=city.hq)
    assert error.value.districts == [city.district_a]
    assert "甲区" in str(error.value)
    assert not Round.objects.exists() and not RoundPoint.objects.exists()


def test_a_cross_round_refuses_an_own_district_reassignment_and_assigns_others_only(third_district):
    city = third_district
    market_checklist(city)
    inspection_round = cycle.cross_round_create(name="互查", starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6),
                                                quotas={city.market: 3}, by=city.hq, seed=3)
    point = inspection_round.points.filter(sample_point__district=city.district_a).first()
    with pytest.raises(ValidationError) as error:
        inspections.round_point_reassign(round_point=point, inspector=city.inspector, by=city.hq)
    assert "甲区" in str(error.value.message_dict["inspector"])
    inspections.round_point_reassign(round_point=point, inspector=city.inspector_b, by=city.hq)
    # Sharing among chosen inspectors keeps every point away from its own district.
    inspections.round_assign(inspection_round=inspection_round, by=city.hq,
                             inspectors=[city.inspector, city.inspector_b, city.inspector_c])
    for row in inspection_round.points.select_related("inspector", "sample_point"):
        assert row.inspector.district_id != row.sample_point.district_id
    with pytest.raises(inspections.CrossInspectionUnstaffed) as error:
        inspections.round_assign(inspection_round=inspection_round, by=city.hq, inspectors=[city.inspector])
    assert error.value.districts == [city.district_a]


def test_the_assigned_inspector_of_another_district_may_start_the_point(third_district):
    city = third_district
    market_checklist(city)
    inspection_round = cycle.cross_round_create(name="互查", starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6),
                                                quotas={city.market: 9}, by=city.hq, seed=5)
    point = inspection_round.points.filter(inspector=city.inspector).select_related("sample_point").first()
    assert point.sample_point.district_id != city.district_a.pk
    inspection = inspections.inspection_start(sample_point=point.sample_point, kind=inspection_round.kind,
                                              by=city.inspector, round_point=point)
    assert inspection.round_point == point


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_make_one_round_per_plan_and_period(third_district):
    city = third_district
    market_checklist(city)
    routine = two_weekly(city)
    cross = cycle.round_plan_create(by=city.hq, name="区县互查", kind=RoundPlanKind.CROSS, anchor=MONDAY,
                                    every_weeks=2, quotas={city.market: 3})
    outcomes = run_at_once(*[lambda: cycle.round_plans_sweep(now=at(MONDAY)) for _ in range(4)])
    assert all(isinstance(o, cycle.SweepResult) for o in outcomes), outcomes
    assert sum(len(o.made) for o in outcomes) == 2
    assert PlanRound.objects.filter(plan=routine).count() == 1
    assert PlanRound.objects.filter(plan=cross).count() == 1
    assert Round.objects.count() == 2
    assert RoundPoint.objects.filter(round__plan_round__plan=routine).count() == 3


def test_a_failing_plan_whose_owner_left_tells_hq_staff_instead(city):
    plan = two_weekly(city)
    city.inspector.is_active = False
    city.inspector.save(update_fields=["is_active"])
    type(plan.owner).objects.filter(pk=plan.owner.pk).update(is_active=False)
    other_hq = make_user("hq2", Role.HQ_STAFF)
    cycle.round_plans_sweep(now=at(MONDAY))
    told = {n.recipient for n in Notification.objects.filter(event=cycle.ROUND_PLAN_FAILED)}
    assert other_hq in told and plan.owner not in told
