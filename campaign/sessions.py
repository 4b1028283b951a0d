"""Sessions read from the cache (Redis) in front of the database, which stays their record.

``SESSION_ENGINE`` when Redis is configured (config/settings.py); without Redis, sessions are
the database's alone. Every request reads its session, so the cache saves a query and its
ORM work on each (bench/README.md). The database keeps every session (a phone cut off finds
its person's sessions there, fieldwork/services/devices.py), and the cached copy is only ever
a copy: Django's ``cached_db`` engine as it is, except where the cache fails.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger("campaign.sessions")


class SessionStore(cached_db.SessionStore):
    """``cached_db`` with two guards:

    - **reading**: a cache that cannot be read or written serves the session from the database
      (Django's engine writes the copy back unguarded, so an unreachable Redis would make every
      page a 500);
    - **ending** (signing out, a phone cut off): the cached copy is removed before the database
      row and again after it. If the cache cannot be reached the session is not ended:
      ``SessionNotEnded`` is raised (the sign-out page says so and can be sent again) rather
      than leaving a copy in the cache (Redis keeps it on disk) that would sign the person back
      in once it is reachable. The second removal drops a copy that a request running meanwhile
      may have put back from the row.
    - **a new key at sign-in** (``cycle_key``): the old key's copy is removed if the cache can
      be reached, its row always. A copy left behind holds only what the old key held before
      the sign-in (Django moves the person into the new key), so it grants nothing new.
    """

    _ending_strictly = True

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unreadable; reading the session from the database", exc_info=True)
            return DBStore.load(self)
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception:
            logger.warning("Session cache unwritable; the session is read from the database", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:  # a new session's key is checked against the database alone
            logger.warning("Session cache unreadable; checking the new key in the database", exc_info=True)
            return DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        cached = self.cache_key_prefix + session_key
        self._forget_copy(cached)
        DBStore.delete(self, session_key)
        self._forget_copy(cached)

    def cycle_key(self):
        self._ending_strictly = False
        try:
            super().cycle_key()
        finally:
            self._ending_strictly = True

    def _forget_copy(self, cached: str) -> None:
        try:
            self._cache.delete(cached)
        except Exception as error:
            if self._ending_strictly:
                raise SessionNotEnded from error
            logger.warning("Session cache unreachable; the old key's copy stays until it expires", exc_info=True)


class SessionNotEnded(Exception):
    """The session's cached copy could not be removed: the session was not ended."""
