"""The cache as an optimisation only: when it fails (Redis down), callers compute instead.

Every page or throttle that reads the cache goes through ``cache_get`` / ``cache_set`` (or
``forgiving_cache`` where a library wants a cache object), so an unreachable cache is logged
and ignored instead of answering 500.
"""

import logging

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT

logger = logging.getLogger(__name__)


def cache_get(key: str, default=None):
    """The cached value, or ``default`` when it is missing or the cache cannot be read."""
    try:
        return cache.get(key, default)
    except Exception:  # noqa: BLE001 - any cache failure means "not cached"
        logger.warning("cache unavailable: reading %s failed", key, exc_info=True)
        return default


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


def cache_delete(key: str) -> None:
    """Forget ``key`` (logged, not raised, when the cache cannot be written)."""
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 - a stale value expires by its own timeout
        logger.warning("cache unavailable: deleting %s failed", key, exc_info=True)
