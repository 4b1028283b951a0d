"""The quarterly appraisal: the monthly comparison's formula applied to a quarter (the hand-built
February and March of test_monthly_comparison, in the first quarter of 2025), beside last
quarter's rank, with the quarter's appraisal and cross-inspection rounds."""

import datetime as dt
import io
from fractions import Fraction

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import load_workbook

from campaign.choices import Role
from campaign.tests.factories import make_user
from programme.services import cycle
from reports.kinds import monthly_comparison, quarterly_appraisal
from reports.models import Report
from reports.periods import quarter_of
from reports.selectors import viewer_scope
from reports.workbook import build_workbook

from .test_monthly_comparison import formula, media, months  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

Q1 = quarter_of(dt.date(2025, 2, 1))


def compute(district=None):
    with translation.override("en"):
        return quarterly_appraisal.compute(period=Q1, district=district, progress=lambda percent: None)


def by_id(rows):
    return {row["id"]: row for row in rows}


@pytest.mark.usefixtures("months")
def test_the_quarter_counts_both_months_and_ranks_by_the_monthly_formula(city):
    data = compute()
    assert data["period"] == {"start": "2025-01-01", "end": "2025-03-31", "label": "2025-Q1"}
    assert data["previous_period"]["label"] == "2024-Q4"
    units = by_id(data["units"]["ranked"])
    # February and March together: office B 1 of 2 then 2 of 2 closed on time, office A 2 of 2 then 3 of 4.
    assert units[city.office_b.pk]["components"]["on_time_rate"] == {"numerator": 3, "denominator": 4,
                                                                     "value": 0.75}
    assert units[city.office_a.pk]["components"]["on_time_rate"] == {"numerator": 5, "denominator": 6,
                                                                     "value": pytest.approx(5 / 6)}
    assert units[city.office_a.pk]["components"]["rejection_rate"]["denominator"] == 6
    # The ranks and scores are the monthly formula's on the quarter's figures, nothing else.
    weights = data["formula"]["weights"]
    for group, key in (("unit", "units"), ("district", "districts")):
        expected, _unranked = monthly_comparison.rank(
            monthly_comparison.standings(period=Q1, weights=weights)[group], min_due=data["formula"]["min_due"],
            need_inspections=group == "district")
        assert [(row["id"], row["rank"], row["score_exact"]) for row in data[key]["ranked"]] == [
            (row["id"], row["rank"], row["score_exact"]) for row in expected]
    for row in data["units"]["ranked"]:
        _points, score = monthly_comparison.weighted_score(
            {name: row["components"][name] for name in monthly_comparison.COMPONENTS}, weights)
        assert Fraction(*row["score_exact"]) == score
    # Office A on time 5/6, rejections 1/6, inspections 98.5: it is first over the quarter
    # although office B was first in March.
    assert [row["id"] for row in data["units"]["ranked"]] == [city.office_a.pk, city.office_b.pk]
    assert all(row["previous_rank"] is None for row in data["units"]["ranked"])  # nothing in 2024-Q4
    assert "due in the quarter" in data["formula"]["text"]


@pytest.mark.usefixtures("months")
def test_the_quarters_appraisal_rounds_say_who_inspected_whom(city):
    make_user("inspector_b", Role.INSPECTOR, district=city.district_b)
    cycle.cross_round_create(name="一季度互查", starts_on=dt.date(2025, 3, 3), ends_on=dt.date(2025, 3, 14),
                             quotas={city.market: 2}, by=city.hq, seed=1)
    rounds = compute()["rounds"]
    assert [(row["name"], row["points"], row["done"], row["cross_inspection"]) for row in rounds] == [
        ("一季度互查", 2, 0, True)]
    assert {(pair["inspecting"], pair["inspected"]) for pair in rounds[0]["pairs"]} == {("甲区", "乙区"),
                                                                                     ("乙区", "甲区")}


@pytest.mark.usefixtures("months")
def test_a_districts_appraisal_counts_only_its_points_of_a_city_round_and_its_own_pairs(city):
    from campaign.models import District, SamplePoint
    from campaign.tests.factories import make_sample_point
    from inspections.selectors import round_cross_pairs

    district_c = District.objects.create(code="C", name="丙区", name_en="District C")
    make_sample_point(district=district_c, category=city.market, unit=city.office_b, name="丙农贸市场")
    make_user("inspector_b", Role.INSPECTOR, district=city.district_b)
    make_user("inspector_c", Role.INSPECTOR, district=district_c)
    markets = SamplePoint.objects.filter(category=city.market).count()
    cross = cycle.cross_round_create(name="一季度互查", starts_on=dt.date(2025, 3, 3), ends_on=dt.date(2025, 3, 14),
                                     quotas={city.market: markets}, by=city.hq, seed=1)
    everything = round_cross_pairs(inspection_round=cross)
    assert compute()["rounds"][0]["points"] == markets
    for district in (city.district_a, district_c):
        (row,) = compute(district)["rounds"]
        assert row["points"] == cross.points.filter(sample_point__district=district).count() < markets
        assert {(pair["inspecting_id"], pair["inspected_id"]) for pair in row["pairs"]} == {
            (pair["inspecting_id"], pair["inspected_id"]) for pair in everything
            if district.pk in (pair["inspecting_id"], pair["inspected_id"])}
        assert len(row["pairs"]) == 2 < len(everything)  # B inspecting C is not A's business


def appraisal_report(data):
    return Report(kind=quarterly_appraisal.KIND, period_start=Q1.start, period_end=Q1.end, data=data, version=1)


@pytest.mark.usefixtures("months")
def test_the_page_and_the_workbook_speak_of_the_quarter(city):
    report = appraisal_report(compute())
    with translation.override("en"):
        page = render_to_string(quarterly_appraisal.TEMPLATE, {
            "report": report, "data": report.data, "viewer_scope": viewer_scope(city.hq)})
    assert "Last quarter" in page and "Last month" not in page
    assert "due in the quarter" in page
    workbook = load_workbook(io.BytesIO(build_workbook(report, language="en")))
    assert {"Districts", "Units", "Not ranked", "Appraisal rounds", "Formula"} <= set(workbook.sheetnames)
    assert "Last quarter's rank" in [cell.value for cell in workbook["Units"][3]]
    assert workbook["Units"]["B4"].value == "甲街道办"


@pytest.mark.usefixtures("months")
def test_the_engine_makes_the_appraisal_of_the_quarter_holding_any_day(city, monkeypatch):
    from reports import services
    from reports.choices import ReportStatus
    from reports.kinds import get_kind, kinds_of_period

    monkeypatch.setattr(services, "report_send", lambda **kwargs: True)
    assert get_kind("quarterly_appraisal").period == "quarter"
    assert kinds_of_period("quarter") == ("quarterly_appraisal",)
    report = services.report_request(kind="quarterly_appraisal", period_start=dt.date(2025, 2, 14),
                                     requested_by=city.hq)
    assert (report.period_start, report.period_end) == (Q1.start, Q1.end)
    report = services.report_run(report_id=report.pk)
    assert report.status == ReportStatus.DONE, report.failure
    assert report.period.label == "2025-Q1"
    expected = compute()
    for key in ("districts", "units"):
        assert [(r["id"], r["rank"], r["score_exact"]) for r in report.data[key]["ranked"]] == [
            (r["id"], r["rank"], r["score_exact"]) for r in expected[key]["ranked"]]
    again = services.report_request(kind="quarterly_appraisal", period_start=dt.date(2025, 3, 31),
                                    requested_by=city.hq)
    assert again.version == 2 and again.period_start == Q1.start  # a new version of the same quarter
