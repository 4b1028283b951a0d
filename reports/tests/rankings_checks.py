"""The weekly exposure's and the monthly comparison's checks against the pandas recomputation
(reports/tests/recompute.py, recompute_rankings.py): every worst-problem list, the red and black
lists, each component, score, rank, last month's rank and the unranked with their reasons. The
tests are in test_recompute.py, on the demo city and on the Los Angeles 311 ledger, city-wide and
per district, beside the weekly assignment's.
"""

import csv
import math
from io import StringIO

from django.utils import timezone

from campaign.models import District
from inspections.choices import InspectionStatus
from inspections.models import Inspection
from reports.kinds import monthly_comparison, weekly_exposure
from reports.periods import Period
from reports.tests import recompute, recompute_rankings

# Small lists and a low minimum, so the demo's weeks put units on both lists and cut the lists short.
RULES = {"REPORT_EXPOSURE_PROBLEMS": 5, "REPORT_EXPOSURE_UNITS": 3, "REPORT_EXPOSURE_DISTRICTS": 2,
         "REPORT_EXPOSURE_MIN_DUE": 2, "REPORT_COMPARISON_MIN_DUE": 3}


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
