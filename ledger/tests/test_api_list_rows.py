"""``/api/problems/`` writes its rows from ``values()`` (``problem_list_rows``): each row must
be what DRF's generic ModelSerializer walk of ProblemListSerializer says for the same problem,
for a mix of rows (every status, overdue, rejected, rebound, no sample point or unit) in both
languages, on the first page and the next."""

import pytest
from rest_framework import renderers, serializers

from ledger.api.serializers import ProblemListSerializer
from ledger.models import Problem
from ledger.tests.test_problem_rows import mixed  # noqa: F401 - the fixture
from ledger.views.problems import LIST_RELATED

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_list_endpoint_answers_what_the_generic_serializer_says(city, login, mixed, language):  # noqa: F811
    from django.utils import translation

    client = login(city.hq)
    answer = client.get("/api/problems/", {"page_size": 7}, HTTP_ACCEPT_LANGUAGE=language).json()
    rows = answer["results"]
    following = client.get(answer["next"].replace("http://testserver", ""), HTTP_ACCEPT_LANGUAGE=language).json()
    rows += following["results"]
    problems = Problem.objects.select_related(*LIST_RELATED).order_by("-found_at", "-id")
    with translation.override(language):
        serializer = ProblemListSerializer()
        expected = [serializers.ModelSerializer.to_representation(serializer, problem) for problem in problems]
    assert len(rows) == len(expected) == len(mixed)
    assert rows == expected
    assert any(row["days_overdue"] for row in rows) and any(row["sample_point"] is None for row in rows)
    assert any(row["responsible_unit_label"] is None for row in rows) and any(row["rebound_of"] for row in rows)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/Los_Angeles"])
def test_the_rows_times_are_written_as_drfs_fields_write_them(zone):
    """``_datetime_writer`` and ``_date_writer`` (the rows' fast path) against DRF's fields, in
    the current time zone, for UTC ("Z"), offsets, microseconds and a naive time."""
    import datetime as dt

    from django.utils import timezone

    from ledger.api.serializers import _date_writer, _datetime_writer

    values = [
        dt.datetime(2026, 12, 7, 3, 4, 5, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 30, 23, 59, 59, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        dt.datetime(2026, 3, 8, 10, 30),  # naive: made aware in the current zone, as DRF does
    ]
    with timezone.override(zone):
        fast, field = _datetime_writer(), serializers.DateTimeField()
        assert [fast(value) for value in values] == [field.to_representation(value) for value in values]
    day = dt.date(2026, 2, 28)
    assert _date_writer()(day) == serializers.DateField().to_representation(day) == "2026-02-28"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_answer_is_the_bytes_drfs_renderer_writes(city, login, mixed, language):  # noqa: F811
    """The API's renderer (campaign.api.renderers, orjson) against DRF's own, on a real answer."""
    response = login(city.hq).get("/api/problems/", {"page_size": 7}, HTTP_ACCEPT_LANGUAGE=language)
    assert response["Content-Type"] == "application/json"
    assert response.content == renderers.JSONRenderer().render(response.data, "application/json")
    assert b"\\u" not in response.content and len(response.data["results"]) == 7
