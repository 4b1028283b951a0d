"""The weekly assignment report: its four sections on the hand-built week, its workbook and its page."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from ledger import services
from ledger.models import Problem
from ledger.sheets import assignment_sheet_issue
from ledger.tests.factories import record
from reports.choices import ReportKind
from reports.kinds import kind_module, weekly_assignment
from reports.models import Report, WeeklyTask
from reports.periods import week_of
from reports.selectors import row_in_scope
from reports.tests.weeks import WEEK, build_week

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def week(city):
    built = build_week(city)
    WeeklyTask.objects.create(week_start=WEEK.end + dt.timedelta(days=1), text="全面清理农贸市场周边垃圾",
                              unit=city.office_a, created_by=city.hq)
    WeeklyTask.objects.create(week_start=WEEK.end + dt.timedelta(days=1), text="各单位报送整改台账",
                              created_by=city.hq)
    WeeklyTask.objects.create(week_start=WEEK.start, text="上周的任务", created_by=city.hq)
    return built


def report_of(data, period=WEEK) -> Report:
    return Report(kind=ReportKind.WEEKLY_ASSIGNMENT, period_start=period.start, period_end=period.end, data=data)


def test_the_kind_registry_finds_the_module():
    assert kind_module(ReportKind.WEEKLY_ASSIGNMENT) is weekly_assignment


def test_progress_carries_the_published_figures_and_the_data_is_json(week):
    reported = []
    data = weekly_assignment.compute(period=WEEK, district=None, progress=reported.append)

    assert json.loads(json.dumps(data)) == data
    city = data["progress"]["city"]
    assert (city["found"], city["assigned"], city["closed"], city["rejected"]) == (3, 1, 2, 2)
    assert (city["due"], city["overdue"], city["carried_over"]) == (4, 2, 5)
    assert city["closure_rate"]["value"] == 0.5 and city["on_time_rate"]["value"] == 0.25
    assert reported == sorted(reported) and reported[-1] < 100


def test_earlier_matters_are_those_assigned_before_the_week_and_open_at_its_end(city, week):
    earlier = weekly_assignment.compute(period=WEEK)["earlier"]

    assert (earlier["total"], earlier["overdue"], earlier["rejected"]) == (2, 2, 1)
    by_code = {item["code"]: item for item in earlier["list"]}
    rejected = by_code[week["p3"].code]
    assert rejected["rejections"] == 2 and rejected["last_rejection"] == "未整改到位"
    assert rejected["days_overdue"] == 3  # deadline Friday, still open on Sunday night
    assert rejected["status"] == "rectifying" and rejected["assigned_on"] == "2025-03-03"
    # Marked invalid only after the week: open and four days overdue at its end.
    invalid_later = [item for code, item in by_code.items() if code != week["p3"].code][0]
    assert invalid_later["days_overdue"] == 4 and invalid_later["status"] == "assigned"
    assert week["p6"].code not in by_code  # assigned during the week
    assert [item["deadline"] for item in earlier["list"]] == sorted(item["deadline"] for item in earlier["list"])


def test_this_weeks_tasks_list_what_falls_due_per_unit_and_hqs_tasks(city, week):
    coming = weekly_assignment.compute(period=WEEK)["coming"]

    assert (coming["start"], coming["end"]) == ("2025-03-17", "2025-03-23")
    assert coming["total"] == 1
    assert coming["units"] == [{"unit_id": city.office_b.pk, "name": "乙街道办", "name_en": "",
                                "district_id": city.district_b.pk, "team_ids": [], "due": 1}]
    assert [item["code"] for item in coming["list"]] == [week["p6"].code]
    assert [task["text"] for task in coming["tasks"]] == ["全面清理农贸市场周边垃圾", "各单位报送整改台账"]
    assert coming["tasks"][0]["team_ids"] == [city.team.pk]


def test_a_district_report_keeps_to_its_district(city, week):
    data = weekly_assignment.compute(period=WEEK, district=city.district_b)
    assert data["district_id"] == city.district_b.pk
    assert data["progress"]["city"]["found"] == 1
    assert data["earlier"]["total"] == 0
    assert data["coming"]["total"] == 1
    assert [task["text"] for task in data["coming"]["tasks"]] == ["各单位报送整改台账"]


def this_weeks_sheet(city):
    """A sheet issued now (sheets take the moment they are issued) with two of A's problems."""
    problems = []
    for description in ("垃圾桶满溢", "明沟积水"):
        problem = record(city, description=description)
        problems.append(services.problem_assign(problem=problem, unit=city.office_a, by=city.hq,
                                                deadline=timezone.localdate() + dt.timedelta(days=5)))
    return assignment_sheet_issue(unit=city.office_a, problems=problems, by=city.hq, note="限期整改"), problems


def test_the_weeks_assignment_sheets_are_listed_with_their_problems_and_deadlines(city):
    sheet, problems = this_weeks_sheet(city)
    this_week = week_of(timezone.localdate())

    sheets = weekly_assignment.compute(period=this_week)["sheets"]

    assert (sheets["total_sheets"], sheets["total_items"]) == (1, 2)
    (listed,) = sheets["list"]
    assert listed["number"] == sheet.number and listed["unit_id"] == city.office_a.pk
    assert listed["district_id"] == city.district_a.pk and listed["note"] == "限期整改"
    assert [item["code"] for item in listed["items"]] == [p.code for p in sorted(problems, key=lambda p: p.code)]
    assert all(item["deadline"] == problems[0].deadline.isoformat() and not item["closed"]
               for item in listed["items"])
    assert weekly_assignment.compute(period=week_of(timezone.localdate() - dt.timedelta(days=7)))[
        "sheets"]["total_sheets"] == 0
    assert weekly_assignment.compute(period=this_week, district=city.district_b)["sheets"]["list"] == []


def test_the_workbook_has_a_sheet_per_section_with_native_charts(city, week):
    data = weekly_assignment.compute(period=WEEK)
    workbook = Workbook()
    with translation.override("en"):
        weekly_assignment.write_workbook(workbook=workbook, report=report_of(data))
    buffer = io.BytesIO()
    workbook.save(buffer)

    names = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).namelist()
    assert len([name for name in names if name.startswith("xl/charts/chart")]) == 4
    loaded = load_workbook(io.BytesIO(buffer.getvalue()))
    assert loaded.sheetnames[1:] == ["Progress by district", "Progress by team", "Progress by unit",
                                     "Public reports", "Assignment sheets", "Earlier matters", "Due this week",
                                     "Due this week, listed", "This week's tasks"]
    districts = loaded["Progress by district"]
    assert districts.freeze_panes == "A4"
    header = [cell.value for cell in districts[3]]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in districts.iter_rows(min_row=4, values_only=True)}
    assert rows["甲区"]["Carried over"] == 4 and rows["乙区"]["Found"] == 1
    assert rows["Total"]["Closure rate"] == 0.5
    earlier = loaded["Earlier matters"]
    assert earlier.max_row == 3 + 2
    tasks = [row[1] for row in loaded["This week's tasks"].iter_rows(min_row=4, values_only=True)]
    assert tasks == ["全面清理农贸市场周边垃圾", "各单位报送整改台账"]


def render(data, scope):
    with translation.override("en"):
        return render_to_string(weekly_assignment.TEMPLATE, {"report": report_of(data), "data": data,
                                                             "viewer_scope": scope})


def test_the_page_shows_every_section_and_narrows_the_lists_to_the_viewers_scope(city, week):
    data = weekly_assignment.compute(period=WEEK)
    p3, p6 = week["p3"].code, week["p6"].code

    whole = render(data, None)
    assert "1. Progress" in whole and "4. This week" in whole
    assert p3 in whole and p6 in whole and "全面清理农贸市场周边垃圾" in whole
    assert "50.0 %" in whole and "25.0 %" in whole

    district_b = render(data, {"district_id": city.district_b.pk, "team_id": None, "unit_id": None})
    assert p6 in district_b and p3 not in district_b
    assert "District A" in district_b  # the progress tables stay city-wide

    office_a = render(data, {"unit_id": city.office_a.pk, "district_id": city.district_a.pk, "team_id": None})
    assert p3 in office_a and p6 not in office_a
    assert "全面清理农贸市场周边垃圾" in office_a

    team = render(data, {"team_id": city.team.pk, "district_id": None, "unit_id": None})
    assert p3 in team and p6 not in team


def test_an_empty_week_renders_and_writes_without_rates(city):
    data = weekly_assignment.compute(period=week_of(dt.date(2024, 1, 3)))
    assert data["progress"]["city"]["closure_rate"]["value"] is None
    assert "—" in render(data, None)
    workbook = Workbook()
    weekly_assignment.write_workbook(workbook=workbook, report=report_of(data))


def test_the_cover_and_the_page_print_the_ledger_fingerprint_of_the_weeks_end(city, week, settings, tmp_path):
    """The digest of the fingerprint taken the night after the week ended (not a later one)."""
    from ledger.fingerprints import fingerprint_take
    from reports.workbook import build_workbook

    settings.LEDGER_FINGERPRINT_DIR = tmp_path / "fingerprints"
    monday = timezone.make_aware(dt.datetime.combine(WEEK.end + dt.timedelta(days=1), dt.time(0, 15)))
    taken = fingerprint_take(now=monday)
    fingerprint_take(now=monday + dt.timedelta(days=1))
    data = weekly_assignment.compute(period=WEEK)
    assert data["ledger_fingerprint"] == {"day": "2025-03-17", "digest": taken.digest, "problems": taken.problems}

    report = report_of(data)
    report.finished_at = timezone.now()
    cover = load_workbook(io.BytesIO(build_workbook(report, language="en")))["Cover"]
    values = [cell for row in cover.iter_rows(values_only=True) for cell in row if cell]
    assert "Ledger fingerprint" in values and taken.digest in values
    assert f"{taken.problems} problems" in " ".join(map(str, values))
    assert taken.digest in render(data, None)


# --- The same narrowing over the API and in the download ------------------------------------------


def saved_report(data) -> Report:
    from django.core.files.base import ContentFile

    from reports.choices import ReportStatus
    from reports.workbook import build_workbook

    report = report_of(data)
    report.status, report.finished_at = ReportStatus.DONE, timezone.now()
    report.save()
    report.workbook.save("weekly.xlsx", ContentFile(build_workbook(report, language="en")))
    return report


def all_codes(data) -> set[str]:
    return ({item["code"] for sheet in data["sheets"]["list"] for item in sheet["items"]}
            | {item["code"] for item in data["earlier"]["list"]} | {item["code"] for item in data["coming"]["list"]})


def test_the_api_gives_a_district_lead_only_their_districts_lists_of_a_city_wide_report(city, week):
    from django.urls import reverse

    from ledger.tests.api_support import client_for

    report = saved_report(weekly_assignment.compute(period=WEEK))
    url = reverse("report-detail", args=[report.pk])
    whole = client_for(city.hq).get(url).json()["data"]
    assert {week["p3"].code, week["p6"].code} <= all_codes(whole)
    narrowed = client_for(city.other_district_lead).get(url).json()["data"]  # district B
    assert week["p6"].code in all_codes(narrowed) and week["p3"].code not in all_codes(narrowed)
    assert narrowed["progress"] == whole["progress"]  # the figures stay city-wide


@pytest.mark.parametrize("via", ["page", "api"])
def test_the_download_gives_a_district_lead_only_their_districts_lists(city, week, login, via):
    from django.urls import reverse

    from ledger.tests.api_support import client_for

    report = saved_report(weekly_assignment.compute(period=WEEK))

    def cells(user) -> set:
        if via == "page":
            response = login(user).get(reverse("reports:report_download", args=[report.pk]))
        else:
            response = client_for(user).get(reverse("report-download", args=[report.pk]) + "?format=xlsx")
        assert response.status_code == 200
        loaded = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return {cell for ws in loaded.worksheets for row in ws.iter_rows(values_only=True) for cell in row}

    assert {week["p3"].code, week["p6"].code} <= cells(city.hq)
    district_b = cells(city.other_district_lead)
    assert week["p6"].code in district_b and week["p3"].code not in district_b


def test_a_team_lead_reads_the_unit_row_of_a_unit_owing_the_teams_problem(city, week):
    """Street offices serve no team, yet answer for teams' problems: the unit row of what falls
    due carries the teams of its problems, as the list rows do, and no more."""
    Problem.objects.filter(pk=week["p6"].pk).update(team=city.team)

    coming = weekly_assignment.compute(period=WEEK)["coming"]

    assert [(row["unit_id"], row["team_ids"]) for row in coming["units"]] == [(city.office_b.pk, [city.team.pk])]
    assert row_in_scope(coming["units"][0], {"team_id": city.team.pk})
    assert not row_in_scope(coming["units"][0], {"team_id": city.team.pk + 1000})
