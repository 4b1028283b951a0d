"""Who is asking: the client address that throttles and lock-outs count by.

Behind TRUSTED_PROXY_COUNT reverse proxies, each appends the address it received the request
from to X-Forwarded-For, so the client is the entry that many places from the end; anything
before it was written by the client and is not trusted. With no trusted proxy (the default)
the header is ignored and the client is the connection's address. DRF's throttles
(NUM_PROXIES) and django-axes (AXES_CLIENT_IP_CALLABLE) both use this one rule.
"""

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from .cache import forgiving_cache


def client_address(request) -> str | None:
    """The client's address as the configured number of trusted proxies defines it."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies == 0 or not forwarded:
        return remote
    hops = forwarded.split(",")
    # As DRF does: a shorter chain than configured gives its first entry.
    return hops[-min(proxies, len(hops))].strip() or remote


class ScopedLoginThrottle(ScopedRateThrottle):
    """DRF's scoped throttle counting by ``client_address``; its counters live in the cache,
    and when the cache is down it lets requests through (the lock-out, kept in the database,
    still holds)."""

    cache = forgiving_cache

    def get_ident(self, request):
        return client_address(request)


class AddressRateThrottle(SimpleRateThrottle):
    """DRF's rate throttle (cache counters) per ``client_address``, for plain views as well as
    DRF's: ``AddressRateThrottle().allow_request(request, None)``. A subclass names its
    ``scope`` and the setting holding its rate (``rate_setting``, DRF's format "N/minute");
    when the cache is down it lets requests through."""

    cache = forgiving_cache
    rate_setting = ""

    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}
