"""The rewards' groups on HQ's task home (campaign/tasks_home.py): rewards to approve (pending)
and to pay (approved), each linked to the reward ledger filtered by that status, which lists
exactly the counted rewards."""

from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role

from .choices import RewardStatus
from .selectors import reward_list

HQ = frozenset({Role.HQ_STAFF})
TO_APPROVE = {"status": RewardStatus.PENDING.value}
TO_PAY = {"status": RewardStatus.APPROVED.value}


def _url(params) -> str:
    return tasks_home.list_url("public_reports:rewards", params)


def register() -> None:
    tasks_home.register(tasks_home.TaskGroup(
        key="rewards_to_approve", label=_("Rewards for public reports: approve"), roles=HQ, order=31,
        total_roles=HQ, rows=lambda user: reward_list(user, status=RewardStatus.PENDING),
        url=lambda user: _url(TO_APPROVE)))
    tasks_home.register(tasks_home.TaskGroup(
        key="rewards_to_pay", label=_("Rewards for public reports: pay"), roles=HQ, order=32,
        total_roles=HQ, rows=lambda user: reward_list(user, status=RewardStatus.APPROVED),
        url=lambda user: _url(TO_PAY)))
