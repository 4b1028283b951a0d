"""`make run` (scripts/serve.sh) stops the server, the worker and beat together, within
seconds: on Ctrl-C (SIGINT to its process group), on SIGTERM, and even when a worker does not
answer (its warm shutdown would wait for a running report up to 30 minutes: it is killed after
STOP_GRACE_SECONDS). When the script itself is killed with SIGKILL, the worker and beat notice
that their parent is gone and stop by themselves, so nothing goes on consuming var/broker.

Each test runs the real script in its own session on a free port, SQLite and the embedded
broker in a temporary folder, and watches /proc for the session's processes."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import ROOT, project_env, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches /proc")

GRACE = 3
STOPPED_WITHIN = GRACE + 12  # the script's grace, the worker's own bound, and slack for a busy machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session(sid: int) -> dict[int, str]:
    """Live processes of a session: pid -> command line (zombies are dead)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            state, session = fields[0], int(fields[3])
            if session == sid and state != "Z":
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return found


def _as_from_a_terminal():
    """SIGINT as a terminal's shell leaves it. A suite started in the background by a script
    (CI's SQLite run) inherits SIGINT ignored, and a non-interactive bash cannot trap a signal
    that was ignored when it started: serve.sh would never hear the Ctrl-C these tests send."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A migrated SQLite database holding a campaign (so serve.sh seeds nothing), copied per test."""
    folder = tmp_path_factory.mktemp("serve-template")
    env = project_env(VAR_DIR=folder, DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}", REDIS_URL=None,
                      DEBUG=1)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    code = "from campaign.models import Campaign; Campaign.objects.create(name='t', city='Testville', kind='creating')"
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    return folder / "db.sqlite3"


@pytest.fixture
def served(tmp_path, migrated):
    """serve.sh running and healthy: (its Popen, its session id, the port, the log)."""
    shutil.copy(migrated, tmp_path / "db.sqlite3")
    port = _free_port()
    env = project_env(VAR_DIR=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=None,
                      DEBUG=1, PORT=port, STOP_GRACE_SECONDS=GRACE, EXIT_WITH_PARENT_PID=None)
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=_as_from_a_terminal)

    def healthy():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    try:
        assert wait_for(healthy, timeout=180, interval=1), (tmp_path / "serve.log").read_text()[-3000:]
        # The worker and beat are up too.
        assert wait_for(lambda: _count(process.pid, "worker") >= 1 and _count(process.pid, "beat") == 1, 60)
        yield process, process.pid, tmp_path / "serve.log"
    finally:
        # Whatever a failed test left behind: only this session's processes, by id.
        for pid in _session(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)
        log.close()


def _count(sid: int, word: str) -> int:
    return sum(1 for command in _session(sid).values() if f"celery -A config {word}" in command)


def _gone(sid: int, *, within: float, keep=lambda command: False) -> dict[int, str]:
    """Wait until no process of the session is left (but those ``keep`` accepts); the survivors."""
    wait_for(lambda: not {p: c for p, c in _session(sid).items() if not keep(c)}, timeout=within, interval=0.2)
    return {pid: command for pid, command in _session(sid).items() if not keep(command)}


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_group_stops_every_process(served, sent):
    process, sid, log = served
    assert len(_session(sid)) >= 5  # the script, worker (and its pool), beat, server (and its reloader)
    os.killpg(sid, sent)
    survivors = _gone(sid, within=STOPPED_WITHIN)
    assert not survivors, (survivors, log.read_text()[-2000:])
    assert process.wait(timeout=5) != 0


def test_a_worker_that_does_not_answer_is_killed_after_the_grace(served):
    process, sid, log = served
    worker = next(pid for pid, command in _session(sid).items()
                  if "celery -A config worker" in command and os.getpgid(pid) == pid)
    os.kill(worker, signal.SIGSTOP)  # as deaf to SIGTERM as a worker waiting for a long report
    os.killpg(sid, signal.SIGINT)
    survivors = _gone(sid, within=STOPPED_WITHIN)
    assert not survivors, (survivors, log.read_text()[-2000:])


def test_the_worker_and_beat_stop_by_themselves_when_the_script_is_killed(served):
    process, sid, log = served
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=5)
    survivors = _gone(sid, within=STOPPED_WITHIN, keep=lambda command: "runserver" in command)
    assert not survivors, (survivors, log.read_text()[-2000:])
    assert "is gone: stopping" in log.read_text()
