"""The monthly comparison on a hand-built February and March whose scores and ranks are known
in advance (weights 40/20/20/10/10, at least 2 problems due to be ranked)."""

import datetime as dt
import io
import re
from fractions import Fraction

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import load_workbook

from inspections import services as inspection_services
from inspections.choices import InspectionKind, Outcome
from inspections.tests.factories import market_checklist
from reports.choices import ReportKind, ReportStatus
from reports.kinds import monthly_comparison
from reports.models import Report
from reports.periods import month_of
from reports.selectors import viewer_scope
from reports.workbook import build_workbook

from .ledger_history import applied, at, due, rejected

pytestmark = pytest.mark.django_db

MARCH = month_of(dt.date(2025, 3, 1))
FEB = dt.date(2025, 2, 3)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def formula(settings):
    settings.REPORT_COMPARISON_WEIGHTS = {"inspection_score": 40, "closure_rate": 20, "on_time_rate": 20,
                                          "rebound_rate": 10, "rejection_rate": 10}
    settings.REPORT_COMPARISON_MIN_DUE = 2


def inspected(city, when, failing=()):
    by = city.inspector
    inspection = inspection_services.inspection_start(sample_point=city.points_a[0], kind=InspectionKind.ROUTINE,
                                                      by=by)
    for item in inspection.checklist_version.items.all():
        inspection_services.inspection_record_result(
            inspection=inspection, item=item, by=by, outcome=Outcome.FAIL if item.code in failing else Outcome.PASS)
    return inspection_services.inspection_submit(inspection=inspection, by=by, at=when)


@pytest.fixture
def months(city, formula):
    """February: office A 2 of 2 on time (score 100), office B 1 of 2 (83.33): A first.
    March: office A 3 of 4 closed on time, one rejection of 4 applications, inspections 100 and
    97 (score 86.9); office B 2 of 2 on time, one of 3 found is a rebound, no inspection (score
    850/9 = 94.44): B first. The city department: one due in March, not ranked."""
    a, b = city.points_a[0], city.points_b[0]
    feb_deadline, feb_closed = dt.date(2025, 2, 10), at(dt.date(2025, 2, 8))
    for _n in range(2):
        due(city, found_on=FEB, deadline=feb_deadline, closed_at=feb_closed, point=a)
    original = due(city, found_on=FEB, deadline=feb_deadline, closed_at=feb_closed, point=b)
    due(city, found_on=FEB, deadline=feb_deadline, closed_at=at(dt.date(2025, 2, 12)), point=b)

    mar3, mar10, mar8 = dt.date(2025, 3, 3), dt.date(2025, 3, 10), at(dt.date(2025, 3, 8))
    for _n in range(3):
        due(city, found_on=mar3, deadline=mar10, closed_at=mar8, point=a)
    open_one = due(city, found_on=mar3, deadline=mar10, point=a)
    rejected(city, applied(city, open_one, at(dt.date(2025, 3, 9))), at(dt.date(2025, 3, 9), 15))
    due(city, found_on=mar3, deadline=mar10, point=a, unit=city.city_department)
    for _n in range(2):
        due(city, found_on=mar3, deadline=mar10, closed_at=mar8, point=b)
    from ledger import services

    services.problem_record_rebound(original=original, by=city.hq, found_at=at(dt.date(2025, 3, 5)),
                                    at=at(dt.date(2025, 3, 5)))
    market_checklist(city)
    inspected(city, at(dt.date(2025, 3, 20)))
    inspected(city, at(dt.date(2025, 3, 21)), failing={"M04"})  # 3 points lost; its problem is found in March


def compute(district=None):
    with translation.override("en"):
        return monthly_comparison.compute(period=MARCH, district=district, progress=lambda percent: None)


def by_id(rows):
    return {row["id"]: row for row in rows}


def test_units_are_ranked_by_the_weighted_score_with_last_months_rank_and_the_change(months, city):
    units = compute()["units"]
    assert [(row["id"], row["rank"], row["previous_rank"], row["change"]) for row in units["ranked"]] == [
        (city.office_b.pk, 1, 2, 1), (city.office_a.pk, 2, 1, -1)]
    office_a, office_b = by_id(units["ranked"])[city.office_a.pk], by_id(units["ranked"])[city.office_b.pk]
    assert Fraction(*office_a["score_exact"]) == Fraction("86.9")
    assert Fraction(*office_b["score_exact"]) == Fraction(850, 9)


def test_each_component_is_shown_with_its_numerator_and_denominator(months, city):
    office_a = by_id(compute()["units"]["ranked"])[city.office_a.pk]
    components = office_a["components"]
    assert components["inspection_score"] == {"numerator": 197.0, "denominator": 2, "value": 98.5}
    assert components["closure_rate"] == {"numerator": 3, "denominator": 4, "value": 0.75}
    assert components["on_time_rate"] == {"numerator": 3, "denominator": 4, "value": 0.75}
    assert components["rebound_rate"] == {"numerator": 0, "denominator": 5, "value": 0.0}
    assert components["rejection_rate"] == {"numerator": 1, "denominator": 4, "value": 0.25}
    assert components["accountability"] == {"numerator": 0, "denominator": 1, "value": 0}
    assert office_a["points"] == {"inspection_score": 98.5, "closure_rate": 75.0, "on_time_rate": 75.0,
                                  "rebound_rate": 100.0, "rejection_rate": 75.0, "accountability": 100.0,
                                  "pairing": None}


def test_an_indicator_without_a_denominator_is_left_out_of_the_score_not_counted_as_zero(months, city):
    office_b = by_id(compute()["units"]["ranked"])[city.office_b.pk]
    assert office_b["components"]["inspection_score"]["value"] is None
    assert office_b["points"]["inspection_score"] is None
    assert office_b["score"] == pytest.approx(94.444444, abs=1e-6)


def test_a_place_below_the_minimum_due_is_listed_unranked_with_the_reason(months, city):
    unranked = compute()["units"]["unranked"]
    assert [(row["id"], row["due"], row["reason"], row["rank"]) for row in unranked] == [
        (city.city_department.pk, 1, "few_due", None)]


def test_districts_are_ranked_the_same_way(months, city):
    districts = compute()["districts"]
    # District A: office A and the department: 3 of 5 closed on time, 6 found (one by the inspection).
    district_a = by_id(districts["ranked"])[city.district_a.pk]
    assert district_a["components"]["on_time_rate"]["denominator"] == 5
    assert district_a["components"]["rebound_rate"] == {"numerator": 0, "denominator": 6, "value": 0.0}
    assert Fraction(*district_a["score_exact"]) == Fraction("80.9")
    # February had no inspection anywhere: no district was assessed then.
    assert [(row["id"], row["rank"], row["previous_rank"]) for row in districts["ranked"]] == [
        (city.district_a.pk, 1, None)]


def test_a_district_with_no_inspections_is_not_assessed_rather_than_ranked_first(months, city):
    """District B had no inspection in March: on its ledger figures alone (score 94.44) it would
    rank above district A (80.9), which was inspected. The published rule lists it unranked."""
    districts = compute()["districts"]
    district_b = by_id(districts["unranked"])[city.district_b.pk]
    assert (district_b["rank"], district_b["reason"], district_b["inspections"]) == (None, "no_inspections", 0)
    assert district_b["score"] == pytest.approx(850 / 9)
    with translation.override("en"):
        assert monthly_comparison.reason_text(district_b, 2) == "not assessed: no inspections in the month"
        assert "not ranked (not assessed: no inspections)" in compute()["formula"]["text"]


def test_the_no_inspection_rule_holds_only_while_inspections_carry_a_weight(months, city, settings):
    settings.REPORT_COMPARISON_WEIGHTS = {**settings.REPORT_COMPARISON_WEIGHTS, "inspection_score": 0}
    districts = compute()["districts"]
    assert [row["id"] for row in districts["ranked"]] == [city.district_b.pk, city.district_a.pk]
    assert "no inspections" not in compute()["formula"]["text"]


def test_accountability_changes_the_score_only_when_it_has_a_weight(months, city, settings):
    from accountability.tests.factories import decided_record

    before = compute()
    record = decided_record(city, unit=city.office_b)
    type(record).objects.filter(pk=record.pk).update(decided_on=dt.date(2025, 3, 15))
    after = compute()
    office_b = by_id(after["units"]["ranked"])[city.office_b.pk]
    assert office_b["components"]["accountability"]["value"] == 1
    assert office_b["points"]["accountability"] == 90.0
    # Weight 0 (the default): the score and the ranks are exactly as before.
    assert [(r["id"], r["score_exact"], r["rank"]) for r in after["units"]["ranked"]] == [
        (r["id"], r["score_exact"], r["rank"]) for r in before["units"]["ranked"]]
    settings.REPORT_COMPARISON_WEIGHTS = {**settings.REPORT_COMPARISON_WEIGHTS, "accountability": 10}
    weighted = by_id(compute()["units"]["ranked"])[city.office_b.pk]
    # Office B has no inspection: 850/9 over the weights 60 of its four rates, then with 10 × 90 over 70.
    assert Fraction(*weighted["score_exact"]) == (Fraction(850, 9) * 60 + 10 * 90) / 70
    assert "Accountability records 10" in compute()["formula"]["text"]


def test_a_record_revoked_within_the_month_does_not_count(months, city, settings):
    from accountability import services
    from accountability.tests.factories import decided_record

    record = decided_record(city, unit=city.office_b)
    type(record).objects.filter(pk=record.pk).update(decided_on=dt.date(2025, 3, 15))
    services.accountability_record_revoke(record=record, by=city.hq, reason="撤销")
    type(record).objects.filter(pk=record.pk).update(revoked_at=at(dt.date(2025, 3, 20)))
    office_b = by_id(compute()["units"]["ranked"])[city.office_b.pk]
    assert office_b["components"]["accountability"]["value"] == 0


def test_the_weights_come_from_the_settings_and_are_published_with_the_report(months, city, settings):
    settings.REPORT_COMPARISON_WEIGHTS = {"inspection_score": 1, "closure_rate": 0, "on_time_rate": 0,
                                          "rebound_rate": 0, "rejection_rate": 0}
    data = compute()
    assert data["formula"]["weights"]["inspection_score"] == 1
    assert "Inspection score average 1" in data["formula"]["text"]
    # Only office A has an inspection: office B has no weighted indicator and is not ranked.
    assert [row["id"] for row in data["units"]["ranked"]] == [city.office_a.pk]
    assert {row["id"]: row["reason"] for row in data["units"]["unranked"]}[city.office_b.pk] == "no_figures"


def test_equal_scores_share_a_rank():
    rows = [{"id": n, "name": name, "due": 5, "_score": Fraction(score)}
            for n, name, score in ((1, "c", 90), (2, "a", 95), (3, "b", 90), (4, "d", 80))]
    ranked, unranked = monthly_comparison.rank(rows, min_due=1)
    assert [(row["name"], row["rank"]) for row in ranked] == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]
    assert unranked == []


def test_a_district_report_ranks_the_units_of_that_district(months, city):
    data = compute(district=city.district_a)
    assert [row["id"] for row in data["districts"]["ranked"]] == [city.district_a.pk]
    assert [row["id"] for row in data["units"]["ranked"]] == [city.office_a.pk]
    assert [row["id"] for row in data["units"]["unranked"]] == [city.city_department.pk]


def test_a_new_place_on_the_ranking_has_no_previous_rank(city, formula):
    for _n in range(2):
        due(city, found_on=dt.date(2025, 3, 3), deadline=dt.date(2025, 3, 10), point=city.points_b[0])
    row = compute()["units"]["ranked"][0]
    assert (row["id"], row["rank"], row["previous_rank"], row["change"]) == (city.office_b.pk, 1, None, None)


# --- Outputs -----------------------------------------------------------------------------------------


def comparison_report(data):
    return Report.objects.create(kind=ReportKind.MONTHLY_COMPARISON, period_start=MARCH.start, period_end=MARCH.end,
                                 status=ReportStatus.DONE, data=data, finished_at=timezone.now())


def render(report, user):
    with translation.override("en"):
        return render_to_string(monthly_comparison.TEMPLATE, {
            "report": report, "data": report.data, "viewer_scope": viewer_scope(user)})


def test_the_page_shows_ranks_components_changes_and_the_unranked(months, city):
    page = render(comparison_report(compute()), city.hq)
    assert "▲1" in page and "▼1" in page
    assert "94.44" in page and "86.90" in page
    assert "75.0 %" in page and "3/4" in page
    assert "1 problems due; at least 2 needed to be ranked" in page
    assert re.search(r"District B:\s+not assessed: no inspections in the month", page)
    assert 'data-test="no-inspection-rule"' in page
    assert "Accountability records" not in page  # weight 0: no column
    assert 'class="report-mine"' not in page


def test_a_unit_handler_sees_the_whole_ranking_with_their_own_row_marked(months, city):
    page = render(comparison_report(compute()), city.unit_handler)  # office A
    assert "乙街道办" in page
    assert f'class="report-mine" data-row="{city.office_a.pk}"' in page


def test_the_workbook_has_ranked_sheets_with_charts_the_unranked_and_the_formula(months, city):
    workbook = load_workbook(io.BytesIO(build_workbook(comparison_report(compute()), language="en")))
    units = workbook["Units"]
    assert units.freeze_panes == "A4"
    assert [units["A4"].value, units["B4"].value, units["I4"].value, units["J4"].value] == [1, "乙街道办", 2, 1]
    assert units["D5"].value == 0.75 and units["D5"].number_format == "0.0%"
    assert len(units._charts) == 1 and len(workbook["Districts"]._charts) == 1
    assert [workbook["Not ranked"][cell].value for cell in ("B4", "D4", "B5")] == [
        "乙区", "not assessed: no inspections in the month", "市城管局"]
    assert "Weighted score" in workbook["Formula"]["A10"].value


def test_the_api_carries_the_same_rule_and_reason(months, city, client):
    report = comparison_report(compute())
    client.force_login(city.hq)
    data = client.get(f"/api/reports/{report.pk}/").json()["data"]
    assert [(row["id"], row["reason"]) for row in data["districts"]["unranked"]] == [
        (city.district_b.pk, "no_inspections")]
    assert data["formula"]["districts_need_inspections"] is True


# --- Grid and road chiefs ----------------------------------------------------------------------------


@pytest.fixture
def late_on_road(city, months):
    """One more March problem, at A's restaurant (on road A): due 10 March, closed on the 12th."""
    return due(city, found_on=dt.date(2025, 3, 3), deadline=dt.date(2025, 3, 10),
               closed_at=at(dt.date(2025, 3, 12)), point=city.points_a[1])


def test_each_grid_and_road_chief_has_found_due_on_time_and_overdue(late_on_road, city):
    """Counted by hand from the fixture: grid A holds every problem at A's market. March: 6 found
    (3 closed on time, the one rejected, the department's, the inspection's), 5 due, 3 of them
    closed on time, 2 overdue at the end (the rejected one and the department's), 3 still open.
    Road A: the late one, due and closed after its deadline. Grid B and road B: nothing."""
    data = compute()
    grids, roads = by_id(data["grids"]), by_id(data["roads"])
    grid_a = grids[city.grid_a.pk]
    assert {name: grid_a[name] for name in ("found", "due", "closed_on_time", "overdue", "carried_over")} == {
        "found": 6, "due": 5, "closed_on_time": 3, "overdue": 2, "carried_over": 3}
    assert grid_a["on_time_rate"] == {"numerator": 3, "denominator": 5, "value": 0.6}
    assert (grid_a["chief_name"], grid_a["chiefs"]) == ("张网格长", ["grid_chief"])
    road_a = roads[city.road_a.pk]
    assert (road_a["found"], road_a["due"], road_a["closed_on_time"], road_a["overdue"]) == (1, 1, 0, 0)
    assert road_a["on_time_rate"]["value"] == 0.0
    assert road_a["chiefs"] == ["road_chief"]
    for empty in (grids[city.grid_b.pk], roads[city.road_b.pk]):
        assert (empty["found"], empty["due"], empty["overdue"], empty["on_time_rate"]["value"]) == (0, 0, 0, None)
    # A district's report lists its own cells only.
    assert [row["id"] for row in compute(district=city.district_b)["grids"]] == [city.grid_b.pk]


def test_the_chiefs_tables_are_on_the_page_in_the_workbook_and_in_the_api(late_on_road, city):
    from ledger.tests.api_support import client_for

    report = comparison_report(compute())
    page = render(report, city.hq)
    assert "Grid chiefs" in page and "Road chiefs" in page
    assert f'data-row="{city.grid_a.pk}"' in page and "张网格长" in page and "60.0 %" in page and "3/5" in page
    workbook = load_workbook(io.BytesIO(build_workbook(report, language="en")))
    sheet = workbook["Grid chiefs"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["甲一网格"] == ("District A", "甲一网格", "张网格长、grid_chief", 6, 5, 3, 0.6, 2)
    assert rows["乙一网格"][3:] == (0, 0, 0, None, 0)
    assert workbook["Road chiefs"]["G4"].value == 0.0
    answer = client_for(city.hq).get(f"/api/reports/{report.pk}/").json()
    assert by_id(answer["data"]["grids"])[city.grid_a.pk]["overdue"] == 2


def test_a_report_made_before_the_chiefs_tables_still_shows(months, city):
    data = compute()
    del data["grids"], data["roads"]
    report = comparison_report(data)
    assert "Grid chiefs" not in render(report, city.hq)
    assert "Grid chiefs" not in load_workbook(io.BytesIO(build_workbook(report, language="en"))).sheetnames
