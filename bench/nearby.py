"""Benchmark duplicate detection (ledger/nearby.py) at 10k, 100k and 1M problems: p50/p95 of
one search through ``ledger.nearby.problems_nearby`` and of the record form's endpoint, beside
the floor, the bare SQL of the same neighbourhood query through a raw cursor, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_nearby \\
        .venv/bin/python bench/nearby.py --create-db --sizes 10000,100000,1000000

The generator is a benchmark generator: it writes problems with COPY (PostgreSQL; bulk_create
on SQLite) in batches, spread around the demo city's sample points (most within a few hundred
metres of one, the rest anywhere in the city) over three years with the ledger benchmark's
statuses (most old ones closed); a third of them get a before-photo row (and the recording
event it hangs on; photo files are not written). Their history is *not* whole (one event, not
hash-chained): this database is for this benchmark only. A database that holds fewer problems
than a size is grown to it; it only ever runs on a database whose name contains "bench".
"""

import argparse
import datetime
import hashlib
import importlib
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ledger_bench = importlib.import_module("bench.ledger")  # settings, django.setup(), one kept connection

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaign.geo import EARTH_MEAN_RADIUS_M  # noqa: E402
from campaign.models import Category, User  # noqa: E402
from ledger.choices import OPEN_STATUSES, Action, PhotoKind, Severity, Source  # noqa: E402
from ledger.models import EvidencePhoto, Problem, ProblemEvent  # noqa: E402
from ledger.nearby import problems_nearby, search_boxes  # noqa: E402

say = ledger_bench.say
BATCH = 20_000
NEAR_POINT = 0.7  # the share of problems near a sample point; the rest anywhere in the city
SPREAD_M = 300  # their standard deviation from the point, in metres
PHOTO_SHARE = 1 / 3
TARGET = 2.0  # the search within 2x its floor


# --- Generating ------------------------------------------------------------------------------------


class Generator:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.base = ledger_bench.Generator(rng)  # its found-at spread, statuses and yearly codes
        self.points = [p for p in self.base.points if p.latitude is not None]
        self.categories = list(Category.objects.values_list("pk", flat=True))
        lats = [float(p.latitude) for p in self.points]
        lons = [float(p.longitude) for p in self.points]
        self.box = (min(lats), min(lons), max(lats), max(lons))
        self.hq = self.base.hq
        self.problem_fields = [f for f in Problem._meta.concrete_fields]
        self.event_fields = [f for f in ProblemEvent._meta.concrete_fields if f.name != "id"]
        self.photo_fields = [f for f in EvidencePhoto._meta.concrete_fields if f.name != "id"]

    def _place(self, point) -> tuple[float, float]:
        rng = self.rng
        if point.latitude is not None and rng.random() < NEAR_POINT:
            lat0, lon0 = float(point.latitude), float(point.longitude)
            d_lat = math.degrees(rng.gauss(0, SPREAD_M) / EARTH_MEAN_RADIUS_M)
            d_lon = math.degrees(rng.gauss(0, SPREAD_M) / EARTH_MEAN_RADIUS_M) / math.cos(math.radians(lat0))
            return round(lat0 + d_lat, 6), round(lon0 + d_lon, 6)
        south, west, north, east = self.box
        return round(rng.uniform(south, north), 6), round(rng.uniform(west, east), 6)

    def write(self, count: int) -> None:
        first = (Problem.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        next_event = (ProblemEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        written, started = 0, time.perf_counter()
        while written < count:
            size = min(BATCH, count - written)
            problems, events, photos = [], [], []
            for pk in range(first + written, first + written + size):
                problem, event, photo = self.problem(pk, next_event)
                problems.append(problem)
                if event:
                    events.append(event)
                    photos.append(photo)
                    next_event += 1
            with transaction.atomic():
                if ledger_bench.is_postgres():
                    self._copy("ledger_problem", self.problem_fields, problems)
                    self._copy("ledger_problemevent", [ProblemEvent._meta.pk, *self.event_fields], events)
                    self._copy("ledger_evidencephoto", self.photo_fields, photos)
                else:
                    Problem.objects.bulk_create([Problem(**row) for row in problems], batch_size=2000)
                    ProblemEvent.objects.bulk_create([ProblemEvent(**row) for row in events], batch_size=2000)
                    EvidencePhoto.objects.bulk_create([EvidencePhoto(**row) for row in photos], batch_size=2000)
                self.base._save_counters()
            written += size
            say(f"  {written:,} / {count:,} problems ({written / (time.perf_counter() - started):,.0f}/s)")
        if ledger_bench.is_postgres():
            with connection.cursor() as cursor:
                for table in ("ledger_problem", "ledger_problemevent"):
                    last = f"SELECT max(id) FROM {table}"  # noqa: S608 (two fixed table names)
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ({last}))")
                cursor.execute("ANALYZE ledger_problem")
                cursor.execute("ANALYZE ledger_evidencephoto")

    def problem(self, pk: int, event_id: int):
        rng, base = self.rng, self.base
        point = base.points[base._pick_point()]
        latitude, longitude = self._place(point)
        category_id = point.category_id if rng.random() < 0.8 else rng.choice(self.categories)
        found_at = base._found_at()
        status = base._status((base.today - timezone.localdate(found_at)).days)
        row = {
            "id": pk, "code": base._code(timezone.localtime(found_at).year), "description": "生成的问题",
            "category_id": category_id, "sample_point_id": None, "district_id": point.district_id,
            "address": "", "latitude": latitude, "longitude": longitude, "source": Source.PUBLIC_REPORT,
            "source_ref": "", "found_at": found_at, "found_by_id": self.hq.pk, "severity": Severity.GENERAL,
            "status": status, "version": 1, "updated_at": found_at,
        }
        if rng.random() >= PHOTO_SHARE:
            return row, None, None
        digest = hashlib.sha256(f"bench {pk}".encode()).hexdigest()
        event = {"id": event_id, "problem_id": pk, "seq": 1, "action": Action.RECORD, "from_status": "",
                 "to_status": "found", "actor_id": self.hq.pk, "at": found_at, "note": "", "data": {},
                 "prev_hash": "", "hash": digest, "hash_scheme": "bench"}
        photo = {"problem_id": pk, "event_id": event_id, "kind": PhotoKind.BEFORE,
                 "image": f"ledger/photos/{pk}/bench.jpg", "thumbnail": f"ledger/photos/{pk}/bench-thumb.jpg",
                 "width": 1280, "height": 960, "sha256": digest, "uploaded_by_id": self.hq.pk, "uploaded_at": found_at}
        return row, event, photo

    @staticmethod
    def _copy(table: str, fields, rows) -> None:
        if not rows:
            return
        columns = [f.column for f in fields]
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    values = [row.get(f.attname, f.get_default()) for f in fields]
                    copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in values])


def grow(size: int) -> None:
    existing = Problem.objects.count()
    if existing >= size:
        say(f"{existing:,} problems already (asked {size:,})")
        return
    started = time.perf_counter()
    Generator(random.Random(ledger_bench.SEED + existing)).write(size - existing)
    say(f"generated {size - existing:,} problems in {time.perf_counter() - started:.1f} s")


# --- The floor: the same neighbourhood query in bare SQL -------------------------------------------

OPEN_SQL = "(" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")"
DISTANCE_SQL = (
    "2 * %s * asin(least(1.0, sqrt(power(sin((radians(p.latitude::float8) - %s) / 2), 2) "
    "+ %s * cos(radians(p.latitude::float8)) * power(sin((radians(p.longitude::float8) - %s) / 2), 2))))"
)


def floor_sql(latitude: float, longitude: float, category_id: int, at, radius_m: float, days: int):
    """HQ's search written by hand: the box the index answers, open, the category, the window,
    the exact distance, the first before-photo of the ten nearest."""
    phi, lam = math.radians(latitude), math.radians(longitude)
    distance_args = [EARTH_MEAN_RADIUS_M, phi, math.cos(phi), lam]
    boxes, box_args = [], []
    for south, west, north, east in search_boxes(latitude, longitude, radius_m):
        if ledger_bench.is_postgres():
            boxes.append("point(p.longitude::float8, p.latitude::float8) <@ box(point(%s, %s), point(%s, %s))")
            box_args += [west, south, east, north]
        else:
            boxes.append("(p.latitude BETWEEN %s AND %s AND p.longitude BETWEEN %s AND %s)")
            box_args += [south, north, west, east]
    if not ledger_bench.is_postgres():
        distance = DISTANCE_SQL.replace("::float8", "").replace("least(", "min(")
    else:
        distance = DISTANCE_SQL
    # The box, the distance and the statuses are this script's text; the values are parameters.
    sql = f"""
        SELECT n.id, n.code, n.description, n.status, n.address, n.found_at, n.distance_m,
               (SELECT ph.id FROM ledger_evidencephoto ph WHERE ph.problem_id = n.id AND ph.kind = 'before'
                ORDER BY ph.uploaded_at, ph.id LIMIT 1)
        FROM (SELECT p.id, p.code, p.description, p.status, p.address, p.found_at, {distance} AS distance_m
              FROM ledger_problem p
              WHERE ({' OR '.join(boxes)}) AND p.status IN {OPEN_SQL} AND p.category_id = %s
                AND p.found_at BETWEEN %s AND %s) n
        WHERE n.distance_m <= %s
        ORDER BY n.distance_m, n.found_at, n.id LIMIT 10"""  # noqa: S608
    window = (at - datetime.timedelta(days=days), at + datetime.timedelta(days=days))
    return sql, [*distance_args, *box_args, category_id, *window, radius_m + 1e-6]


# --- Measuring -------------------------------------------------------------------------------------


def queries(rng: random.Random, count: int) -> list[tuple[float, float, int]]:
    """Places a new problem would be recorded at: four in five where a recent open problem is
    (a likely duplicate), the rest anywhere in the city with any category."""
    recent = list(Problem.objects.open().filter(found_at__gte=timezone.now() - datetime.timedelta(days=30))
                  .order_by("?").values_list("latitude", "longitude", "category_id")[:count * 4 // 5])
    points = [(float(a), float(b), c) for a, b, c in recent]
    box = Generator(rng).box
    categories = list(Category.objects.values_list("pk", flat=True))
    while len(points) < count:
        points.append((rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3]), rng.choice(categories)))
    rng.shuffle(points)
    return points[:count]


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def fetch(sql: str, args: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def p(values, share):
    return ledger_bench.percentile(values, share)


def measure(size: int, runs: int, explain: bool) -> dict:
    rng = random.Random(size)
    hq = User.objects.get(username="hq")
    client = Client()
    client.force_login(hq)
    url = reverse("ledger:problem_nearby")
    radius, days = float(settings.NEARBY_RADIUS_M), settings.NEARBY_DAYS
    app, floor, endpoint, found, differ = [], [], [], [], 0
    places = queries(rng, runs)
    for latitude, longitude, category_id in [places[0]] * 3 + places:  # three warm-up rounds
        at = timezone.now()
        ms, results = timed(problems_nearby, user=hq, category=category_id, latitude=latitude,
                            longitude=longitude, at=at)
        app.append(ms)
        sql, args = floor_sql(latitude, longitude, category_id, at, radius, days)
        ms, rows = timed(fetch, sql, args)
        floor.append(ms)
        if [r.pk for r in results] != [row[0] for row in rows]:
            differ += 1
        found.append(len(results))
        ms, response = timed(client.get, url, {"category": category_id, "latitude": f"{latitude:.6f}",
                                               "longitude": f"{longitude:.6f}"})
        assert response.status_code == 200, response.content[:300]
        endpoint.append(ms)
    app, floor, endpoint, found = app[3:], floor[3:], endpoint[3:], found[3:]
    with CaptureQueriesContext(connection) as captured:
        problems_nearby(user=hq, category=places[0][2], latitude=places[0][0], longitude=places[0][1])
    if explain and ledger_bench.is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + captured.captured_queries[-1]["sql"])
            say("\n".join("    " + row[0] for row in cursor.fetchall()))
    return {
        "size": size, "app50": p(app, 0.5), "app95": p(app, 0.95), "floor50": p(floor, 0.5),
        "floor95": p(floor, 0.95), "end50": p(endpoint, 0.5), "end95": p(endpoint, 0.95),
        "found": statistics.mean(found), "with_any": sum(1 for n in found if n) / len(found),
        "queries": len(captured.captured_queries), "differ": differ,
    }


def report(rows: list[dict]) -> None:
    say("")
    say("| problems | search p50 | p95 | floor p50 | p95 | ratio (p50) | endpoint p50 | p95 | found (mean) | "
        "searches with a duplicate | queries |")
    say("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = r["app50"] / r["floor50"]
        mark = "" if ratio <= TARGET else f" over {TARGET:g}x"
        say(f"| {r['size']:,} | {r['app50']:.2f} ms | {r['app95']:.2f} ms | {r['floor50']:.2f} ms | "
            f"{r['floor95']:.2f} ms | **{ratio:.2f}x**{mark} | {r['end50']:.1f} ms | {r['end95']:.1f} ms | "
            f"{r['found']:.1f} | {r['with_any']:.0%} | {r['queries']} |")
    if any(r["differ"] for r in rows):
        say("RESULTS DIFFER between the app and the floor: " + ", ".join(f"{r['size']:,}: {r['differ']}"
                                                                          for r in rows if r["differ"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="ledger sizes, comma-separated, measured in this order (the database grows)")
    parser.add_argument("--runs", type=int, default=200, help="timed searches per size (after three warm-ups)")
    parser.add_argument("--create-db", action="store_true", help="CREATE DATABASE first (PostgreSQL)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of one search per size")
    args = parser.parse_args()
    ledger_bench.prepare(args.create_db)
    say(f"database: {connection.vendor} {ledger_bench.database_name()}; radius {settings.NEARBY_RADIUS_M} m, "
        f"window {settings.NEARBY_DAYS} days")
    rows = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        grow(size)
        rows.append(measure(size, args.runs, args.explain))
        report(rows[-1:])
    report(rows)
    if any(r["differ"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
