"""Reports with a real Celery worker on Redis: end to end with the real kinds, a worker killed
in the middle of a report, Redis unreachable when HQ asks for one; and the beat schedule in
Asia/Shanghai time.

The worker runs in a subprocess on the test's own database and consumes a queue of its own
(REPORTS_QUEUE), so parallel test runs sharing one Redis never take each other's jobs.
"""

import copy
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zoneinfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from openpyxl import load_workbook

from ledger.models import Problem
from ledger.tests.factories import record
from reports import services
from reports.choices import ReportKind, ReportStatus
from reports.kinds import kind_keys
from reports.models import Report
from reports.periods import last_finished
from tests.helpers import ROOT, project_env, run_python, stop_process, wait_for, worker_database_url

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# A worker whose report kinds may be replaced by the engine's slow test kind.
WORKER = """
import os, django
django.setup()
from reports import kinds
if os.environ.get("REPORTS_TEST_FOUND_KIND"):
    import dataclasses
    kinds._KINDS = {key: dataclasses.replace(kind, module="reports.tests.found_kind")
                    for key, kind in kinds.registry().items()}
from config.celery import app
app.worker_main(["worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-Q", os.environ["REPORTS_QUEUE"],
                 "--hostname", "reports-test-%d@%%h" % os.getpid()])
"""




@pytest.fixture
def queue(settings):
    name = f"reports-test-{uuid.uuid4().hex[:10]}"
    settings.REPORTS_QUEUE = name
    return name


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker_env(queue, media, tmp_path):
    def make(**extra):
        return project_env(**{
            "REDIS_URL": django_settings.REDIS_URL, "DATABASE_URL": worker_database_url(), "MEDIA_ROOT": media,
            "REPORTS_QUEUE": queue, "REPORTS_CATCH_UP": 0, "DEBUG": None, **extra,
        })
    return make


class Workers:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self, env) -> subprocess.Popen:
        log = open(self.tmp_path / f"worker-{len(self.processes)}.log", "w")  # noqa: SIM115 - closed at exit
        process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(path.read_text()[-3000:] for path in sorted(self.tmp_path.glob("worker-*.log")))


@pytest.fixture
def workers(tmp_path):
    running = Workers(tmp_path)
    yield running
    for process in running.processes:
        stop_process(process)


def wait_status(report, statuses, timeout=90):
    def reached():
        report.refresh_from_db()
        return report.status in statuses
    return wait_for(reached, timeout=timeout, interval=0.3)


def problems_last_week(city, count=3):
    week = last_finished(ReportKind.WEEKLY_ASSIGNMENT)
    points = [*city.points_a, *city.points_b]
    return [record(city, point=points[i % len(points)], found_at=week.starts_at + dt.timedelta(days=i % 7, hours=9))
            for i in range(count)]


# --- End to end with the real kinds ----------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_worker_produces_the_three_reports_end_to_end(city, worker_env, workers):
    problems_last_week(city, count=5)
    reports = services.reports_catch_up()  # what the Monday schedule and a starting worker ask for
    assert {r.kind for r in reports} == set(kind_keys())
    assert all(r.sent_at for r in Report.objects.all())  # handed to Redis when each request committed

    workers.start(worker_env())
    for report in reports:
        assert wait_status(report, {ReportStatus.DONE, ReportStatus.FAILED}), workers.logs()
        assert report.status == ReportStatus.DONE, report.failure + workers.logs()
        assert report.attempts == 1 and report.progress == 100
        workbook = load_workbook(io.BytesIO(report.workbook.read()))
        assert len(workbook.sheetnames) >= 2  # the cover and the kind's sections

    weekly = next(r for r in reports if r.kind == ReportKind.WEEKLY_ASSIGNMENT)
    week = weekly.period
    found = Problem.objects.filter(found_at__gte=week.starts_at, found_at__lt=week.ends_at).count()
    assert found == 5
    assert weekly.data["progress"]["city"]["found"] == found


# --- A worker killed in the middle -----------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_report_the_report_still_finishes_once(city, worker_env, workers, media):
    problems_last_week(city, count=2)
    env = worker_env(REPORTS_TEST_FOUND_KIND=1, REPORTS_FOUND_KIND_DELAY=8, REPORT_LEASE_SECONDS=3,
                     REDIS_VISIBILITY_TIMEOUT=5)
    report = services.report_request(kind=ReportKind.WEEKLY_ASSIGNMENT,
                                     period_start=last_finished(ReportKind.WEEKLY_ASSIGNMENT).start)
    first = workers.start(env)

    def computing():
        report.refresh_from_db()
        return report.status == ReportStatus.RUNNING and report.progress > 0
    assert wait_for(computing, timeout=60, interval=0.2), workers.logs()
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.RUNNING, 1)

    # The dead worker's lease runs out; a new worker starts, relays the abandoned report and
    # takes it over (Redis may also deliver the unacknowledged job again: the claim refuses it).
    assert wait_for(lambda: timezone.now() > Report.objects.get(pk=report.pk).lease_until, timeout=10)
    workers.start(env)
    assert wait_status(report, {ReportStatus.DONE, ReportStatus.FAILED}), workers.logs()
    assert report.status == ReportStatus.DONE, report.failure
    assert report.attempts == 2 and report.data["found"] == 2

    time.sleep(7)  # past Redis' visibility timeout: a second delivery of the job would land now
    assert Report.objects.count() == 1
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 2)
    assert [p.name for p in media.rglob("*.xlsx")] == [os.path.basename(report.workbook.name)]


# --- Redis unreachable when HQ asks ----------------------------------------------------------

REQUEST_THROUGH_THE_PAGE = """
import time, django
django.setup()
from django.test import Client
from campaign.models import User
client = Client()
client.force_login(User.objects.get(username="hq"))
started = time.monotonic()
response = client.post("/reports/request/", {"kind": "weekly_assignment", "day": "%s"})
print(response.status_code, response.get("Location", ""), round(time.monotonic() - started, 2))
"""


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_request_succeeds_and_the_report_comes_when_redis_is_back(
    city, worker_env, workers
):
    problems_last_week(city, count=2)
    week = last_finished(ReportKind.WEEKLY_ASSIGNMENT)
    down = worker_env(REDIS_URL="redis://127.0.0.1:1/15", ALLOWED_HOSTS="testserver",
                      REPORTS_TEST_FOUND_KIND=None)
    result = run_python(REQUEST_THROUGH_THE_PAGE % week.start.isoformat(), down)
    assert result.returncode == 0, result.stderr[-3000:]
    status, location, seconds = result.stdout.split()
    report = Report.objects.get()
    assert (status, location) == ("302", f"/reports/{report.pk}/")  # to the report's page, no error
    # No hang on the dead broker: a refused connection is retried once, quickly. (Generous bound:
    # the time also includes the database work on a machine that may be busy.)
    assert float(seconds) < 15, result.stderr[-2000:]
    assert (report.status, report.sent_at) == (ReportStatus.QUEUED, None)
    assert "broker unreachable" in result.stderr

    # Redis is back: a worker starts and its start-up relay sends the report.
    time.sleep(services.RELAY_GRACE.total_seconds())
    workers.start(worker_env(REPORTS_TEST_FOUND_KIND=1))
    assert wait_status(report, {ReportStatus.DONE, ReportStatus.FAILED}), workers.logs()
    assert report.status == ReportStatus.DONE and report.sent_at is not None
    assert report.data["found"] == 2


# --- Beat in Asia/Shanghai -------------------------------------------------------------------


def schedule_of(name):
    from config.celery import app

    entry = django_settings.CELERY_BEAT_SCHEDULE[name]
    schedule = copy.copy(entry["schedule"])
    if not isinstance(schedule, float):
        schedule.app = app  # beat binds its entries to the app, whose timezone is Asia/Shanghai
    return entry["task"], schedule


def due_at(schedule, now_utc, last_run_utc):
    schedule.nowfun = lambda: now_utc
    return schedule.is_due(last_run_utc)


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(("name", "local_due"), [
    ("reports-weekly", dt.datetime(2026, 11, 23, 7, 0, tzinfo=SHANGHAI)),  # a Monday
    ("reports-monthly", dt.datetime(2026, 12, 1, 7, 0, tzinfo=SHANGHAI)),
    ("reports-quarterly", dt.datetime(2027, 1, 1, 7, 30, tzinfo=SHANGHAI)),
])
def test_the_schedule_fires_at_the_citys_local_time_not_utc(name, local_due):
    from config.celery import app

    assert str(app.timezone) == "Asia/Shanghai"
    _task, schedule = schedule_of(name)
    due_utc = local_due.astimezone(dt.UTC)
    last_run = due_utc - dt.timedelta(days=6)  # the previous run, long before
    # 07:00 in Shanghai is 23:00 UTC the evening before: Sunday night UTC for the Monday reports.
    assert due_utc.hour in (23,) and due_utc.date() == local_due.date() - dt.timedelta(days=1)
    assert not due_at(schedule, due_utc - dt.timedelta(minutes=1), last_run).is_due
    assert due_at(schedule, due_utc + dt.timedelta(seconds=30), last_run).is_due
    # It is not waiting for 07:00 UTC (15:00 in the city).
    naive_utc_seven = utc(local_due.year, local_due.month, local_due.day, 7, local_due.minute)
    assert not due_at(schedule, naive_utc_seven, due_utc + dt.timedelta(seconds=30)).is_due


def test_the_daily_sweep_and_the_relay_are_scheduled():
    task, schedule = schedule_of("reports-overdue-sweep")
    assert task == "reports.overdue_sweep"
    midnight = dt.datetime(2026, 11, 24, 0, 5, tzinfo=SHANGHAI).astimezone(dt.UTC)
    assert due_at(schedule, midnight + dt.timedelta(seconds=10), midnight - dt.timedelta(days=1)).is_due
    task, every = schedule_of("reports-relay")
    assert task == "reports.relay" and every == 60.0


@pytest.mark.django_db
@pytest.mark.parametrize(("task_name", "kinds", "now_utc", "period"), [
    # Monday 07:00 in Shanghai is still Sunday 23:00 UTC: the week just ended is 16-22 Nov,
    # not the week before (which the UTC date alone would give).
    ("reports_weekly_scheduled", {ReportKind.WEEKLY_ASSIGNMENT, ReportKind.WEEKLY_EXPOSURE},
     utc(2026, 11, 22, 23, 0, 5), (dt.date(2026, 11, 16), dt.date(2026, 11, 22))),
    # 1 December 07:00 in Shanghai is 30 November 23:00 UTC: the month just ended is November.
    ("reports_monthly_scheduled", {ReportKind.MONTHLY_COMPARISON}, utc(2026, 11, 30, 23, 0, 5),
     (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
    # 1 January 07:30 in Shanghai is 31 December 23:30 UTC: the quarter just ended is October to December.
    ("reports_quarterly_scheduled", {"quarterly_appraisal"}, utc(2026, 12, 31, 23, 30, 5),
     (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
])
def test_the_scheduled_task_picks_the_period_just_ended_in_shanghai(monkeypatch, task_name, kinds, now_utc, period):
    from reports import tasks
    from reports.kinds import kinds_of_period

    monkeypatch.setattr(timezone, "now", lambda: now_utc)
    monkeypatch.setattr(services, "report_send", lambda **kwargs: True)
    getattr(tasks, task_name).apply()
    getattr(tasks, task_name).apply()  # fired twice (beat restarted): still one report per kind
    reports = list(Report.objects.all())
    # The built-in kinds of that period, and any other the registry holds (reports/kinds).
    assert kinds <= {report.kind for report in reports} == set(kinds_of_period(
        {"reports_weekly_scheduled": "week", "reports_monthly_scheduled": "month"}.get(task_name, "quarter")))
    assert len(reports) == len({report.kind for report in reports})
    for report in reports:
        assert (report.period_start, report.period_end) == period
        assert report.scheduled and report.district is None
