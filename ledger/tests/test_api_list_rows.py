"""``/api/problems/`` writes its rows from ``values()`` (``problem_list_rows``): each row must
be what DRF's generic ModelSerializer walk of ProblemListSerializer says for the same problem,
for a mix of rows (every status, overdue, rejected, rebound, no sample point or unit) in both
languages, on the first page and the next."""

import pytest
from rest_framework import serializers

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
