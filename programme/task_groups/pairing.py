"""Pairing's part of the task home (campaign/tasks_home.py): a unit handler's pair tasks that
are overdue or due within a week, linked to the tasks list showing exactly them."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role

from ..selectors.pairing import tasks_due

UNITS = frozenset({Role.UNIT_HANDLER})


def register() -> None:
    tasks_home.register(tasks_home.TaskGroup(
        key="pair_tasks_due", label=_("Pair tasks due (overdue or within 7 days)"), roles=UNITS,
        order=60, total_roles=UNITS, rows=lambda user: tasks_due(user, today=timezone.localdate()),
        url=lambda user: tasks_home.list_url("programme:pair_task_list", {"due": "soon"}),
    ))
