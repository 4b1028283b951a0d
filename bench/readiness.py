"""Backtest the readiness model (README "Readiness") on the demo history and on the San Francisco
restaurant inspections, and time the readiness figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_readiness \\
        .venv/bin/python bench/readiness.py --create-db

Only runs against a database whose name contains "bench". The first run writes the demo
(``seed_demo``) and the full LIVES import of ``../shared/realdata/sf_restaurant_inspections/``
into it and keeps them (later runs reuse them). For each data set, every week is predicted from
the inspections before it (assessment/readiness/backtest.py): the pass or failure of each
inspection (pass = no veto and no serious or urgent failure; for San Francisco: no moderate or
high-risk violation), by the model and by the naive "category's rate last week". Printed: the
Brier score and log loss of both, the error of each category's weekly pass rate, and the model's
calibration by decile (predicted vs observed pass rate). San Francisco also at smaller sizes
(the first N businesses). Then the time of ``readiness_by_category`` and ``readiness_trend``.
"""

import argparse
import datetime
import os
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
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessment.models import MockAssessment  # noqa: E402
from assessment.readiness.backtest import backtest  # noqa: E402
from assessment.selectors.readiness import (  # noqa: E402
    readiness_by_category,
    readiness_observations,
    readiness_trend,
)
from campaign.choices import Role  # noqa: E402
from campaign.models import District, SamplePoint, User  # noqa: E402
from inspections.lives import lives_import  # noqa: E402

LIVES = ROOT.parent / "shared" / "realdata" / "sf_restaurant_inspections"
EPOCH = timezone.make_aware(datetime.datetime(2000, 1, 1))


def say(text: str = "") -> None:
    print(text, flush=True)


def create_database() -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db.get("HOST") or None, port=db.get("PORT") or None, user=db.get("USER") or None,
                         password=db.get("PASSWORD") or None, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
            say(f"database {db['NAME']} created")


def report(label: str, observations) -> None:
    started = time.perf_counter()
    result = backtest(observations)
    seconds = time.perf_counter() - started
    places = len({o.point for o in observations})
    say(f"\n== {label}: {len(observations):,} inspections of {places:,} places; {result.weeks} weeks predicted, "
        f"{result.inspections:,} inspections scored ({seconds:.2f} s)")
    if not result.inspections:
        say("   nothing to score")
        return
    say(f"   observed pass rate {result.observed.mean():.3f}")
    say(f"   {'':24}{'model':>10}{'naive':>10}")
    say(f"   {'Brier score':24}{result.brier():>10.4f}{result.brier('naive'):>10.4f}")
    say(f"   {'log loss':24}{result.log_loss():>10.4f}{result.log_loss('naive'):>10.4f}")
    say(f"   {'category-week error':24}{result.category_error():>10.4f}{result.category_error('naive'):>10.4f}"
        "   (mean absolute error of a category's weekly pass rate)")
    say("   calibration by decile of the model's prediction:")
    say(f"   {'decile':>8}{'n':>8}{'predicted':>11}{'observed':>10}{'naive':>8}")
    for row in result.calibration():
        say(f"   {row['decile']:>8}{row['inspections']:>8}{row['predicted']:>11.3f}{row['observed']:>10.3f}"
            f"{row['naive']:>8.3f}")


def timing(label: str, district_id=None, as_of=None) -> None:
    as_of = as_of or timezone.localdate()
    for name, call in (("readiness_by_category", lambda: readiness_by_category(as_of=as_of, district_id=district_id)),
                       ("readiness_trend (12 weeks)", lambda: readiness_trend(as_of=as_of, district_id=district_id))):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            call()
        say(f"   {label} {name}: {time.perf_counter() - started:.2f} s, {len(queries)} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--create-db", action="store_true", help="CREATE DATABASE first (PostgreSQL)")
    parser.add_argument("--only", choices=("demo", "sf"), action="append", help="run only these data sets")
    args = parser.parse_args()
    name = str(settings.DATABASES["default"]["NAME"])
    if "bench" not in name:
        sys.exit(f"Refusing to run against {name!r}: use a database whose name contains 'bench'.")
    if args.create_db and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        create_database()
    call_command("migrate", verbosity=0)
    only = set(args.only or ("demo", "sf"))
    now = timezone.now()
    if "demo" in only:
        if not MockAssessment.objects.exists():
            say("seed_demo (once; kept) …")
            call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
        imported = set(SamplePoint.objects.filter(code__startswith="LIVES-").values_list("pk", flat=True))
        observations = [o for o in readiness_observations(since=EPOCH, until=now) if o.point not in imported]
        report("demo history", observations)
        district = District.objects.filter(code="D01").first()
        timing("demo", as_of=timezone.localdate())
        if district:
            timing("demo, one district", district_id=district.pk)
    if "sf" in only:
        if not LIVES.is_dir():
            say(f"\n{LIVES} is not here: San Francisco skipped")
            return
        district, _ = District.objects.get_or_create(code="SANFRANCISCO",
                                                     defaults={"name": "San Francisco", "name_en": "San Francisco"})
        if not SamplePoint.objects.filter(code__startswith="LIVES-").exists():
            hq, _ = User.objects.get_or_create(username="bench-hq", defaults={"role": Role.HQ_STAFF})
            say("LIVES import (once; kept) …")
            lives_import(directory=LIVES, district=district, by=hq)
        observations = readiness_observations(since=EPOCH, until=now, district_id=district.pk)
        businesses = sorted({o.point for o in observations})
        for size in (500, 2000):
            if size < len(businesses):
                chosen = set(businesses[:size])
                report(f"San Francisco, first {size:,} businesses", [o for o in observations if o.point in chosen])
        report("San Francisco, all businesses", observations)
        last = max(o.day for o in observations)
        as_of = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(last))
        timing(f"San Francisco as of {as_of}", district_id=district.pk, as_of=as_of)


if __name__ == "__main__":
    main()
