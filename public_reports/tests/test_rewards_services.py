"""HQ's reward rules, cap and moves, each with its event; what the tracking page reads."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from ledger.choices import Severity
from public_reports import services
from public_reports.choices import RewardAction, RewardStatus
from public_reports.models import Reward, RewardEvent, RewardRule
from public_reports.selectors import reward_for_tracking, reward_list, reward_totals

from .factories import public_category, report
from .reward_factories import close_problem, default_rules, reward

pytestmark = pytest.mark.django_db


def test_a_reward_owed_approved_and_paid_leaves_one_event_per_move_with_who(city):
    paid = reward(city, status=RewardStatus.PAID, reference="CW-202612-0007")
    events = list(paid.events.values_list("action", "actor__username"))
    assert events == [(RewardAction.CREATE, None), (RewardAction.APPROVE, "hq"), (RewardAction.PAY, "hq")]
    assert paid.events.last().data == {"payment_reference": "CW-202612-0007"}


def test_reward_events_cannot_be_rewritten(city):
    event = reward(city).events.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        RewardEvent.objects.filter(pk=event.pk).update(note="changed")


def test_setting_a_rule_again_replaces_its_amount_and_records_before_and_after(city):
    category = public_category(city)
    first = services.reward_rule_set(by=city.hq, public_category=category, severity=Severity.URGENT,
                                     amount=Decimal(80))
    again = services.reward_rule_set(by=city.hq, public_category=category, severity=Severity.URGENT,
                                     amount=Decimal(120))
    assert first.pk == again.pk and again.amount == Decimal(120)
    assert RewardRule.objects.count() == 1
    latest = RewardEvent.objects.filter(action=RewardAction.RULE_SET).last()
    assert latest.data == {"category": "garbage", "severity": "urgent", "amount": "120.00", "before": "80.00"}
    assert latest.actor == city.hq


def test_a_category_rule_beats_the_general_one(city):
    category = public_category(city)
    services.reward_rule_set(by=city.hq, public_category=None, severity="", amount=Decimal(20))
    services.reward_rule_set(by=city.hq, public_category=category, severity="", amount=Decimal(35))
    assert services.reward_amount_for(report(city, public_category=category), Severity.GENERAL) == Decimal(35)


@pytest.mark.parametrize("amount", [Decimal(0), Decimal(-5)])
def test_a_rule_needs_a_positive_amount(city, amount):
    with pytest.raises(services.PublicReportError, match="more than zero"):
        services.reward_rule_set(by=city.hq, public_category=None, severity="", amount=amount)


@pytest.mark.parametrize("role", ["leader", "district_lead", "unit_handler", "inspector"])
def test_only_hq_staff_set_rules_and_the_cap(city, role):
    with pytest.raises(services.PublicReportForbidden):
        services.reward_rule_set(by=getattr(city, role), public_category=None, severity="", amount=Decimal(5))
    with pytest.raises(services.PublicReportForbidden):
        services.reward_policy_update(by=getattr(city, role), monthly_cap=Decimal(1), active=True)
    with pytest.raises(services.PublicReportForbidden):
        services.rewards_check_now(by=getattr(city, role))


def test_removing_a_rule_is_recorded(city):
    rule = services.reward_rule_set(by=city.hq, public_category=None, severity=Severity.GENERAL, amount=Decimal(20))
    services.reward_rule_delete(by=city.hq, rule=rule)
    assert not RewardRule.objects.exists()
    assert RewardEvent.objects.filter(action=RewardAction.RULE_DELETE, data__amount="20.00").exists()


def test_a_lower_cap_cuts_the_next_reward_and_keeps_the_old_one(city):
    first = reward(city, severity=Severity.URGENT)  # 100 yuan
    services.reward_policy_update(by=city.hq, monthly_cap=Decimal(130), active=True)
    second = reward(city, severity=Severity.SERIOUS)  # 50 yuan, 30 left under the cap
    first.refresh_from_db()
    assert (first.amount, second.amount) == (Decimal(100), Decimal(30))
    event = RewardEvent.objects.get(action=RewardAction.POLICY)
    assert event.data["before"]["monthly_cap"] == "500.00" and event.data["after"]["monthly_cap"] == "130.00"


def _closed_report(city):
    default_rules()
    accepted = services.public_report_accept(report=report(city), by=city.hq)
    close_problem(city, accepted.problem)
    return accepted


def test_no_reward_is_owed_while_hq_has_stopped_rewards_and_none_is_back_paid(city):
    services.reward_policy_update(by=city.hq, monthly_cap=Decimal(500), active=False)
    closed = _closed_report(city)
    assert services.rewards_check_now(by=city.hq) == 0
    declined = Reward.objects.get()
    assert (declined.report, declined.status, declined.amount) == (closed, RewardStatus.DECLINED, Decimal(0))
    assert declined.note == "Rewards were not paid when the problem was closed."
    services.reward_policy_update(by=city.hq, monthly_cap=Decimal(500), active=True)
    assert services.rewards_check_now(by=city.hq) == 0
    assert Reward.objects.get().status == RewardStatus.DECLINED


def test_check_now_creates_what_is_owed_once(city):
    accepted = _closed_report(city)
    assert services.rewards_check_now(by=city.hq) == 1
    assert services.rewards_check_now(by=city.hq) == 0
    assert Reward.objects.get().report == accepted


def test_the_tracking_page_reads_the_state_and_amount_never_the_person(city):
    paid = reward(city, status=RewardStatus.PAID)
    state = reward_for_tracking(paid.report)
    assert (state.status, state.amount) == (RewardStatus.PAID, Decimal(20))
    assert state.paid_at is not None
    assert not hasattr(state, "payment_reference")
    assert reward_for_tracking(report(city)) is None


def test_totals_count_and_sum_by_status(city):
    reward(city, severity=Severity.URGENT)
    reward(city, status=RewardStatus.PAID, mobile="13900139000")
    totals = reward_totals(reward_list(city.hq))
    assert (totals["count"], totals["amount"]) == (2, Decimal(120))
    assert (totals["pending_count"], totals["pending_amount"]) == (1, Decimal(100))
    assert (totals["paid_count"], totals["paid_amount"]) == (1, Decimal(20))
    assert totals["declined_amount"] == Decimal(0)


def test_the_reward_ledger_is_hq_s_only(city):
    reward(city)
    assert reward_list(city.hq).count() == reward_list(city.leader).count() == 1
    for role in ("district_lead", "unit_handler", "inspector", "public"):
        assert reward_list(getattr(city, role)).count() == 0
