"""Benchmark the inspections: the LIVES import's rows per second, and submitting an inspection
with N failed items (problems created per second), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_inspections \\
        .venv/bin/python bench/inspections.py --create-db

It only runs against a database whose name contains "bench". Each measurement runs in a
transaction that is rolled back, so every run measures the same work on the same database:
the full import of ``../shared/realdata/sf_restaurant_inspections/`` (6,359 businesses, 25,863
inspections, 37,965 violations) and then the same import again (nothing to add: the idempotent
path); then, for N = 1, 10, 50, ``--runs`` inspections of distinct sample points with N failed
items each, timing ``inspection_submit`` alone (scoring, locking, and N findings through
``ledger.services.problem_record_finding``: a new problem, its recording event and its
assignment to the point's unit). ``--keep`` commits one LIVES import afterwards, so the
database holds the real data set (and the submissions run against it when run again).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijkl")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from campaign.choices import CategoryKind, Role, UnitKind  # noqa: E402
from campaign.models import Category, District, SamplePoint, Unit, User  # noqa: E402
from inspections import services  # noqa: E402
from inspections.choices import InspectionKind, Outcome  # noqa: E402
from inspections.lives import lives_import  # noqa: E402
from ledger.integrity import ledger_findings  # noqa: E402

LIVES = ROOT.parent / "shared" / "realdata" / "sf_restaurant_inspections"
ITEMS = 50


class Rollback(Exception):
    """Raised at the end of a measurement to undo its writes."""


def say(text: str) -> None:
    print(text, flush=True)


def create_database() -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db.get("HOST") or None, port=db.get("PORT") or None, user=db.get("USER") or None,
                         password=db.get("PASSWORD") or None, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
            say(f"database {db['NAME']} created")


def prepare(create_db: bool) -> tuple[User, District]:
    name = str(settings.DATABASES["default"]["NAME"])
    if "bench" not in name:
        sys.exit(f"Refusing to run against {name!r}: use a database whose name contains 'bench'.")
    if create_db and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        create_database()
    call_command("migrate", verbosity=0)
    hq, _ = User.objects.get_or_create(username="bench-hq", defaults={"role": Role.HQ_STAFF})
    district, _ = District.objects.get_or_create(code="SANFRANCISCO",
                                                 defaults={"name": "San Francisco", "name_en": "San Francisco"})
    return hq, district


def bench_import(hq: User, district: District) -> None:
    try:
        with transaction.atomic():
            for label in ("first import", "same files again"):
                started = time.perf_counter()
                report = lives_import(directory=LIVES, district=district, by=hq)
                seconds = time.perf_counter() - started
                rows = report.businesses_in_file + report.inspection_rows + report.violation_rows
                say(f"LIVES import, {label}: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
                    f"({report.points_created:,} points, {report.inspections_created:,} inspections, "
                    f"{report.failed_items_created:,} failed items, {report.problems_created:,} problems; "
                    f"{report.inspection_repeats} repeated and {report.violations_unmatched} unmatched rows reported)")
            started = time.perf_counter()
            findings = list(ledger_findings())
            say(f"  verify_ledger after the import: {len(findings)} findings ({time.perf_counter() - started:.1f} s)")
            raise Rollback
    except Rollback:
        pass


def bench_submit(hq: User, district: District, runs: int) -> None:
    try:
        with transaction.atomic():
            category, _ = Category.objects.get_or_create(
                code="BENCH", defaults={"kind": CategoryKind.KEY_PLACE, "name_zh": "基准测试", "name_en": "Benchmark"})
            items = [{"code": f"B{n:02d}", "text_zh": f"检查项{n}", "text_en": f"Item {n}", "points": 1,
                      "severity": "general"} for n in range(1, ITEMS + 1)]
            services.checklist_revise(category=category, items=items, by=hq, name="基准测试检查表")
            unit, _ = Unit.objects.get_or_create(name="基准测试责任单位", defaults={"kind": UnitKind.DEPARTMENT})
            points = SamplePoint.objects.bulk_create(
                SamplePoint(code=f"BENCH-{n}", name=f"基准样本点{n}", category=category, district=district,
                            responsible_unit=unit)
                for n in range(3 * runs)
            )
            points = list(SamplePoint.objects.filter(code__startswith="BENCH-").select_related(
                "category", "district", "responsible_unit").order_by("pk"))
            for index, failed in enumerate((1, 10, 50)):
                durations = []
                for point in points[index * runs:(index + 1) * runs]:
                    inspection = services.inspection_start(sample_point=point, kind=InspectionKind.ROUTINE, by=hq)
                    for n, item in enumerate(inspection.checklist_version.items.all()):
                        services.inspection_record_result(inspection=inspection, item=item, by=hq,
                                                          outcome=Outcome.FAIL if n < failed else Outcome.PASS)
                    started = time.perf_counter()
                    _inspection, findings = services.inspection_submit(inspection=inspection, by=hq)
                    durations.append(time.perf_counter() - started)
                    assert len(findings) == failed
                total = sum(durations)
                say(f"submit with {failed:>2} failed items: p50 {statistics.median(durations) * 1000:.0f} ms, "
                    f"max {max(durations) * 1000:.0f} ms over {runs} inspections; "
                    f"{failed * runs / total:,.0f} problems created per second")
            raise Rollback
    except Rollback:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--create-db", action="store_true", help="CREATE DATABASE first (PostgreSQL)")
    parser.add_argument("--runs", type=int, default=20, help="inspections submitted per N (default 20)")
    parser.add_argument("--keep", action="store_true", help="commit one LIVES import at the end")
    parser.add_argument("--only", choices=("import", "submit"), action="append", help="run only these parts")
    args = parser.parse_args()
    hq, district = prepare(args.create_db)
    say(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    parts = args.only or ["import", "submit"]
    if "import" in parts:
        bench_import(hq, district)
    if "submit" in parts:
        bench_submit(hq, district, args.runs)
    if args.keep:
        started = time.perf_counter()
        report = lives_import(directory=LIVES, district=district, by=hq)
        say(f"kept: {report.inspections_created:,} inspections imported in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
