"""The Redis cache backend (campaign.cache.RedisCache) keeps one client per connection pool
instead of building one per call, and still reads and writes as Django's does."""

import threading

import pytest
from django.conf import settings

from campaign.cache import RedisCache

pytestmark = pytest.mark.redis


def test_one_client_per_pool_shared_by_threads_and_values_round_trip():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-cache-client"})
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is first
    assert cache._cache.get_client("c", write=True) is first  # one server: one pool for both
    seen, errors = [], []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", {"n": n, "i": i}, 30)
                seen.append(cache.get(f"k{n}-{i}") == {"n": n, "i": i})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(seen) == 200 and all(seen)
    assert cache.add("k0-0-count", 1) and cache.incr("k0-0-count", 1) == 2
    cache.delete_many([f"k{n}-{i}" for n in range(4) for i in range(50)] + ["k0-0-count"])
    assert cache.get("k1-1") is None
