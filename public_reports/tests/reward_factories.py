"""Rewards built through the services: a web report accepted, its problem rectified and
verified closed by the city's people, the sweep run, and the reward moved as asked."""

from decimal import Decimal

from ledger import services as ledger
from ledger.choices import Severity
from ledger.tests.factories import stored_photo
from public_reports import services
from public_reports.choices import RewardStatus
from public_reports.models import Reward, RewardRule

from .factories import report


def default_rules() -> None:
    if not RewardRule.objects.exists():
        for severity, amount in ((Severity.GENERAL, "20"), (Severity.SERIOUS, "50"), (Severity.URGENT, "100")):
            RewardRule.objects.create(severity=severity, amount=Decimal(amount))


def close_problem(city, problem):
    problem = ledger.problem_assign(problem=problem, unit=city.office_a, by=city.hq)
    problem = ledger.problem_acknowledge(problem=problem, by=city.unit_handler)
    problem = ledger.problem_apply_close(problem=problem, note="已清运", photos=[stored_photo(problem.pk)],
                                         by=city.unit_handler)
    return ledger.problem_verify(problem=problem, approved=True, note="现场核实", by=city.hq)


def reward(city, *, status=RewardStatus.PENDING, severity=Severity.GENERAL, mobile="13800138000",
           reference="PAY-001", **extra) -> Reward:
    default_rules()
    accepted = services.public_report_accept(report=report(city, mobile=mobile, **extra), by=city.hq,
                                             severity=severity)
    close_problem(city, accepted.problem)
    services.rewards_create_due()
    made = Reward.objects.get(report=accepted)
    if status in (RewardStatus.APPROVED, RewardStatus.PAID):
        made = services.reward_approve(reward=made, by=city.hq)
    if status == RewardStatus.PAID:
        made = services.reward_pay(reward=made, by=city.hq, payment_reference=reference)
    if status == RewardStatus.DECLINED:
        made = services.reward_decline(reward=made, by=city.hq, note="重复举报")
    return made
