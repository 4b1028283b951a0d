"""Right to the last problem: every figure of the weekly exposure (its worst-problem lists, the red
and black lists) and of the monthly comparison (each component, score, rank, last month's rank,
the unranked with their reasons) equals an independent recomputation with pandas
(reports/tests/recompute.py, recompute_rankings.py) from the exported ledger, its history and
the submitted inspections, on the demo city and on the Los Angeles 311 ledger, city-wide and
per district.
"""

import csv
import datetime as dt
import io
import math
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
from campaign.models import District, User
from inspections.choices import InspectionStatus
from inspections.models import Inspection
from ledger.models import Problem
from ledger.transfer import la311
from ledger.transfer.export import write_history, write_ledger
from reports.kinds import monthly_comparison, weekly_exposure
from reports.periods import Period, month_of, week_of
from reports.tests import recompute, recompute_rankings

MEDIA_ROOT = tempfile.mkdtemp(prefix="recompute-rankings-media-")
# Small lists and a low minimum, so the demo's weeks put units on both lists and cut the lists short.
RULES = {"REPORT_EXPOSURE_PROBLEMS": 5, "REPORT_EXPOSURE_UNITS": 3, "REPORT_EXPOSURE_DISTRICTS": 2,
         "REPORT_EXPOSURE_MIN_DUE": 2, "REPORT_COMPARISON_MIN_DUE": 3}


def export_ledger() -> recompute.Ledger:
    problems = Problem.objects.all()
    workbook, history = io.BytesIO(), StringIO()
    with translation.override("zh-hans"):
        write_ledger(problems, workbook, language="zh-hans")
    write_history(problems, history)
    return recompute.load_ledger(workbook.getvalue(), history.getvalue())


def export_inspections() -> str:
    """The submitted inspections as a plain table (no aggregate): the sample point's district
    and unit, the score, when it was submitted (ISO with the campaign's offset)."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(["district", "unit", "score", "submitted_at"])
    rows = Inspection.objects.filter(status=InspectionStatus.SUBMITTED, score__isnull=False).values_list(
        "sample_point__district__name", "sample_point__responsible_unit__name", "score", "submitted_at")
    for district, unit, score, submitted_at in rows:
        writer.writerow([district, unit or "", score, timezone.localtime(submitted_at).isoformat()])
    return out.getvalue()


class RankingsRecomputeMixin:
    ledger: recompute.Ledger
    inspections = None

    # --- Weekly exposure -----------------------------------------------------------------------

    def assertExposureMatches(self, period: Period, district: District | None = None) -> dict:
        data = weekly_exposure.compute(period=period, district=district)
        name = district.name if district else None
        label = f"{period.label} {name or 'city'}"
        rule = data["rule"]
        expected = recompute_rankings.worst_problems(self.ledger, period.start, period.end, limit=rule["problems"],
                                                     district=name)
        for entry in data["problem_lists"]:
            wanted = expected[entry["key"]]
            self.assertEqual(entry["total"], wanted["total"], f"{label} {entry['key']} total")
            self.assertEqual([item["code"] for item in entry["items"]], wanted["codes"], f"{label} {entry['key']}")
            if entry["key"] == "overdue":
                self.assertEqual({item["code"]: item["days_overdue_at_end"] for item in entry["items"]},
                                 wanted["days_overdue"], f"{label} days overdue")
        figures = recompute.progress(self.ledger, period.start, period.end, district=name)
        for group in ("units", "districts"):
            wanted = recompute_rankings.red_and_black(figures[group], size=rule[group], min_due=rule["min_due"])
            for colour in ("red", "black"):
                rows = data[f"{colour}_list"][group]
                self.assertEqual([row["name"] for row in rows], wanted[colour], f"{label} {colour} {group}")
                for row in rows:
                    counts = figures[group][row["name"]]
                    self.assertEqual((row["due"], row["closed_on_time"], row["overdue"]),
                                     (counts["due"], counts["closed_on_time"], counts["overdue"]), label)
            self.assertEqual(data["below_minimum"][group], wanted["below"], f"{label} below {group}")
        return data

    # --- Monthly comparison --------------------------------------------------------------------

    def assertComparisonMatches(self, month: Period, district: District | None = None) -> dict:
        data = monthly_comparison.compute(period=month, district=district)
        name = district.name if district else None
        label = f"{month.label} {name or 'city'}"
        weights, min_due = data["formula"]["weights"], data["formula"]["min_due"]
        all_districts = list(District.objects.values_list("name", flat=True))

        def standings(period):
            return recompute_rankings.standings(self.ledger, self.inspections, period.start, period.end,
                                                weights=weights, all_districts=all_districts, district=name)

        now, before = standings(month), standings(month.previous())
        for group in ("districts", "units"):
            # The published rule: a district with no inspection in the month is not assessed.
            need = group == "districts" and weights["inspection_score"] > 0
            current = recompute_rankings.ranking(now[group], min_due=min_due, need_inspections=need).set_index("name")
            previous = recompute_rankings.ranking(before[group], min_due=min_due,
                                                  need_inspections=need).set_index("name")["rank"]
            rows = {row["name"]: row for row in data[group]["ranked"] + data[group]["unranked"]}
            self.assertEqual(set(rows), set(current.index), f"{label} {group}")
            self.assertEqual([row["rank"] for row in data[group]["ranked"]],
                             sorted(row["rank"] for row in data[group]["ranked"]), f"{label} {group} order")
            for row_name, row in rows.items():
                wanted = current.loc[row_name]
                where = f"{label} {group} {row_name}"
                self.assertEqual(row["due"], wanted["due"], where)
                for component in recompute_rankings.COMPONENTS:
                    reported = row["components"][component]
                    self.assertAlmostEqual(reported["numerator"], float(wanted[f"{component}_num"]), places=6,
                                           msg=f"{where} {component}")
                    self.assertEqual(reported["denominator"], wanted[f"{component}_den"], f"{where} {component}")
                    self.assertNullOrClose(row["points"][component], wanted[f"{component}_points"],
                                           f"{where} {component} points")
                self.assertNullOrClose(row["score"], wanted["score"], f"{where} score")
                if math.isnan(wanted["rank"]):
                    self.assertIsNone(row["rank"], where)
                    self.assertEqual(row["reason"], wanted["reason"], where)
                else:
                    self.assertEqual(row["rank"], int(wanted["rank"]), f"{where} rank")
                last = previous.get(row_name, math.nan)
                self.assertEqual(row["previous_rank"], None if math.isnan(last) else int(last), f"{where} last")
                change = None if row["rank"] is None or math.isnan(last) else int(last) - row["rank"]
                self.assertEqual(row["change"], change, f"{where} change")
        return data

    def assertNullOrClose(self, reported, wanted, message):
        if wanted is None or (isinstance(wanted, float) and math.isnan(wanted)):
            self.assertIsNone(reported, message)
        else:
            self.assertIsNotNone(reported, message)
            self.assertAlmostEqual(reported, float(wanted), places=9, msg=message)


@override_settings(MEDIA_ROOT=MEDIA_ROOT, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], **RULES)
class DemoRankingsRecomputeTests(RankingsRecomputeMixin, TestCase):
    """Twelve weeks of the demo ledger and its inspections (seed_demo)."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())
        cls.today = timezone.localdate()
        cls.ledger = export_ledger()
        cls.inspections = recompute_rankings.load_inspections(export_inspections())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)

    def weeks(self, count: int):
        this_week = week_of(self.today)
        return [week_of(this_week.start - dt.timedelta(days=7 * n)) for n in range(count)]

    def months(self, count: int):
        month = month_of(self.today)
        result = [month]
        for _n in range(count - 1):
            result.append(result[-1].previous())
        return result

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


# Every 4th request, a sample spread over the whole file; LA311_EVERY=1 imports all 9,999.
LA311_EVERY = int(os.environ.get("LA311_EVERY") or 4)


@pytest.mark.realdata
@override_settings(MEDIA_ROOT=MEDIA_ROOT, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], **RULES)
class La311RankingsRecomputeTests(RankingsRecomputeMixin, TestCase):
    """The Los Angeles 311 requests of late December 2017 as a ledger (``import_la311``; LA311_EVERY:
    see above): no inspections, so the comparison's inspection component is empty throughout."""

    @classmethod
    def setUpTestData(cls):
        hq = User.objects.create_user(username="la-hq", role=Role.HQ_STAFF, password=None)
        la311.import_la311(by=hq, every=LA311_EVERY)
        cls.ledger = export_ledger()
        cls.inspections = recompute_rankings.load_inspections(export_inspections())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)

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
