"""The ledger's search and overdue filter at scale: the SQL they emit is the SQL the indexes of
migration 0005 were built for (an expression index only helps when it matches exactly)."""

import pytest
from django.db import connection

from ledger.choices import Status
from ledger.filters import ProblemFilterSet
from ledger.models import Problem
from ledger.tests.factories import problem_in

pytestmark = pytest.mark.django_db


class _Request:
    def __init__(self, user):
        self.user = user


def _plan(queryset, *, bitmap: bool = True) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test ledger is tiny: make the planner show whether it *can* use the indexes.
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not bitmap:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _filtered(city, **data):
    return ProblemFilterSet(data, queryset=Problem.objects.all(), request=_Request(city.hq)).qs


def test_the_search_finds_a_point_by_name_without_joining_the_points(city):
    problem = problem_in(city, Status.FOUND)
    point = problem.sample_point
    term = point.name[1:]
    assert term not in f"{problem.code} {problem.description} {problem.address}"  # only the point's name matches
    found = _filtered(city, q=term)
    assert list(found) == [problem]
    assert "campaign_samplepoint" not in str(found.query)
    assert list(_filtered(city, q="没有这样的问题")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_the_search_is_answered_from_the_trigram_indexes(city):
    plan = _plan(_filtered(city, q="没有这样的问题").order_by())
    for column in ("code", "description", "address"):
        assert f"problem_{column}_trgm" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan checked is PostgreSQL's")
def test_the_deadline_sort_of_open_problems_reads_the_partial_index(city):
    queryset = _filtered(city, open="true").order_by("deadline", "id")[:51]
    # Without bitmap scans: on a tiny ledger, reading every open problem from the duplicate
    # search's partial index (migration 0014) and sorting them looks cheaper; at a million
    # problems the planner takes this index (bench/nearby.py's database: Index Scan using
    # problem_open_deadline, then Limit).
    assert "problem_open_deadline" in _plan(queryset, bitmap=False)
