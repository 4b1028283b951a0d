"""A retried or double-tapped form gets its report: the row carrying the key goes in first, the
challenge is spent and the limits counted after it, so a twin spends and counts nothing."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from campaign.models import PublicActionCount
from campaign.public_guard import ChallengeRefused, SolvedChallenge
from public_reports import services
from public_reports.models import PublicReport

from .factories import public_category


@pytest.fixture
def one_report_a_day(settings):
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "report": {"per_address": 1, "per_mobile": 5}}


def _send(city, category, proof, key="form-1"):
    return services.public_report_submit(
        public_category=category, description="垃圾堆放", consent=True, reporter_mobile="13800138000",
        district=city.district_a, idempotency_key=key, client_address="203.0.113.9", proof=proof)


def _counts() -> list[tuple[str, int]]:
    """(kind, count) of every counter row: "report" has one per address and one per number."""
    return sorted(PublicActionCount.objects.values_list("kind", "count"))


@pytest.mark.django_db
def test_a_retry_after_the_last_slot_and_the_challenge_were_used_gets_the_same_report(city, one_report_a_day):
    category = public_category(city)
    proof = SolvedChallenge(kind="report", digest="a" * 64, day=timezone.localdate())
    first = _send(city, category, proof)
    again = _send(city, category, proof)
    assert (first.created, again.created, again.report) == (True, False, first.report)
    assert _counts() == [("report", 1), ("report", 1), ("spent-challenge", 1)]


@pytest.mark.django_db
def test_a_refused_challenge_writes_no_report(city):
    category = public_category(city)
    proof = SolvedChallenge(kind="report", digest="b" * 64, day=timezone.localdate())
    _send(city, category, proof, key="form-1")
    with pytest.raises(ChallengeRefused):
        _send(city, category, proof, key="form-2")
    assert list(PublicReport.objects.values_list("idempotency_key", flat=True)) == ["form-1"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_twins_get_the_same_report_spending_the_challenge_and_the_limit_once(city, one_report_a_day):
    category = public_category(city)
    proof = SolvedChallenge(kind="report", digest="c" * 64, day=timezone.localdate())
    both_ready = threading.Barrier(2)

    def submit(_):
        try:
            with transaction.atomic():
                both_ready.wait(timeout=10)
                submitted = _send(city, category, proof)
                time.sleep(0.5)  # still uncommitted: the twin's check finds nothing and its insert waits
                return submitted
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(submit, range(2)))
    assert all(isinstance(o, services.Submitted) for o in outcomes), outcomes
    assert sorted(o.created for o in outcomes) == [False, True]
    assert outcomes[0].report.pk == outcomes[1].report.pk
    assert PublicReport.objects.count() == 1
    assert _counts() == [("report", 1), ("report", 1), ("spent-challenge", 1)]
