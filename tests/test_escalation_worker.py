"""The escalation ladder driven by a real Celery worker on Redis (the issue's "Show it"): a
problem 3 days overdue gets exactly one supervision notice, however often the sweep runs.

The worker runs in a subprocess on the test's own database and consumes a queue of its own, so
parallel runs sharing one Redis never take each other's jobs."""

import re
import subprocess
import sys
import uuid

import pytest

from accountability import services, tasks
from accountability.models import SupervisionNotice
from accountability.tests.factories import overdue_problem
from notifications.models import Notification
from tests.helpers import ROOT, project_env, stop_process, wait_for, worker_database_url

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

WORKER = """
import os, django
django.setup()
from config.celery import app
app.worker_main(["worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-Q", os.environ["ESCALATION_QUEUE"],
                 "--hostname", "escalation-test-%d@%%h" % os.getpid()])
"""
DONE = re.compile(r"Task accountability\.escalation_sweep\[[^\]]+\] succeeded in [^:]+: '([^']*)'")


def test_the_ladder_issues_one_supervision_notice_after_three_days_overdue(city, settings, tmp_path):
    services.accountability_defaults_seed()
    problem = overdue_problem(city, 3)
    overdue_problem(city, 2, point=city.points_b[0])  # not yet
    queue = f"escalation-test-{uuid.uuid4().hex[:10]}"
    log_path = tmp_path / "worker.log"
    env = project_env(DATABASE_URL=worker_database_url(), REDIS_URL=settings.REDIS_URL, ESCALATION_QUEUE=queue,
                      REPORTS_CATCH_UP=0, DEBUG=None)
    with open(log_path, "w") as log:
        worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        for _ in range(2):  # beat on two nodes, or a sweep run by hand after beat's
            tasks.escalation_sweep.apply_async(queue=queue)

        def finished():
            return DONE.findall(log_path.read_text()) if len(DONE.findall(log_path.read_text())) >= 2 else None

        summaries = wait_for(finished, timeout=90, interval=0.5)
    finally:
        stop_process(worker)
    assert summaries, log_path.read_text()[-3000:]
    assert summaries == ["1 notices, 0 interview listings, 0 proposals",
                         "0 notices, 0 interview listings, 0 proposals"]
    notice = SupervisionNotice.objects.get()
    assert notice.unit == city.office_a and [item.problem for item in notice.items.all()] == [problem]
    assert notice.number.endswith("第0001号")
    assert Notification.objects.filter(event="supervision.notice").count() == 2  # the unit and its district lead
