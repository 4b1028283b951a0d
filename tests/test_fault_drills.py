"""Fault drills: the database restarted during a report and during a ledger transition, Redis
stopped and restarted while requests and reports flow, the worker killed during an import and
an export. Nothing is half-written, nothing is lost, nothing is done twice.

Every drill runs on services this file starts itself, never the machine's shared ones: a
throwaway PostgreSQL cluster (initdb, as the postgres user when the tests run as root) and a
throwaway redis-server, each on a free port. The project runs in subprocesses against them
(migrate, a web client, Celery workers); the test reads the state with plain SQL.
"""

import glob
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REQUIRE_SERVICES
from tests.helpers import ROOT, project_env, run_python, stop_process, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LEASE = 10  # JOB_LEASE_SECONDS' smallest value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _need(what: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but the fault drills miss {what}")
    pytest.skip(f"the fault drills need {what}")


# --- The throwaway services ------------------------------------------------------------------


class Postgres:
    """A PostgreSQL cluster of its own in a temporary folder, on a free port."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="hc-drill-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    def _pg(self, *args, timeout=60):
        done = subprocess.run([*self.as_postgres, *args], capture_output=True, text=True, timeout=timeout,
                              cwd=self.root)
        assert done.returncode == 0, done.stdout + done.stderr + self._log_tail()
        return done

    def _log_tail(self) -> str:
        try:
            return self.log.read_text()[-2000:]
        except OSError:
            return ""

    def init(self):
        self._pg(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--no-sync", timeout=120)
        self.start()

    def start(self):
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        self._pg(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                 "-w", "-t", "60", "start")

    def restart(self):
        """What an operator's restart does: a fast shutdown (sessions are cut) and a start."""
        self._pg(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
        self.start()

    def stop(self):
        subprocess.run([*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, name="drill") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def query(self, sql: str, params=()) -> list[tuple] | None:
        """Rows of ``sql`` on the drill database, or None while the server is unreachable."""
        import psycopg

        try:
            with psycopg.connect(self.url(), connect_timeout=3, autocommit=True) as conn:
                return conn.execute(sql, params).fetchall()
        except psycopg.OperationalError:
            return None

    def value(self, sql: str, params=()):
        rows = wait_for(lambda: self.query(sql, params), timeout=30, interval=0.2)
        return rows[0][0] if rows else None


class Redis:
    """A redis-server of its own, without persistence: a restart loses whatever it held."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.root = root
        self.process: subprocess.Popen | None = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

        def answers():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    return conn.recv(16).startswith(b"+PONG")
            except OSError:
                return False
        assert wait_for(answers, timeout=20, interval=0.1), "the drill's redis-server did not start"

    def stop(self):
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


# A worker for the drills: ``DRILL_SLOW=module:function:seconds`` makes that function sleep
# before each call (and touch DRILL_MARK the first time), so a test can strike in the middle.
WORKER = """
import functools, os, time, django
django.setup()
from reports import kinds
if os.environ.get("REPORTS_TEST_FOUND_KIND"):
    import dataclasses
    kinds._KINDS = {key: dataclasses.replace(kind, module="reports.tests.found_kind")
                    for key, kind in kinds.registry().items()}
slow = os.environ.get("DRILL_SLOW")
if slow:
    import importlib
    module_name, function_name, seconds = slow.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, function_name)

    @functools.wraps(original)
    def slowed(*args, **kwargs):
        mark = os.environ.get("DRILL_MARK")
        if mark and not os.path.exists(mark):
            open(mark, "w").close()
        time.sleep(float(seconds))
        return original(*args, **kwargs)
    setattr(module, function_name, slowed)
from config.celery import app
app.worker_main(["worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--hostname", "drill-%d@%%h" % os.getpid()])
"""

SEED = """
import django
django.setup()
from campaign.tests.factories import build_city
build_city()
"""


class Drill:
    """The services, the project's environment on them, and the workers started."""

    def __init__(self, pg: Postgres, redis: Redis, root: Path):
        self.pg, self.redis, self.root = pg, redis, root
        self.media = root / "media"
        self.workers: list[subprocess.Popen] = []

    def env(self, **extra) -> dict:
        return project_env(**{
            "DATABASE_URL": self.pg.url(), "REDIS_URL": self.redis.url, "MEDIA_ROOT": self.media,
            "VAR_DIR": self.root, "DEBUG": None, "ALLOWED_HOSTS": "testserver", "REPORTS_QUEUE": "celery",
            "REPORTS_CATCH_UP": 0, "REPORT_LEASE_SECONDS": 3, "JOB_LEASE_SECONDS": LEASE,
            "REDIS_VISIBILITY_TIMEOUT": 3, "IMPORT_BACKGROUND_ROWS": 1, "LEDGER_EXPORT_BACKGROUND_ROWS": 1,
            "LEDGER_FINGERPRINT_DIR": self.root / "fingerprints", **extra,
        })

    def python(self, code: str, **extra) -> str:
        done = run_python(code, self.env(**extra), timeout=120)
        assert done.returncode == 0, done.stderr[-4000:]
        return done.stdout

    def manage(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True,
                              text=True, timeout=180)

    def start_worker(self, **extra) -> subprocess.Popen:
        log = open(self.root / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115 - closed at exit
        process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=self.env(**extra), stdout=log,
                                   stderr=subprocess.STDOUT)
        self.workers.append(process)
        return process

    def kill(self, process: subprocess.Popen):
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_workers(self):
        for process in self.workers:
            stop_process(process)

    def logs(self) -> str:
        return "\n".join(path.read_text()[-2500:] for path in sorted(self.root.glob("worker-*.log")))

    def ledger_intact(self):
        done = self.manage("verify_ledger")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "intact" in done.stdout


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    bindir = postgres_bin()
    if bindir is None:
        _need("PostgreSQL's server programs (/usr/lib/postgresql/*/bin: apt-get install postgresql)")
    if shutil.which("redis-server") is None:
        _need("redis-server (apt-get install redis-server)")
    root = tmp_path_factory.mktemp("drills")
    pg, redis = Postgres(bindir), Redis(root)
    try:
        pg.init()
        subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "drill"],
                       check=True, capture_output=True, timeout=60)
        redis.start()
        drill = Drill(pg, redis, root)
        migrated = drill.manage("migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr[-4000:]
        drill.python(SEED)
        yield drill
    finally:
        redis.stop()
        pg.stop()


@pytest.fixture
def drill(services, request):
    services.workers = []
    services.media = services.root / f"media-{request.node.name}"  # each drill's files apart
    yield services
    services.stop_workers()
    if services.redis.process is None:  # a drill failed while Redis was down
        services.redis.start()


RECORD = """
import datetime as dt, django
django.setup()
from campaign.models import SamplePoint, User
from ledger import services
from ledger.choices import Source
from reports.choices import ReportKind
from reports.periods import last_finished
week = last_finished(ReportKind.WEEKLY_ASSIGNMENT)
hq = User.objects.get(username="hq")
points = list(SamplePoint.objects.order_by("pk"))
for i in range({count}):
    point = points[i % len(points)]
    problem = services.problem_record(by=hq, category=point.category, sample_point=point, description="drill %d" % i,
                                      source=Source.UNANNOUNCED_VISIT, found_at=week.starts_at + dt.timedelta(hours=9 + i))
    print(problem.pk)
"""

REQUEST_REPORT = """
import django
django.setup()
from reports import services
from reports.choices import ReportKind
from reports.periods import last_finished
kind = ReportKind.{kind}
print(services.report_request(kind=kind, period_start=last_finished(kind).start).pk)
"""


BEAT_RELAY = "import django; django.setup(); from reports.services import report_relay; report_relay()"


# --- The database restarted -------------------------------------------------------------------


def test_a_database_restart_during_a_report_the_report_still_finishes_once(drill):
    drill.python(RECORD.format(count=2))
    drill.start_worker(REPORTS_TEST_FOUND_KIND=1, REPORTS_FOUND_KIND_DELAY=6)
    report_id = int(drill.python(REQUEST_REPORT.format(kind="WEEKLY_ASSIGNMENT")))
    state = "SELECT status, progress, attempts, data, workbook FROM reports_report WHERE id = %s"

    def computing():
        rows = drill.pg.query(state, [report_id])
        return rows and rows[0][0] == "running" and rows[0][1] > 0
    assert wait_for(computing, timeout=60, interval=0.2), drill.logs()
    drill.pg.restart()

    def finished():
        rows = drill.pg.query(state, [report_id])
        if rows and rows[0][0] in ("done", "failed"):
            return rows[0]
        # If the worker could not even put the report back (the server was still down), its
        # retry resumes the claim it holds; the relay (the beat's, every minute) is the fallback.
        drill.python(BEAT_RELAY)
        return None
    status, progress, attempts, data, workbook = wait_for(finished, timeout=90, interval=1) or (None,) * 5
    assert status == "done", drill.logs()
    # Taken up again after the restart: re-claimed from the queue (a second attempt), or resumed
    # by its retry under the claim it still held when the server refused the put-back (the same).
    assert progress == 100 and data["found"] >= 2 and attempts in (1, 2)
    # One workbook: an interrupted run removes its file or never wrote one.
    assert [f.relative_to(drill.media).as_posix() for f in drill.media.rglob("*.xlsx")] == [workbook]


# The transition sleeps after its UPDATE of the problem and before its event is written: the
# restart cuts the connection in the middle of the transaction.
TRANSITION = """
import sys, time, django
django.setup()
from campaign.models import Unit, User
from ledger import services
from ledger.models import Problem
original = services._append_event
def slowed(*args, **kwargs):
    print("inside", flush=True)
    time.sleep(6)
    return original(*args, **kwargs)
services._append_event = slowed
problem = Problem.objects.get(pk={problem_id})
try:
    services.problem_assign(problem=problem, unit=Unit.objects.get(name="甲街道办"), by=User.objects.get(username="hq"))
except Exception as error:
    print("refused", type(error).__name__, flush=True)
else:
    print("committed", flush=True)
"""

ASSIGN = """
import django
django.setup()
from campaign.models import Unit, User
from ledger import services
from ledger.models import Problem
problem = services.problem_assign(problem=Problem.objects.get(pk={problem_id}), unit=Unit.objects.get(name="甲街道办"),
                                  by=User.objects.get(username="hq"))
print(problem.status, problem.version)
"""


def test_a_database_restart_during_a_ledger_transition_leaves_no_half_written_state(drill):
    problem_id = int(drill.python(RECORD.format(count=1)))
    state = ("SELECT p.status, p.version, p.responsible_unit_id IS NULL OR p.assigned_at IS NULL,"
             " (SELECT count(*) FROM ledger_problemevent e WHERE e.problem_id = p.id)"
             " FROM ledger_problem p WHERE p.id = %s")
    before = drill.pg.query(state, [problem_id])[0]
    assert before[0] == "found" and before[3] == 1

    process = subprocess.Popen([sys.executable, "-c", TRANSITION.format(problem_id=problem_id)], cwd=ROOT,
                               env=drill.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "inside", process.stderr.read()[-3000:]
        drill.pg.restart()
        out, err = process.communicate(timeout=60)
    finally:
        stop_process(process)
    assert out.startswith("refused"), out + err[-3000:]
    assert drill.pg.value("SELECT 1") == 1  # the server is back
    assert drill.pg.query(state, [problem_id])[0] == before  # neither the move nor its event
    drill.ledger_intact()

    assert drill.python(ASSIGN.format(problem_id=problem_id)).split() == ["assigned", str(before[1] + 1)]
    assert drill.pg.query(state, [problem_id])[0][3] == 2
    drill.ledger_intact()


# --- Redis stopped and restarted ----------------------------------------------------------------

REQUEST_PAGES = """
import django
django.setup()
from django.test import Client
from campaign.models import User
from reports.choices import ReportKind
from reports.periods import last_finished
client = Client()
client.force_login(User.objects.get(username="hq"))
for kind in (ReportKind.WEEKLY_EXPOSURE, ReportKind.MONTHLY_COMPARISON):
    response = client.post("/reports/request/", {"kind": kind, "day": last_finished(kind).start.isoformat()})
    print(response.status_code)
print(client.get("/ledger/problems/").status_code)
"""

# Pages render without a collectstatic manifest, as under `make run`.
PAGES = {"DEBUG": 1}

# The outbox relay: the beat runs it every minute, and HQ opening the list runs it too.
RELAY = """
import django
django.setup()
from django.test import Client
from campaign.models import User
client = Client()
client.force_login(User.objects.get(username="hq"))
print(client.get("/reports/").status_code)
"""


def test_redis_stopped_and_restarted_while_reports_flow_loses_and_doubles_nothing(drill):
    from reports.services import RELAY_GRACE

    drill.python(RECORD.format(count=2))
    earlier = drill.pg.value("SELECT coalesce(max(id), 0) FROM reports_report")
    drill.start_worker(REPORTS_TEST_FOUND_KIND=1, REPORTS_FOUND_KIND_DELAY=4)
    running = int(drill.python(REQUEST_REPORT.format(kind="WEEKLY_ASSIGNMENT")))

    def computing():
        rows = drill.pg.query("SELECT status, progress FROM reports_report WHERE id = %s", [running])
        return rows and rows[0][0] == "running"
    assert wait_for(computing, timeout=60, interval=0.2), drill.logs()
    drill.redis.stop()

    # Requests while Redis is down: every page answers, the reports wait in the outbox.
    answers = drill.python(REQUEST_PAGES, **PAGES).split()
    assert answers == ["302", "302", "200"], answers
    waiting = drill.pg.query("SELECT id, status, sent_at FROM reports_report WHERE id > %s AND id <> %s",
                             [earlier, running])
    assert len(waiting) == 2 and all(row[1] == "queued" and row[2] is None for row in waiting)

    drill.redis.start()  # empty: whatever it held is gone
    time.sleep(RELAY_GRACE.total_seconds())
    # The outbox relay (beat every minute; HQ opening the list does the same) sends them now.
    assert drill.python(RELAY, **PAGES).strip() == "200"
    ours = "SELECT kind, status, progress, workbook FROM reports_report WHERE id > %s ORDER BY kind"

    def all_done():
        rows = drill.pg.query(ours, [earlier])
        return rows and all(row[1] in ("done", "failed") for row in rows)
    assert wait_for(all_done, timeout=120, interval=0.5), drill.logs()
    time.sleep(4)  # past the visibility timeout: a second delivery would have landed by now
    rows = drill.pg.query(ours, [earlier])
    assert sorted(row[0] for row in rows) == ["monthly_comparison", "weekly_assignment", "weekly_exposure"], rows
    assert all(row[1] == "done" and row[2] == 100 for row in rows), [rows, drill.logs()]
    stored = sorted(f.relative_to(drill.media).as_posix() for f in drill.media.rglob("*.xlsx"))
    assert stored == sorted(row[3] for row in rows)  # one workbook each, none twice


# --- The worker killed ------------------------------------------------------------------------

IMPORT = """
import django
django.setup()
from campaign.models import User
from ledger.tests.excel_helpers import ZH, ledger_row, xlsx_bytes
from ledger.transfer import services as transfer
hq = User.objects.get(username="hq")
rows = [ZH] + [ledger_row(description="导入演练 %d" % i) for i in range({rows})]
record, plan = transfer.ledger_import_preview(user=hq, file_name="drill.xlsx", data=xlsx_bytes(rows), run_now=True)
assert not plan.errors, plan.errors
print(transfer.ledger_import_confirm(user=hq, record=record).pk)
"""

SWEEP = "import django; django.setup(); from ledger.tasks import ledger_jobs_sweep; print(ledger_jobs_sweep())"


def kill_in_the_middle(drill: Drill, slow: str) -> None:
    mark = drill.root / f"mark-{time.monotonic_ns()}"
    first = drill.start_worker(DRILL_SLOW=slow, DRILL_MARK=mark)
    assert wait_for(mark.exists, timeout=60, interval=0.1), drill.logs()
    time.sleep(0.5)
    assert first.poll() is None, drill.logs()
    drill.kill(first)


IMPORT_STATE = "SELECT status, attempts FROM ledger_ledgerimport WHERE id = %s"
EXPORT_STATE = "SELECT status, attempts FROM ledger_ledgerexport WHERE id = %s"


def take_over(drill: Drill, state: str, job_id: int) -> tuple:
    """After the dead worker's lease, the sweep (beat) sends the job again and a new worker does it."""
    assert drill.pg.query(state, [job_id])[0] == ("running", 1)
    time.sleep(LEASE + 0.5)
    assert drill.python(SWEEP).strip() == "1"
    drill.start_worker()

    def finished():
        rows = drill.pg.query(state, [job_id])
        return rows[0] if rows and rows[0][0] in ("done", "failed") else None
    result = wait_for(finished, timeout=90, interval=0.5)
    assert result == ("done", 2), drill.logs()
    time.sleep(4)  # past the visibility timeout: the dead worker's message may come back now
    assert drill.pg.query(state, [job_id])[0] == ("done", 2)
    return result


def test_a_worker_killed_during_an_import_the_import_is_taken_over_and_written_once(drill):
    rows = 8
    before = drill.pg.value("SELECT count(*) FROM ledger_problem")
    # The import's batch insert sleeps inside the import's one transaction.
    slow = "ledger.services:_insert_recorded:5"
    import_id = int(drill.python(IMPORT.format(rows=rows)))
    kill_in_the_middle(drill, slow)
    assert drill.pg.value("SELECT count(*) FROM ledger_problem") == before  # nothing half-written

    take_over(drill, IMPORT_STATE, import_id)
    assert drill.pg.value("SELECT created_count FROM ledger_ledgerimport WHERE id = %s", [import_id]) == rows
    assert drill.pg.value("SELECT count(*) FROM ledger_problem") == before + rows
    assert drill.pg.value("SELECT count(*) FROM ledger_problem WHERE description LIKE '导入演练 %%'") == rows
    drill.ledger_intact()


EXPORT = """
import django
django.setup()
from campaign.models import User
from ledger.transfer import services as transfer
print(transfer.ledger_export_request(user=User.objects.get(username="hq"), filters={}, language="zh-hans").pk)
"""


def test_a_worker_killed_during_an_export_the_export_is_taken_over_and_written_once(drill):
    from openpyxl import load_workbook

    drill.python(RECORD.format(count=3))
    problems = drill.pg.value("SELECT count(*) FROM ledger_problem")
    export_id = int(drill.python(EXPORT))
    kill_in_the_middle(drill, "ledger.transfer.export:problem_cells:1")
    assert drill.pg.value("SELECT file FROM ledger_ledgerexport WHERE id = %s", [export_id]) == ""

    take_over(drill, EXPORT_STATE, export_id)
    name = drill.pg.value("SELECT file FROM ledger_ledgerexport WHERE id = %s", [export_id])
    exports = [p for p in drill.media.rglob("*.xlsx") if "ledger-" in p.name]
    assert [p.name for p in exports] == [Path(name).name]  # one file: the dead worker left none
    sheet = load_workbook(io.BytesIO((drill.media / name).read_bytes()), read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows()) == problems + 1
