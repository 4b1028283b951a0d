"""Right to the last problem: every figure of the weekly assignment report, of the weekly exposure
(its worst-problem lists, the red and black lists) and of the monthly comparison (each component,
score, rank, last month's rank, the unranked with their reasons) equals an independent
recomputation with pandas (reports/tests/recompute.py, recompute_rankings.py) from the exported
ledger, its history and the submitted inspections, week after week and month after month, on the
demo city and on the Los Angeles 311 ledger, city-wide and per district.

Each class builds its ledger once (through the ledger's services) for all three kinds: building
the demo or importing the 311 requests is most of the time these tests take. It exports the
ledger the way a person would (the template in Chinese, the history CSV) and compares every
week and month it spans. The exposure's and the comparison's checks are in rankings_checks.py.
"""

import datetime as dt
import io
import os
import shutil
import tempfile
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone, translation

from campaign.choices import Role
from campaign.models import District, Unit, User
from ledger import services
from ledger.choices import Status
from ledger.models import AssignmentSheet, Problem
from ledger.sheets import assignment_sheet_issue
from ledger.transfer import la311
from ledger.transfer.export import write_history, write_ledger
from reports.figures import COUNTS, RATES
from reports.kinds import weekly_assignment, weekly_exposure
from reports.models import WeeklyTask
from reports.periods import Period, month_of, week_of
from reports.tests import recompute, recompute_rankings
from reports.tests.rankings_checks import RULES, RankingsRecomputeMixin, export_inspections

MEDIA_ROOT = tempfile.mkdtemp(prefix="recompute-media-")


def export(problems=None) -> recompute.Ledger:
    problems = Problem.objects.all() if problems is None else problems
    workbook, history = io.BytesIO(), StringIO()
    with translation.override("zh-hans"):
        write_ledger(problems, workbook, language="zh-hans")
    write_history(problems, history)
    return recompute.load_ledger(workbook.getvalue(), history.getvalue())


class RecomputeMixin:
    ledger: recompute.Ledger

    @classmethod
    def export_for_recomputation(cls):
        """The ledger and the submitted inspections, exported the way a person would."""
        cls.ledger = export()
        cls.inspections = recompute_rankings.load_inspections(export_inspections())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)

    def assertFiguresEqual(self, reported: dict, recomputed: dict, where: str):
        for name in COUNTS:
            self.assertEqual(reported[name], recomputed[name], f"{where}: {name}")
        for name in RATES:
            rate = reported[name]
            self.assertEqual((rate["numerator"], rate["denominator"]), recomputed[name], f"{where}: {name}")
            if rate["denominator"]:
                self.assertAlmostEqual(rate["value"], rate["numerator"] / rate["denominator"])
            else:
                self.assertIsNone(rate["value"], f"{where}: {name} without a denominator")

    def assertWeekMatches(self, period: Period, district: District | None = None):
        data = weekly_assignment.compute(period=period, district=district)
        name = district.name if district else None
        label = f"{period.label} {name or 'city'}"
        start, end = period.start, period.end

        expected = recompute.progress(self.ledger, start, end, district=name)
        self.assertFiguresEqual(data["progress"]["city"], expected["city"], label)
        for key in ("districts", "units", "teams"):
            rows = {row["name"]: row for row in data["progress"][key]}
            self.assertEqual(set(rows), set(expected[key]), f"{label} {key}")
            for row_name, row in rows.items():
                self.assertFiguresEqual(row, expected[key][row_name], f"{label} {key} {row_name}")

        earlier = recompute.earlier_matters(self.ledger, start, end, district=name)
        reported = data["earlier"]
        self.assertEqual((reported["total"], reported["overdue"], reported["rejected"]),
                         (earlier["total"], earlier["overdue"], earlier["rejected"]), f"{label} earlier")
        if reported["total"] <= weekly_assignment.LIST_LIMIT:
            listed = {item["code"]: item for item in reported["list"]}
            self.assertEqual(set(listed), earlier["codes"], f"{label} earlier list")
            self.assertEqual({c for c, item in listed.items() if item["overdue"]}, earlier["overdue_codes"])
            self.assertEqual({c: item["rejections"] for c, item in listed.items()}, earlier["rejections"])
            self.assertEqual({c: item["days_overdue"] for c, item in listed.items() if item["overdue"]},
                             earlier["days_overdue"])

        coming = recompute.coming_week(self.ledger, start, end, district=name)
        self.assertEqual(data["coming"]["total"], coming["total"], f"{label} coming")
        self.assertEqual({row["name"]: row["due"] for row in data["coming"]["units"]}, coming["units"])
        if coming["total"] <= weekly_assignment.LIST_LIMIT:
            self.assertEqual({item["code"] for item in data["coming"]["list"]}, coming["codes"])

        sheets = recompute.sheets(self.ledger, start, end, district=name)
        self.assertEqual({sheet["number"]: {item["code"] for item in sheet["items"]}
                          for sheet in data["sheets"]["list"]}, sheets, f"{label} sheets")
        self.assertEqual(data["sheets"]["total_sheets"], len(sheets))
        return data


@override_settings(MEDIA_ROOT=MEDIA_ROOT, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], **RULES)
class DemoRecomputeTests(RecomputeMixin, RankingsRecomputeMixin, TestCase):
    """Twelve weeks of demo ledger and its inspections (seed_demo) plus this week's assignment sheets."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())
        hq = User.objects.get(username="hq")
        # This week's sheets: HQ lists the assigned problems not yet on a sheet, unit by unit
        # (the demo issued the earlier weeks' sheets on their Mondays).
        open_assigned = (Problem.objects.filter(status__in=(Status.ASSIGNED, Status.RECTIFYING))
                         .exclude(responsible_unit=None).exclude(sheet_items__isnull=False)
                         .order_by("responsible_unit_id", "code"))
        by_unit: dict[int, list[Problem]] = {}
        for problem in open_assigned:
            by_unit.setdefault(problem.responsible_unit_id, []).append(problem)
        for unit_id, problems in list(by_unit.items())[:3]:
            assignment_sheet_issue(unit=Unit.objects.get(pk=unit_id), problems=problems[:4], by=hq)
        today = timezone.localdate()
        cls.sheet_count = AssignmentSheet.objects.filter(issued_at__gte=week_of(today).starts_at).count()
        WeeklyTask.objects.create(week_start=week_of(today).start, text="迎检前全面清理背街小巷", created_by=hq)
        cls.today = today
        cls.export_for_recomputation()

    def weeks(self, count: int):
        this_week = week_of(self.today)
        return [week_of(this_week.start - dt.timedelta(days=7 * n)) for n in range(count)]

    def months(self, count: int):
        month = month_of(self.today)
        result = [month]
        for _n in range(count - 1):
            result.append(result[-1].previous())
        return result

    # --- The weekly assignment -------------------------------------------------------------------

    def test_every_figure_matches_the_recomputation_for_thirteen_weeks(self):
        busy = 0
        for period in self.weeks(13):
            data = self.assertWeekMatches(period)
            busy += data["progress"]["city"]["found"] > 0 and data["progress"]["city"]["closed"] > 0
        self.assertGreaterEqual(busy, 8)  # the comparison ran on weeks with something in them

    def test_every_figure_matches_for_each_district_report(self):
        for district in District.objects.filter(problems__isnull=False).distinct().order_by("code"):
            for period in self.weeks(4)[1:]:
                self.assertWeekMatches(period, district)

    def test_the_demo_weeks_exercise_every_rule(self):
        """The comparison means something only if the figures it compares are not all zero."""
        totals = dict.fromkeys(COUNTS, 0)
        earlier = 0
        for period in self.weeks(13):
            data = weekly_assignment.compute(period=period)
            for name in COUNTS:
                totals[name] += data["progress"]["city"][name]
            earlier += data["earlier"]["total"]
        self.assertTrue(all(totals.values()), totals)
        self.assertGreater(earlier, 0)
        this_week = weekly_assignment.compute(period=self.weeks(1)[0])
        self.assertEqual(this_week["sheets"]["total_sheets"], self.sheet_count)

    def test_a_change_in_the_ledger_shows_in_the_report_and_not_in_an_old_export(self):
        """The recomputation is not an echo: after one more closing the report moves, the old
        export does not, and they differ by exactly that problem."""
        problem = Problem.objects.filter(status=Status.CLOSING_APPLIED).order_by("code").first()
        verifier = User.objects.filter(role=Role.HQ_STAFF).exclude(pk=problem.closing_applied_by_id).first()
        services.problem_verify(problem=problem, approved=True, by=verifier, note="复核通过")
        period = self.weeks(1)[0]
        reported = weekly_assignment.compute(period=period)["progress"]["city"]
        stale = recompute.progress(self.ledger, period.start, period.end)["city"]
        self.assertEqual(reported["closed"], stale["closed"] + 1)

    # --- The weekly exposure and the monthly comparison ------------------------------------------

    def test_every_exposure_figure_matches_the_recomputation_for_thirteen_weeks(self):
        totals, listed = dict.fromkeys(weekly_exposure.PROBLEM_LISTS, 0), {"red": 0, "black": 0}
        for period in self.weeks(13):
            data = self.assertExposureMatches(period)
            for entry in data["problem_lists"]:
                totals[entry["key"]] += entry["total"]
            for colour in listed:
                listed[colour] += len(data[f"{colour}_list"]["units"])
        # The comparison means something only if every list had problems and both lists had units.
        self.assertTrue(all(totals.values()), totals)
        self.assertTrue(all(listed.values()), listed)
        self.assertTrue(any(total > settings.REPORT_EXPOSURE_PROBLEMS for total in totals.values()), totals)

    def test_every_exposure_figure_matches_for_each_district(self):
        for district in District.objects.filter(problems__isnull=False).distinct().order_by("code"):
            for period in self.weeks(4)[1:]:
                self.assertExposureMatches(period, district)

    def test_every_comparison_figure_matches_the_recomputation_for_four_months(self):
        ranked = inspected = 0
        for month in self.months(4):
            data = self.assertComparisonMatches(month)
            ranked += len(data["units"]["ranked"]) + len(data["districts"]["ranked"])
            inspected += sum(row["inspections"] for row in data["districts"]["ranked"])
        self.assertGreater(ranked, 10)
        self.assertGreater(inspected, 0)  # the inspection component was exercised

    def test_every_comparison_figure_matches_for_each_district(self):
        for district in District.objects.filter(problems__isnull=False).distinct().order_by("code"):
            for month in self.months(3)[1:]:
                self.assertComparisonMatches(month, district)


# Every n-th request of the file, in the order made: 4 keeps the run short and still spans the
# whole file; LA311_EVERY=1 imports all 9,999.
LA311_EVERY = int(os.environ.get("LA311_EVERY") or 4)


@pytest.mark.realdata
@override_settings(MEDIA_ROOT=MEDIA_ROOT, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], **RULES)
class La311RecomputeTests(RecomputeMixin, RankingsRecomputeMixin, TestCase):
    """The Los Angeles 311 requests of late December 2017 as a ledger (``import_la311``): created
    in one week, closed over the following months (LA311_EVERY: see above). No inspections, so
    the comparison's inspection component is empty throughout."""

    @classmethod
    def setUpTestData(cls):
        hq = User.objects.create_user(username="la-hq", role=Role.HQ_STAFF, password=None)
        cls.result = la311.import_la311(by=hq, every=LA311_EVERY)
        cls.export_for_recomputation()

    def test_the_import_made_a_problem_of_every_usable_request(self):
        self.assertEqual(self.result.created + len(self.result.skipped), self.result.rows)
        self.assertEqual(Problem.objects.count(), self.result.created)
        self.assertGreater(self.result.by_status[Status.CLOSED], self.result.created * 0.9)

    def test_every_figure_matches_the_recomputation_week_by_week(self):
        first = week_of(dt.date(2017, 12, 27))
        # Every week from the requests' week to three months on, then one week a month.
        periods = [week_of(first.start + dt.timedelta(days=7 * n)) for n in range(14)]
        periods += [week_of(dt.date(2018, month, 15)) for month in range(4, 11)]
        for period in periods:
            self.assertWeekMatches(period)
        data = weekly_assignment.compute(period=periods[1])
        self.assertGreater(data["progress"]["city"]["closed"], 1000 // LA311_EVERY)
        self.assertGreater(data["earlier"]["total"], 0)

    def test_every_figure_matches_for_each_area_planning_commission(self):
        for district in District.objects.filter(code__startswith="LA-").order_by("code"):
            for day in (dt.date(2017, 12, 27), dt.date(2018, 1, 3), dt.date(2018, 1, 10)):
                self.assertWeekMatches(week_of(day), district)

    # --- The weekly exposure and the monthly comparison ------------------------------------------

    def test_every_exposure_figure_matches_week_by_week(self):
        first = week_of(dt.date(2017, 12, 27))
        periods = [week_of(first.start + dt.timedelta(days=7 * n)) for n in range(10)]
        listed = 0
        for period in periods:
            data = self.assertExposureMatches(period)
            listed += len(data["red_list"]["units"]) + len(data["black_list"]["units"])
        self.assertGreater(listed, 0)

    def test_every_exposure_figure_matches_for_each_area_planning_commission(self):
        for district in District.objects.filter(code__startswith="LA-").order_by("code"):
            for day in (dt.date(2017, 12, 27), dt.date(2018, 1, 3)):
                self.assertExposureMatches(week_of(day), district)

    def test_every_comparison_figure_matches_month_by_month(self):
        ranked = 0
        for month in (month_of(dt.date(2017, 12, 1)), month_of(dt.date(2018, 1, 1)), month_of(dt.date(2018, 2, 1))):
            data = self.assertComparisonMatches(month)
            ranked += len(data["units"]["ranked"])
        self.assertGreater(ranked, 0)

    def test_every_comparison_figure_matches_for_each_area_planning_commission(self):
        for district in District.objects.filter(code__startswith="LA-").order_by("code"):
            self.assertComparisonMatches(month_of(dt.date(2018, 1, 1)), district)
