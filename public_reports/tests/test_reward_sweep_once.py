"""The reward sweep decides each closed report once: owed (pending), or declined at once with
the reason (no rule, the cap reached, rewards stopped when the problem closed); concurrent
sweeps never pass a person's monthly cap."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from public_reports import services
from public_reports.choices import RewardAction, RewardStatus
from public_reports.models import Reward, RewardEvent, RewardPolicy, RewardRule
from public_reports.selectors import reward_list, reward_totals

from .factories import report
from .reward_factories import close_problem


def _closed(city, mobile="13800138000"):
    accepted = services.public_report_accept(report=report(city, mobile=mobile), by=city.hq)
    close_problem(city, accepted.problem)
    return accepted


@pytest.mark.django_db
def test_a_report_no_rule_applies_to_is_declined_once_with_the_reason_and_never_read_again(city):
    closed = _closed(city)
    assert services.rewards_create_due() == 0
    declined = Reward.objects.get(report=closed)
    assert (declined.status, declined.amount, declined.note, declined.decided_by) == (
        RewardStatus.DECLINED, Decimal(0), "No reward rule applies.", None)
    event = declined.events.get()
    assert (event.action, event.actor, event.note, event.data) == (
        RewardAction.DECLINE, None, "No reward rule applies.", {"rule_amount": None, "reason": "no_rule"})
    RewardRule.objects.create(amount=Decimal(20))  # a rule set later pays nothing back
    assert services.rewards_create_due() == 0
    assert (Reward.objects.count(), RewardEvent.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_over_the_cap_the_reward_is_declined_and_is_not_to_approve(city, django_assert_max_num_queries):
    RewardRule.objects.create(amount=Decimal(300))
    RewardPolicy.objects.update_or_create(pk=1, defaults={"monthly_cap": Decimal(300)})
    first, second = _closed(city), _closed(city)
    assert services.rewards_create_due() == 1
    over = Reward.objects.get(report=second)
    assert (over.status, over.amount, over.note) == (RewardStatus.DECLINED, Decimal(0), "The monthly cap is reached.")
    assert over.events.get().data == {"rule_amount": "300.00", "reason": "cap"}
    assert [r.report for r in reward_list(city.hq, status=RewardStatus.PENDING)] == [first]
    totals = reward_totals(reward_list(city.hq))
    assert (totals["pending_count"], totals["declined_count"], totals["amount"]) == (1, 1, Decimal(300))
    with django_assert_max_num_queries(1):  # nothing left to decide: one read
        assert services.rewards_create_due() == 0


@pytest.mark.django_db
def test_rewards_stopped_after_the_problem_closed_still_owe_it(city):
    RewardRule.objects.create(amount=Decimal(20))
    closed = _closed(city)
    services.reward_policy_update(by=city.hq, monthly_cap=Decimal(500), active=False)
    assert services.rewards_create_due() == 1
    assert Reward.objects.get(report=closed).status == RewardStatus.PENDING


@pytest.mark.django_db
def test_rewards_stopped_when_the_problem_closed_are_not_back_paid_when_turned_on_again(city):
    RewardRule.objects.create(amount=Decimal(20))
    services.reward_policy_update(by=city.hq, monthly_cap=Decimal(500), active=False)
    closed = _closed(city)
    services.reward_policy_update(by=city.hq, monthly_cap=Decimal(500), active=True)
    assert services.rewards_create_due() == 0
    assert Reward.objects.get(report=closed).note == "Rewards were not paid when the problem was closed."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_never_pass_the_monthly_cap(city):
    RewardRule.objects.create(amount=Decimal(300))
    RewardPolicy.objects.update_or_create(pk=1, defaults={"monthly_cap": Decimal(500)})
    closed = [_closed(city) for _ in range(4)]
    barrier = threading.Barrier(3)
    outcomes = [None] * 3

    def sweep(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.rewards_create_due()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert sum(outcomes) == 2
    owed = Reward.objects.exclude(status=RewardStatus.DECLINED)
    assert sorted(owed.values_list("amount", flat=True)) == [Decimal(200), Decimal(300)]
    assert Reward.objects.filter(report__in=closed).count() == 4
    assert RewardEvent.objects.filter(reward__isnull=False).count() == 4
