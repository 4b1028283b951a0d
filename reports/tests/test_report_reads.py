"""How the reports and the dashboard read the ledger (issue 13): the weekly assignment filters
the problems open at the week's end once, and the history of invalid problems is looked up once
per problem and only for invalid ones, never by scanning every invalidation of the ledger.
The figures themselves are checked by test_figures.py, test_dashboard.py and the pandas
recomputations; these tests pin the reads that made the reports slow at scale."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import dashboard, figures
from reports.kinds import weekly_assignment
from reports.tests.weeks import WEEK, at, build_week

pytestmark = pytest.mark.django_db

MONDAY_AFTER = at(WEEK.end + dt.timedelta(days=1), 10)


def _problem_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if 'FROM "ledger_problem"' in query["sql"]]


def test_earlier_matters_filter_the_problems_open_at_the_weeks_end_in_one_pass(city):
    build_week(city)
    with CaptureQueriesContext(connection) as queries:
        earlier = weekly_assignment.earlier_matters(period=WEEK)

    # The totals come with the list (window counts), not from a second walk over the problems;
    # their values are checked against the pandas recomputation (test_recompute.py).
    assert len(_problem_queries(queries)) == 1
    assert earlier["list"], "the week's set-up leaves earlier matters open"


def test_dashboard_trends_look_up_each_invalid_problems_history_once(city):
    build_week(city)
    with CaptureQueriesContext(connection) as queries:
        dashboard.dashboard_trends(user=city.hq, now=MONDAY_AFTER)

    (trends_sql,) = _problem_queries(queries)
    # One look-up of the invalidation for the twelve weeks, not one per week.
    assert trends_sql.count("'invalidate'") == 1


def test_the_invalidation_check_reads_the_history_of_invalid_problems_only(city):
    build_week(city)
    with CaptureQueriesContext(connection) as queries:
        figures.cell_counts(period=WEEK)

    assert _problem_queries(queries)
    for sql in _problem_queries(queries):
        # A scalar look-up behind "status = invalid": EXISTS may be answered by hashing every
        # invalidation of the ledger (a scan of all events) for each condition that uses it.
        assert "EXISTS" not in sql.upper()
        assert sql.count("'invalidate'") >= 1
