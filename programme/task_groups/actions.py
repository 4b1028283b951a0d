"""The special actions' groups on the task home (campaign/tasks_home.py): a unit's objects not
done yet, and the objects HQ has to verify. Each links to the objects list with the same
filters, so the count is the number of rows found there."""

from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role

from ..choices import TargetStatus
from ..selectors.actions import ActionTargetFilterSet, targets_visible

GROUPS = (
    ("action_objects_due", _("Special actions: objects to finish"), {Role.UNIT_HANDLER}, {"status": "open"}, 45),
    ("action_objects_to_verify", _("Special actions: objects to verify"), {Role.HQ_STAFF, Role.TEAM_LEAD},
     {"status": TargetStatus.DONE}, 25),
)


def _rows(user, params):
    return ActionTargetFilterSet(tasks_home.filter_data(params), queryset=targets_visible(user)).qs


def _group(key, label, roles, params, order) -> tasks_home.TaskGroup:
    return tasks_home.TaskGroup(
        key=key, label=label, roles=frozenset(roles), order=order,
        rows=lambda user: _rows(user, params),
        url=lambda user: tasks_home.list_url("programme:target_list", params),
    )


def register() -> None:
    for group in GROUPS:
        tasks_home.register(_group(*group))
