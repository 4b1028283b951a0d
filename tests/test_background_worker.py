"""A real Celery worker processes jobs, on the embedded broker (make run) and on Redis (production)."""

import pytest

from tests.helpers import project_env, run_python, start_worker, stop_process, wait_for

SEND = "import django; django.setup(); from config.celery import heartbeat; heartbeat.delay()"
READ = (
    "import django; django.setup(); from django.core.cache import cache; "
    "from config.celery import HEARTBEAT_CACHE_KEY as K; print(cache.get(K) or '')"
)
CLEAR = (
    "import django; django.setup(); from django.core.cache import cache; "
    "from config.celery import HEARTBEAT_CACHE_KEY as K; cache.delete(K)"
)


def roundtrip(env, tmp_path):
    assert run_python(CLEAR, env).returncode == 0
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        sent = run_python(SEND, env)
        assert sent.returncode == 0, sent.stderr

        def stamped():
            result = run_python(READ, env)
            return result.stdout.strip()

        stamp = wait_for(stamped, timeout=60, interval=1)
    finally:
        stop_process(worker)
    assert stamp, (tmp_path / "worker.log").read_text()[-3000:]


def test_worker_processes_a_job_on_the_embedded_broker(tmp_path):
    env = project_env(REDIS_URL=None, VAR_DIR=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    roundtrip(env, tmp_path)


@pytest.mark.redis
def test_worker_processes_a_job_on_redis(tmp_path, settings):
    env = project_env(REDIS_URL=settings.REDIS_URL, VAR_DIR=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    roundtrip(env, tmp_path)


def test_healthz_reports_database_and_worker_state(client, db):
    from django.core.cache import cache

    from config.celery import HEARTBEAT_CACHE_KEY, heartbeat

    cache.delete(HEARTBEAT_CACHE_KEY)
    assert client.get("/healthz/").json() == {
        "database": "ok", "cache": "ok", "broker": "ok", "worker": "unknown",
        "worker_heartbeat_age_seconds": None,
    }
    heartbeat()
    body = client.get("/healthz/").json()
    assert body["worker"] == "ok"
    assert 0 <= body["worker_heartbeat_age_seconds"] < 60
