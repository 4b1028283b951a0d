"""The production files describe web, worker, beat, PostgreSQL, Redis and the object storage
that holds the uploaded files."""

import shutil
import subprocess

import pytest
import yaml

from tests.helpers import ROOT


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_web_worker_beat_postgres_and_redis():
    services = compose()["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_compose_keeps_uploaded_files_in_object_storage_not_a_shared_disk():
    data = compose()
    services = data["services"]
    assert services["seaweedfs"]["image"].startswith("chrislusf/seaweedfs:")
    assert "s3data:/data" in services["seaweedfs"]["volumes"] and "s3data" in data["volumes"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["S3_ENDPOINT_URL"].endswith("http://seaweedfs:8333}") and "S3_BUCKET" in env
        assert not any(volume.startswith("media:") for volume in services[name]["volumes"])
    for name in ("migrate", "worker", "beat"):  # web starts after migrate
        assert services[name]["depends_on"]["seaweedfs"]["condition"] == "service_healthy"


def test_compose_config_is_valid_when_a_docker_client_is_present():
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("no docker compose client on this machine")
    result = subprocess.run(
        [docker, "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True, text=True,
        env={"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", "S3_SECRET_KEY": "y" * 40,
             "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


def test_compose_keeps_the_ledger_fingerprints_where_the_database_cannot_write():
    data = compose()
    services = data["services"]
    assert "fingerprints" in data["volumes"]
    for name in ("worker", "beat", "web"):
        assert services[name]["environment"]["LEDGER_FINGERPRINT_DIR"] == "/data/fingerprints"
        assert "fingerprints:/data/fingerprints" in services[name]["volumes"]
    assert not any(volume.startswith("fingerprints:") for volume in services["db"]["volumes"])
