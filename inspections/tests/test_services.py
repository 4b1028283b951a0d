"""Checklists, scoring, submission into the ledger, and rounds drawn like the assessors'."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaign.tests.factories import make_sample_point
from campaign.write_scope import OutOfScope
from inspections import services
from inspections.choices import InspectionStatus, Outcome, RoundStatus
from inspections.models import ChecklistVersion, Inspection
from inspections.tests.factories import MARKET_ITEMS, inspect, market_checklist
from ledger import services as ledger
from ledger.choices import Source, Status
from ledger.models import Problem
from ledger.tests.factories import stored_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def checklist(city):
    return market_checklist(city)


def test_score_is_100_when_everything_passes(city, checklist):
    inspection, findings = inspect(city, outcomes={})
    assert inspection.score == Decimal("100")
    assert findings == []


def test_score_is_100_minus_the_points_of_failed_items(city, checklist):
    inspection, _ = inspect(city, outcomes={"M01": Outcome.FAIL, "M04": Outcome.FAIL})
    assert inspection.score == Decimal("87")


def test_not_applicable_items_cost_nothing(city, checklist):
    inspection, _ = inspect(city, outcomes={"M01": Outcome.NOT_APPLICABLE})
    assert inspection.score == Decimal("100")


def test_a_failed_veto_item_gives_zero(city, checklist):
    inspection, _ = inspect(city, outcomes={"M05": Outcome.FAIL})
    assert inspection.score == Decimal("0")


def test_submitting_locks_the_inspection(city, checklist):
    inspection, _ = inspect(city, outcomes={})
    item = inspection.checklist_version.items.first()
    with pytest.raises(services.InspectionConflict):
        services.inspection_record_result(inspection=inspection, item=item, outcome=Outcome.FAIL, by=city.inspector)
    with pytest.raises(services.InspectionConflict):
        services.inspection_submit(inspection=inspection, by=city.inspector)


def test_every_item_must_be_answered_before_submitting(city, checklist):
    inspection = services.inspection_start(sample_point=city.points_a[0], kind="routine", by=city.inspector)
    item = inspection.checklist_version.items.first()
    services.inspection_record_result(inspection=inspection, item=item, outcome=Outcome.PASS, by=city.inspector)
    with pytest.raises(services.InspectionError, match="M02"):
        services.inspection_submit(inspection=inspection, by=city.inspector)
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.DRAFT


def test_an_answer_can_be_changed_until_submission(city, checklist):
    inspection = services.inspection_start(sample_point=city.points_a[0], kind="routine", by=city.inspector)
    item = inspection.checklist_version.items.first()
    services.inspection_record_result(inspection=inspection, item=item, outcome=Outcome.FAIL, by=city.inspector)
    services.inspection_record_result(inspection=inspection, item=item, outcome=Outcome.PASS, by=city.inspector)
    assert inspection.results.get().outcome == Outcome.PASS


def test_only_the_inspections_inspectors_may_answer(city, checklist):
    inspection = services.inspection_start(sample_point=city.points_a[0], kind="routine", by=city.inspector)
    item = inspection.checklist_version.items.first()
    with pytest.raises(services.InspectionForbidden):
        services.inspection_record_result(inspection=inspection, item=item, outcome=Outcome.PASS, by=city.district_lead)


@pytest.mark.parametrize("actor", ["leader", "team_lead", "unit_handler", "public"])
def test_roles_that_do_not_inspect_cannot_start_one(city, checklist, actor):
    with pytest.raises(services.InspectionForbidden):
        services.inspection_start(sample_point=city.points_a[0], kind="routine", by=getattr(city, actor))


def test_each_failed_item_becomes_an_assigned_problem_with_its_photo(city, checklist):
    inspection = services.inspection_start(sample_point=city.points_a[0], kind="unannounced", by=city.inspector)
    items = {item.code: item for item in inspection.checklist_version.items.all()}
    for code, item in items.items():
        outcome = Outcome.FAIL if code in {"M01", "M03"} else Outcome.PASS
        photos = [stored_photo()] if code == "M01" else []
        services.inspection_record_result(inspection=inspection, item=item, outcome=outcome, by=city.inspector,
                                          note="鸡笼未封闭" if code == "M01" else "", photos=photos)
    inspection, findings = services.inspection_submit(inspection=inspection, by=city.inspector)
    assert [outcome for _, outcome in findings] == ["new", "new"]
    problems = Problem.objects.order_by("finding_key")
    assert [p.finding_key for p in problems] == ["MKT:M01", "MKT:M03"]
    first = problems[0]
    assert first.status == Status.ASSIGNED
    assert first.source == Source.UNANNOUNCED_VISIT
    assert first.severity == "serious"
    assert first.responsible_unit == city.office_a and first.team == city.team
    assert first.description == "活禽销售区域独立设置并封闭：鸡笼未封闭"
    assert first.source_ref == f"inspection:{inspection.pk}"
    assert first.photos.filter(kind="before").count() == 1


def test_a_failure_found_again_while_open_is_not_duplicated(city, checklist):
    inspect(city, outcomes={"M01": Outcome.FAIL})
    _, findings = inspect(city, outcomes={"M01": Outcome.FAIL})
    assert [outcome for _, outcome in findings] == ["found_again"]
    assert Problem.objects.count() == 1
    assert Problem.objects.get().events.filter(action="found_again").count() == 1


def test_a_failure_after_closing_within_the_window_is_a_linked_rebound(city, checklist):
    _, [(problem, _)] = inspect(city, outcomes={"M01": Outcome.FAIL})
    problem = ledger.problem_acknowledge(problem=problem, by=city.unit_handler)
    problem = ledger.problem_apply_close(problem=problem, note="已整改", photos=[stored_photo()], by=city.unit_handler)
    ledger.problem_verify(problem=problem, approved=True, by=city.district_lead)
    _, [(rebound, outcome)] = inspect(city, outcomes={"M01": Outcome.FAIL})
    assert outcome == "rebound"
    assert rebound.rebound_of_id == problem.pk


def test_changing_a_used_checklist_makes_a_new_version_and_old_inspections_keep_theirs(city, checklist):
    inspection, _ = inspect(city, outcomes={})
    revised = services.checklist_revise(category=city.market, items=MARKET_ITEMS[:3], by=city.hq, note="精简")
    assert revised.number == 2
    inspection.refresh_from_db()
    assert inspection.checklist_version.number == 1
    assert inspection.checklist_version.items.count() == 5
    assert revised.items.count() == 3


def test_changing_an_unused_checklist_edits_it_in_place(city, checklist):
    revised = services.checklist_revise(category=city.market, items=MARKET_ITEMS[:2], by=city.hq)
    assert revised.pk == checklist.pk
    assert ChecklistVersion.objects.count() == 1
    assert revised.items.count() == 2


def test_only_hq_changes_checklists(city, checklist):
    with pytest.raises(services.InspectionForbidden):
        services.checklist_revise(category=city.market, items=MARKET_ITEMS, by=city.district_lead)


# --- Rounds ---------------------------------------------------------------------------------------


@pytest.fixture
def many_markets(city):
    return [make_sample_point(district=city.district_a if i % 2 else city.district_b, category=city.market,
                              name=f"市场{i}") for i in range(20)]


def plan(city, quota=5, **extra):
    return services.round_create(name="暗访 第47周", kind="unannounced", starts_on=date(2026, 11, 16),
                                 ends_on=date(2026, 11, 22), quotas={city.market: quota}, by=city.hq, **extra)


def drawn(inspection_round):
    return sorted(inspection_round.points.values_list("sample_point_id", flat=True))


def test_a_draw_meets_each_categorys_quota(city, many_markets):
    inspection_round = plan(city, quota=7)
    shortfalls = services.round_draw(inspection_round=inspection_round, by=city.hq, seed=47)
    assert shortfalls == {}
    assert inspection_round.points.count() == 7
    assert inspection_round.status == RoundStatus.DRAWN and inspection_round.seed == 47


def test_a_draw_is_reproducible_from_its_seed(city, many_markets):
    first, second, third = plan(city), plan(city), plan(city)
    services.round_draw(inspection_round=first, by=city.hq, seed=2026)
    services.round_draw(inspection_round=second, by=city.hq, seed=2026)
    services.round_draw(inspection_round=third, by=city.hq, seed=7)
    assert drawn(first) == drawn(second)
    assert drawn(first) != drawn(third)


def test_a_draw_leaves_out_points_inspected_recently(city, many_markets, checklist):
    inspect(city, outcomes={}, point=city.points_a[0])
    inspection_round = plan(city, quota=50, exclude_inspected_days=30)
    shortfalls = services.round_draw(inspection_round=inspection_round, by=city.hq, seed=1)
    assert city.points_a[0].pk not in drawn(inspection_round)
    eligible = 2 + 20 - 1  # both cities' markets plus the new ones, less the inspected one
    assert shortfalls == {city.market: 50 - eligible}


def test_a_district_round_draws_only_that_district(city, many_markets):
    inspection_round = plan(city, quota=50, district=city.district_a)
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=3)
    assert set(inspection_round.points.values_list("sample_point__district", flat=True)) == {city.district_a.pk}


def test_a_round_is_drawn_once(city, many_markets):
    inspection_round = plan(city)
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=1)
    with pytest.raises(services.InspectionConflict):
        services.round_draw(inspection_round=inspection_round, by=city.hq, seed=2)


def test_district_lead_plans_rounds_only_for_their_district(city):
    with pytest.raises(OutOfScope):
        services.round_create(name="乙区", kind="self_check", starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 22),
                              quotas={city.market: 1}, by=city.district_lead, district=city.district_b)
    services.round_create(name="甲区自查", kind="self_check", starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 22),
                          quotas={city.market: 1}, by=city.district_lead, district=city.district_a)


def test_points_are_shared_among_inspectors_and_a_round_point_is_inspected_once(city, many_markets, checklist):
    from campaign.choices import Role
    from campaign.tests.factories import make_user

    second = make_user("inspector2", Role.INSPECTOR)
    inspection_round = plan(city, quota=6)
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=5)
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector, second], by=city.hq)
    counts = {}
    for point in inspection_round.points.all():
        counts[point.inspector_id] = counts.get(point.inspector_id, 0) + 1
    assert counts == {city.inspector.pk: 3, second.pk: 3}
    mine = inspection_round.points.filter(inspector=city.inspector).first()
    first = services.inspection_start(sample_point=mine.sample_point, kind="unannounced", by=city.inspector, round_point=mine)
    again = services.inspection_start(sample_point=mine.sample_point, kind="unannounced", by=city.inspector, round_point=mine)
    assert first.pk == again.pk
    theirs = inspection_round.points.filter(inspector=second).first()
    with pytest.raises(services.InspectionForbidden):
        services.inspection_start(sample_point=theirs.sample_point, kind="unannounced", by=city.inspector, round_point=theirs)


def test_round_progress_and_problems(city, many_markets, checklist):
    from inspections.selectors import round_problems, round_progress

    inspection_round = plan(city, quota=3, district=city.district_a)
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=11)
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector], by=city.hq)
    point = inspection_round.points.first()
    inspection = services.inspection_start(sample_point=point.sample_point, kind="unannounced", by=city.inspector,
                                           round_point=point)
    for item in inspection.checklist_version.items.all():
        services.inspection_record_result(inspection=inspection, item=item, by=city.inspector,
                                          outcome=Outcome.FAIL if item.code == "M02" else Outcome.PASS)
    services.inspection_submit(inspection=inspection, by=city.inspector)
    progress = round_progress(inspection_round=inspection_round)
    assert progress["inspectors"][str(city.inspector)] == {"done": 1, "todo": 2}
    assert round_problems(inspection_round=inspection_round, user=city.hq).count() == 1


def test_scores_by_point_district_and_category(city, checklist):
    from inspections.selectors import average_scores, point_scores

    inspect(city, outcomes={"M01": Outcome.FAIL})          # 90
    inspect(city, outcomes={"M02": Outcome.FAIL})          # 95
    b_market = city.points_b[0]
    inspect(city, outcomes={}, point=b_market, by=city.hq)  # 100
    rows = {p.pk: p for p in point_scores(user=city.hq)}
    assert rows[city.points_a[0].pk].latest_score == Decimal("95")
    assert rows[city.points_a[0].pk].average_score == Decimal("92.5")
    assert rows[city.points_a[0].pk].inspection_count == 2
    districts = {row["name"]: row for row in average_scores(user=city.hq, by="district")}
    assert districts["甲区"]["average"] == Decimal("92.5") and districts["乙区"]["average"] == Decimal("100")
    # A district lead's figures are their district's only.
    assert [row["name"] for row in average_scores(user=city.district_lead, by="district")] == ["甲区"]
    since = timezone.localdate() - timedelta(days=1)
    assert average_scores(user=city.hq, by="category", start=since)[0]["inspections"] == 3
