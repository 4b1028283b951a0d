"""Two people acting on one problem at the same moment: one wins, the other is refused."""

import threading

import pytest
from django.db import connection

from ledger import services
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.factories import problem_in


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_verifications_at_once_one_wins_and_one_gets_a_conflict(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    outcomes = run_at_once(
        lambda: services.problem_verify(problem=problem, approved=True, note="ok", by=city.district_lead),
        lambda: services.problem_verify(problem=problem, approved=False, note="不合格", by=city.inspector),
    )
    winners = [o for o in outcomes if isinstance(o, Problem)]
    conflicts = [o for o in outcomes if isinstance(o, services.LedgerConflict)]
    assert len(winners) == 1 and len(conflicts) == 1, outcomes
    stored = Problem.objects.get(pk=problem.pk)
    assert stored.status == winners[0].status
    # Exactly one verification event was written.
    assert stored.events.filter(action__in=["approve", "reject"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_recordings_never_share_a_code(city):
    from ledger.tests.factories import record

    outcomes = run_at_once(*[lambda: record(city) for _ in range(4)])
    assert all(isinstance(o, Problem) for o in outcomes), outcomes
    assert len({o.code for o in outcomes}) == 4
