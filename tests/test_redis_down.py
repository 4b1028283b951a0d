"""Defect 8: Redis down must not answer 500. /healthz/ reports each dependency and stays 200
while the database answers; pages and the login throttle compute without the cache."""

import pytest
from django.urls import reverse

from campaign.tests.factories import PASSWORD
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails with "connection refused" at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "campaign.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions read from Redis in front of the database, as when Redis is configured: signing
    # in and every page fall back to the database (campaign/sessions.py).
    settings.SESSION_ENGINE = "campaign.sessions"


@pytest.fixture
def broker_down():
    before = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD_REDIS
    yield
    celery_app.conf.broker_url = before


def test_healthz_answers_200_and_reports_the_cache_down_when_redis_is_down(client, redis_down, broker_down):
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"] == "down"
    assert body["broker"] == "down"
    assert body["worker"] == "unknown"


def test_healthz_reports_every_dependency_ok_when_all_answer(client):
    body = client.get("/healthz/").json()
    assert {key: body[key] for key in ("database", "cache", "broker")} == {
        "database": "ok", "cache": "ok", "broker": "ok",
    }
    assert "worker" in body


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    from config import views

    monkeypatch.setattr(views, "_database_state", lambda: "down")
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_dashboard_is_computed_without_the_cache_when_redis_is_down(city, client, redis_down, settings):
    settings.REPORT_DASHBOARD_CACHE_SECONDS = 300
    client.force_login(city.users["leader"])
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200


def test_token_endpoint_answers_without_the_cache_when_redis_is_down(city, client, redis_down):
    response = client.post(
        reverse("api-token"), {"username": "hq", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["token"]


def test_signing_in_works_and_signing_out_says_it_did_not_finish_when_redis_is_down(city, client, redis_down):
    """With the sessions' cache unreachable a person signs in (the old key's copy waits) and
    works; signing out is refused with 503 and a page saying the session is still open, since
    ending it in the database alone would leave a copy that signs them back in later."""
    response = client.post(reverse("login"), {"username": "hq", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("ledger:problem_list")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 503
    assert "Clear-Site-Data" not in response
    assert b'action="' + reverse("logout").encode() in response.content  # the retry
    assert client.get(reverse("ledger:problem_list")).status_code == 200  # still signed in
