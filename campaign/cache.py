"""The cache as an optimisation only: when it fails (Redis down), callers compute instead.

Every page or throttle that reads the cache goes through ``cache_get`` / ``cache_set`` (or
``forgiving_cache`` where a library wants a cache object), so an unreachable cache is logged
and ignored instead of answering 500.
"""

import logging

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

logger = logging.getLogger(__name__)


def cache_get(key: str, default=None):
    """The cached value, or ``default`` when it is missing or the cache cannot be read."""
    try:
        return cache.get(key, default)
    except Exception:  # noqa: BLE001 - any cache failure means "not cached"
        logger.warning("cache unavailable: reading %s failed", key, exc_info=True)
        return default


def cache_get_many(keys) -> dict:
    """The cached values of ``keys`` that are there, in one round trip; {} when the cache
    cannot be read."""
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - any cache failure means "not cached"
        logger.warning("cache unavailable: reading %d keys failed", len(keys), exc_info=True)
        return {}


# --- What every page's header reads, in one round trip -------------------------------------------
# The current campaign, and for the signed-in person the menu's task counts and unread count:
# three keys on every page, read by three context processors. The first to ask reads them all
# (``page_values``) and keeps them on the request; apps register the keys they read for a person
# (``register_page_key``, from their AppConfig.ready()), so the ground floor names none of theirs.

_page_keys: list = []  # (user) -> a key


def register_page_key(key_of) -> None:
    if key_of not in _page_keys:
        _page_keys.append(key_of)


def page_values(request, *keys: str) -> dict:
    """The cached values of ``keys`` and of every registered key for ``request``'s person, each
    read once per request, together; a key that was not cached holds None (as ``cache_get``
    answers it), so its reader computes it without asking the cache again."""
    user = getattr(request, "user", None)
    wanted = [*keys, *((key_of(user) for key_of in _page_keys) if user is not None and user.is_authenticated
                       else ())]
    values = getattr(request, "_page_cache_values", None)
    if values is None:
        values = request._page_cache_values = {}
    missing = [key for key in wanted if key not in values]
    if missing:
        found = cache_get_many(missing)
        values.update((key, found.get(key)) for key in missing)
    return values


def cache_set(key: str, value, timeout=DEFAULT_TIMEOUT) -> bool:
    """Store ``value``; False (logged) when the cache cannot be written."""
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001 - a value not kept is computed again next time
        logger.warning("cache unavailable: writing %s failed", key, exc_info=True)
        return False
    return True


class ForgivingCache:
    """``get``/``set`` of the default cache through the two functions above, for libraries
    that take a cache object (DRF's throttles)."""

    def get(self, key, default=None):
        return cache_get(key, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT):
        return cache_set(key, value, timeout)


forgiving_cache = ForgivingCache()


def cache_delete(key: str) -> bool:
    """Drop ``key``; False (logged) when the cache cannot be written (the value then expires)."""
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 - a value not dropped expires on its own
        logger.warning("cache unavailable: deleting %s failed", key, exc_info=True)
        return False
    return True


class _ReusedClients(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool. Django's
    builds a new one for every cache call, and building one fills its table of ~170 response
    callbacks: measured, 0.15 ms of CPU per call (as much as the GET itself), four calls per page
    (the session, the current campaign, the task counts, bench/README.md). A ``redis.Redis``
    is safe to share between threads (each command takes a connection from the pool), and
    its pool starts afresh in a forked process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class RedisCache(DjangoRedisCache):
    """``CACHES`` backend with Redis (config/settings.py): Django's, reusing its clients."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients
