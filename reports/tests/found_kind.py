"""A small report kind for the engine's tests: the problems found in the period, in total and
per district (one GROUP BY). ``DELAY_SECONDS`` (env REPORTS_FOUND_KIND_DELAY in a worker
subprocess) makes it slow, so a test can kill the worker in the middle of it."""

import os
import time

from django.db.models import Count

from ledger.models import Problem
from reports.excel import write_table

TEMPLATE = "reports/tests/found_kind.html"
DELAY_SECONDS = float(os.environ.get("REPORTS_FOUND_KIND_DELAY", "0"))
STEPS = 10


def compute(*, period, district, progress):
    problems = Problem.objects.filter(found_at__gte=period.starts_at, found_at__lt=period.ends_at)
    if district is not None:
        problems = problems.filter(district=district)
    rows = list(problems.values("district_id", "district__name").annotate(found=Count("id")).order_by("district_id"))
    for step in range(STEPS):
        progress(step * 100 / STEPS)
        if DELAY_SECONDS:
            time.sleep(DELAY_SECONDS / STEPS)
    return {
        "found": sum(row["found"] for row in rows),
        "by_district": [{"district_id": r["district_id"], "district": r["district__name"], "found": r["found"]}
                        for r in rows],
    }


def write_workbook(*, workbook, report):
    sheet = workbook.create_sheet("Found")
    write_table(sheet, title="Found", headers=["District", "Found"],
                rows=[(row["district"], row["found"]) for row in report.data["by_district"]]
                + [("Total", report.data["found"])])


def named_in(data):
    """As the real kinds that HQ publishes name places (a test may put their lists in the data):
    an exposure's red and black lists, a comparison's ranking."""
    from reports.kinds import monthly_comparison, weekly_exposure

    units, districts = weekly_exposure.named_in(data)
    ranked_units, ranked_districts = monthly_comparison.named_in(data)
    return units | ranked_units, districts | ranked_districts
