"""The API's JSON renderer (REST_FRAMEWORK's DEFAULT_RENDERER_CLASSES): DRF's, written by orjson.

DRF writes JSON with the standard library's encoder, which calls back into Python for every
value it does not know; a ledger page of 50 rows took about 0.4 ms of a 7 ms answer to write
(bench/README.md). orjson writes the same bytes in a tenth of that. What orjson would write
differently is routed back to DRF's own rules:

- dates, times and datetimes go through DRF's encoder (``2026-12-07T08:00:00Z`` where orjson
  would write ``+00:00``), as do dataclasses, Decimals, lazy translations and anything else
  orjson does not know;
- U+2028 and U+2029 are escaped, as DRF escapes them (a JSON text that is valid JavaScript);
- anything orjson refuses (a key that is not a string, an integer beyond 64 bits, a string
  with a lone surrogate) is written by DRF's renderer instead, so it succeeds or fails exactly
  as before;
- pretty-printed answers (``Accept: application/json; indent=4``, the browsable API) and
  non-compact or ASCII-only settings are DRF's renderer too.

One difference is left, as it cannot be detected without a second pass: a float that is NaN or
infinite is written as ``null`` where DRF's strict mode fails the request. No API of this
project answers such a float (coordinates and scores come from the database's numbers).
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSONRenderer, the same bytes, written by orjson (see the module's docstring)."""

    _default = staticmethod(JSONEncoder().default)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if (data is None or self.ensure_ascii or not self.compact
                or self.get_indent(accepted_media_type, renderer_context or {}) is not None):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            written = orjson.dumps(data, default=self._default, option=OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        if LINE_SEPARATOR in written or PARAGRAPH_SEPARATOR in written:
            written = written.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")
        return written
