"""The inspections' groups on everyone's task home (campaign/tasks_home.py): an inspector's
round points waiting to be started and the inspections they started and must submit. Each
links to the section of the inspections page that lists exactly those rows."""

from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role

from . import selectors

INSPECTOR = frozenset({Role.INSPECTOR})


def register() -> None:
    tasks_home.register(tasks_home.TaskGroup(
        key="round_points", label=_("Round points assigned to me: start"), roles=INSPECTOR, order=5,
        total_roles=INSPECTOR,
        rows=lambda user: selectors.round_points_to_start(user=user),
        url=lambda user: tasks_home.list_url("inspections:inspection_list", fragment="my-round-points"),
        preview=lambda user, limit: list(selectors.round_points_to_start(user=user)[:limit]),
        preview_template="inspections/_task_round_point.html",
    ))
    tasks_home.register(tasks_home.TaskGroup(
        key="inspection_drafts", label=_("Inspections started: finish and submit"), roles=INSPECTOR, order=6,
        total_roles=INSPECTOR,
        rows=lambda user: selectors.my_drafts(user=user),
        url=lambda user: tasks_home.list_url("inspections:inspection_list", fragment="my-drafts"),
        preview=lambda user, limit: list(selectors.my_drafts(user=user)[:limit]),
        preview_template="inspections/_task_draft.html",
    ))
