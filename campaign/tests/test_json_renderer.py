"""The API's JSON renderer writes what DRF's writes (campaign/api/renderers.py)."""

import dataclasses
import datetime
import decimal
import json
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import renderers

from campaign.api.renderers import JSONRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def both(data, accepted="application/json", context=None):
    return (renderers.JSONRenderer().render(data, accepted, context),
            JSONRenderer().render(data, accepted, context))


# Values as the API's serializers hand them over: text of every kind (CJK, control characters,
# the line and paragraph separators DRF escapes), whole numbers, None, booleans, dates and
# datetimes (aware and naive), Decimals, UUIDs, lazy translations, nested lists and dicts.
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.sampled_from(["\u2028", "a\u2029b", "捕蝇笼\x00", "\x1f", "</script>", "\ud7ff"]),
    st.dates(), st.datetimes(timezones=st.sampled_from([None, datetime.UTC, SHANGHAI])),
    st.times(), st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.uuids(), st.just(gettext_lazy("Problems")),
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_same_bytes_as_drf(data):
    drf, ours = both(data)
    assert ours == drf


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_read_back_the_same(number):
    # Both write the shortest text that reads back as the same float ("1e+16" and "1e16").
    drf, ours = both({"value": number, "list": [number]})
    assert json.loads(ours) == json.loads(drf)


@dataclasses.dataclass
class Point:
    x: int


@pytest.mark.parametrize("data", [
    {1: "an integer key"}, {None: "x"}, {"big": 2**70}, {"surrogate": "\ud800"},
    {"aware time": datetime.time(8, tzinfo=datetime.UTC)}, {"point": Point(1)}, {"set": {1}},
])
def test_what_orjson_refuses_is_drfs_answer_or_error(data):
    try:
        expected = renderers.JSONRenderer().render(data, "application/json")
    except Exception as error:  # noqa: BLE001 - the same failure is the point
        with pytest.raises(type(error)):
            JSONRenderer().render(data, "application/json")
    else:
        assert JSONRenderer().render(data, "application/json") == expected


def test_indented_and_empty_answers_are_drfs():
    data = {"when": datetime.datetime(2026, 12, 7, 8, 0, 0, 123456, tzinfo=datetime.UTC), "n": decimal.Decimal("1.50")}
    drf, ours = both(data, "application/json; indent=4")
    assert ours == drf
    assert b"\n    " in JSONRenderer().render(data, "application/json; indent=4")
    assert JSONRenderer().render(data, None, {"indent": 2}) == renderers.JSONRenderer().render(data, None, {"indent": 2})
    assert JSONRenderer().render(None) == b""
    assert JSONRenderer().render(data) == b'{"when":"2026-12-07T08:00:00.123456Z","n":1.5}'
    assert JSONRenderer().render({"id": uuid.UUID(int=1)}) == b'{"id":"00000000-0000-0000-0000-000000000001"}'

