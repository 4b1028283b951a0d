"""The API's JSON renderer writes what DRF's writes (campaign/api/renderers.py)."""

import collections
import dataclasses
import datetime
import decimal
import enum
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import renderers

from campaign.api.renderers import JSONRenderer
from campaign.choices import Role
from campaign.models import Category

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
    st.floats(allow_nan=False, allow_infinity=False), st.floats(min_value=1e-12, max_value=1e-3),
    st.decimals(allow_nan=False, allow_infinity=False),
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
@settings(max_examples=1000)
def test_every_float_is_written_as_drf_writes_it(number):
    drf, ours = both({"value": number, "list": [number, -number]})
    assert ours == drf


@pytest.mark.parametrize("number", [1e-05, 1.5e-05, 1e-06, 9.999999e-07, 1e-09, 1e-4, 1e16, 5e-324, -0.0])
def test_the_floats_orjson_writes_otherwise_are_drfs(number):
    drf, ours = both([number, decimal.Decimal(repr(number))])
    assert ours == drf


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass
class Point:
    x: int


def generated_then_refused():
    return {"generated": (n for n in [1, 2]), "big": 2**70}


def moved_to_end():
    ordered = collections.OrderedDict(a=1, b=2)
    ordered.move_to_end("a")
    return {"ordered": ordered}


@pytest.mark.parametrize("make", [
    lambda: {1: "an integer key"}, lambda: {None: "x"}, lambda: {"big": 2**70}, lambda: {"surrogate": "\ud800"},
    lambda: {"aware time": datetime.time(8, tzinfo=datetime.UTC)}, lambda: {"point": Point(1)},
    lambda: {"set": {1}}, lambda: {"nan": decimal.Decimal("NaN")}, lambda: {"bytes": b"abc"},
    lambda: {"query": QueryDict("a=1&a=2&b=3")}, moved_to_end, generated_then_refused,
    lambda: {"level": Level.HIGH, "role": Role.HQ_STAFF, "tuple": (1, "a")},
    lambda: {"queryset": Category.objects.none()},
])
def test_what_orjson_would_write_otherwise_is_drfs_answer_or_error(make):
    try:
        expected = renderers.JSONRenderer().render(make(), "application/json")
    except Exception as error:  # noqa: BLE001 - the same failure is the point
        with pytest.raises(type(error)):
            JSONRenderer().render(make(), "application/json")
    else:
        assert JSONRenderer().render(make(), "application/json") == expected


def test_what_is_left_different():
    """A float NaN or infinity, and a plain Enum: DRF fails the request, orjson writes them
    (the module's docstring says so)."""
    assert JSONRenderer().render({"x": float("nan")}) == b'{"x":null}'
    with pytest.raises(ValueError):
        renderers.JSONRenderer().render({"x": float("nan")})
    assert JSONRenderer().render({"x": Colour.RED}) == b'{"x":"red"}'



def test_indented_and_empty_answers_are_drfs():
    data = {"when": datetime.datetime(2026, 12, 7, 8, 0, 0, 123456, tzinfo=datetime.UTC), "n": decimal.Decimal("1.50")}
    drf, ours = both(data, "application/json; indent=4")
    assert ours == drf
    assert b"\n    " in JSONRenderer().render(data, "application/json; indent=4")
    assert JSONRenderer().render(data, None, {"indent": 2}) == renderers.JSONRenderer().render(data, None, {"indent": 2})
    assert JSONRenderer().render(None) == b""
    assert JSONRenderer().render(data) == b'{"when":"2026-12-07T08:00:00.123456Z","n":1.5}'
    assert JSONRenderer().render({"id": uuid.UUID(int=1)}) == b'{"id":"00000000-0000-0000-0000-000000000001"}'

