"""The API's JSON renderer (REST_FRAMEWORK's DEFAULT_RENDERER_CLASSES): DRF's, written by orjson.

DRF writes JSON with the standard library's encoder, which calls back into Python for every
value it does not know; a ledger page of 50 rows took about 0.4 ms of a 7 ms answer to write
(bench/README.md). orjson writes the same bytes in a tenth of that (less than half of it with
the look for floats below). What orjson would write differently is routed back to DRF's rules:

- values orjson does not write as the standard library does go to ``_default`` below:
  datetimes, dates and times (DRF writes ``Z`` for UTC), dataclasses, and subclasses of str,
  int, dict and list (written as the standard library writes them: a str or int subclass by its
  value, a dict subclass by its ``items()``, so a ``QueryDict`` gives each key's last value and
  an ``OrderedDict`` its own order). ``_default`` converts only values it can convert without
  using them up (lazy translations, Decimals, UUIDs, addresses…, as DRF's encoder does); for
  anything else (a generator, a queryset, an unknown object) it gives up at once;
- when orjson gives up (such a value, a key that is not a string, an integer beyond 64 bits, a
  lone surrogate), the answer is written by DRF's renderer from the start, so it succeeds or
  fails exactly as before;
- a float between about 1e-9 and 1e-4 is written "0.00001" or "1e-6" by orjson and "1e-05" and
  "1e-06" by the standard library: an answer in which such a number may appear (the pattern is
  looked for in the bytes, strings included) is written by DRF's renderer;
- U+2028 and U+2029 are escaped, as DRF escapes them (a JSON text that is valid JavaScript);
- pretty-printed answers (``Accept: application/json; indent=4``, the browsable API) and
  non-compact or ASCII-only settings are DRF's renderer.

One difference is left, as it cannot be found without walking the data: a float that is NaN or
infinite is written as ``null``, where DRF's strict mode fails the request with a server error
(a Decimal NaN or infinity is refused by ``_default`` and fails as before).
campaign/tests/test_json_renderer.py compares the two renderers byte for byte.
"""

import datetime
import decimal
import ipaddress
import math
import uuid

import orjson
from django.utils.functional import Promise
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()
_drf_default = JSONEncoder().default
_ADDRESSES = (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network,
              ipaddress.IPv4Interface, ipaddress.IPv6Interface)


def float_written_otherwise(written: bytes) -> bool:
    """Whether ``written`` may hold a float orjson writes otherwise than the standard library:
    "1e-6" (a one-digit negative exponent; "1e-06") or "0.00001" ("1e-05"). Looked for with
    ``bytes.find`` (a regular expression took 2 ms on a 36 kB answer); text that looks so only
    sends the answer to DRF's renderer."""
    if b"0.0000" in written:
        return True
    at = written.find(b"e-")
    while at != -1:
        if (at and written[at - 1:at].isdigit() and written[at + 2:at + 3].isdigit()
                and not written[at + 3:at + 4].isdigit()):
            return True
        at = written.find(b"e-", at + 2)
    return False


class _GiveUp(TypeError):
    """A value ``_default`` leaves to DRF's renderer."""


def _default(value):
    """What the standard library's encoder with DRF's ``default`` makes of ``value``, for the
    values that can be converted without being used up; anything else gives up."""
    if isinstance(value, str):
        return str.__str__(value)  # a str subclass: its text
    if isinstance(value, int):
        return int.__int__(value)  # an int subclass (IntEnum…): its value
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, dict):
        return dict(value.items())
    if isinstance(value, list):
        return list(value)
    if isinstance(value, decimal.Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise _GiveUp  # DRF's strict renderer refuses it
        return number
    if isinstance(value, Promise | datetime.datetime | datetime.date | datetime.time | datetime.timedelta
                  | uuid.UUID | _ADDRESSES):
        return _drf_default(value)
    raise _GiveUp


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSONRenderer, the same bytes, written by orjson (see the module's docstring)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if (data is None or self.ensure_ascii or not self.compact
                or self.get_indent(accepted_media_type, renderer_context or {}) is not None):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            written = orjson.dumps(data, default=_default, option=OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        if float_written_otherwise(written):
            return super().render(data, accepted_media_type, renderer_context)
        if LINE_SEPARATOR in written or PARAGRAPH_SEPARATOR in written:
            written = written.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")
        return written
