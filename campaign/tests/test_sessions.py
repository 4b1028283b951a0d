"""Sessions read from the cache in front of the database (campaign/sessions.py): a request's
session costs no query once cached, the database keeps every session, a cache that cannot be
reached falls back to the database, and a session never outlives its end in the cache."""

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from campaign.sessions import SessionNotEnded, SessionStore

pytestmark = pytest.mark.django_db

WORKING = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions-test"}
# Nothing listens on port 1: every call fails at once with a connection error.
UNREACHABLE = {"BACKEND": "campaign.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
               "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}


def _caches(sessions):
    return override_settings(CACHES={"default": WORKING, "sessions": sessions}, SESSION_CACHE_ALIAS="sessions")


def _new_session() -> str:
    store = SessionStore()
    store["person"] = 7
    store.save(must_create=True)
    return store.session_key


def test_a_cached_session_is_read_without_a_query_and_the_database_keeps_it():
    with _caches(WORKING):
        caches["sessions"].clear()
        key = _new_session()
        assert Session.objects.filter(session_key=key).exists()
        with CaptureQueriesContext(connection) as queries:
            assert SessionStore(key)["person"] == 7
        assert len(queries) == 0
        caches["sessions"].clear()  # a restarted Redis: the row is read and the copy put back
        assert SessionStore(key)["person"] == 7
        with CaptureQueriesContext(connection) as queries:
            assert SessionStore(key)["person"] == 7
        assert len(queries) == 0


def test_an_unreachable_cache_serves_sessions_from_the_database():
    with _caches(UNREACHABLE):
        key = _new_session()  # creating checks the new key and saves: both reach the database
        assert SessionStore(key)["person"] == 7
        assert SessionStore("no-such-session-key-0123456789").load() == {}


def test_ending_a_session_removes_the_cached_copy_and_the_row():
    with _caches(WORKING):
        key = _new_session()
        SessionStore(key).delete()
        assert not Session.objects.filter(session_key=key).exists()
        assert caches["sessions"].get(SessionStore.cache_key_prefix + key) is None
        assert SessionStore(key).load() == {}


def test_a_copy_put_back_while_the_row_is_deleted_is_removed_too(monkeypatch):
    """A request reading the session between the first removal and the row's deletion puts the
    copy back from the row; the second removal drops it."""
    from django.contrib.sessions.backends.db import SessionStore as DBStore

    with _caches(WORKING):
        key = _new_session()
        original = DBStore.delete

        def delete_with_a_reader_meanwhile(self, session_key=None):
            assert SessionStore(key)["person"] == 7  # another request: cache miss, row read, copy put back
            original(self, session_key)

        monkeypatch.setattr(DBStore, "delete", delete_with_a_reader_meanwhile)
        SessionStore(key).delete()
        assert caches["sessions"].get(SessionStore.cache_key_prefix + key) is None
        assert SessionStore(key).load() == {}


def test_a_session_is_not_ended_while_the_cache_cannot_be_reached():
    """Ending it then would leave a copy the cache serves again once it is back: the sign-out
    fails instead (and can be done again), and the session is still whole in the database."""
    with _caches(WORKING):
        key = _new_session()
    with _caches(UNREACHABLE), pytest.raises(SessionNotEnded) as refused:
        SessionStore(key).delete()
    assert isinstance(refused.value.__cause__, redis.exceptions.ConnectionError)
    assert Session.objects.filter(session_key=key).exists()
    with _caches(WORKING):
        assert SessionStore(key)["person"] == 7
        SessionStore(key).delete()
        assert SessionStore(key).load() == {}


def test_a_new_key_at_sign_in_is_given_while_the_cache_cannot_be_reached():
    """Signing in must work with Redis down: the old key's row goes, its copy (if any) waits."""
    with _caches(UNREACHABLE):
        store = SessionStore(_new_session())
        old = store.session_key
        store.cycle_key()
        assert store.session_key != old and store["person"] == 7
        assert not Session.objects.filter(session_key=old).exists()
        assert SessionStore(store.session_key)["person"] == 7


def test_a_page_reads_its_session_from_the_cache_without_a_query(city, settings):
    """The engine as configured with Redis: a signed-in page costs one query fewer than with
    the database's sessions (the tests' runs use those, conftest.py). A client per engine: the
    session middleware takes the engine when its first request comes."""
    from django.test import Client

    counted = {}
    for engine in ("django.contrib.sessions.backends.db", "campaign.sessions"):
        settings.SESSION_ENGINE = engine
        client = Client()
        client.force_login(city.hq)
        client.get("/ledger/problems/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/ledger/problems/").status_code == 200
        counted[engine] = queries.captured_queries
    assert len(counted["campaign.sessions"]) == len(counted["django.contrib.sessions.backends.db"]) - 1
    assert not any("django_session" in query["sql"] for query in counted["campaign.sessions"])
