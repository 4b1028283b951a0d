"""The ledger's groups on everyone's task home (campaign/tasks_home.py).

Each group is a set of the ledger list's filters: its count is the number of rows that list
shows with them (its rows come from the same FilterSet), and its link is that list. A problem
is in every group whose filters it matches.
"""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role
from campaign.models import CHIEF_ROLES

from .choices import Action, ClassAction, Status
from .class_rules import CLASS_ROLES
from .class_selectors import TASK_LISTS
from .filters import ProblemFilterSet
from .models import Problem
from .rules import ROLES
from .views.problems import LIST_RELATED

DUE_DAYS = 7


def _due_soon() -> dict:
    """Open problems falling due in the coming week: today and the six days after it."""
    today = timezone.localdate()
    return {"open": "true", "deadline_from": today.isoformat(),
            "deadline_to": (today + timedelta(days=DUE_DAYS - 1)).isoformat()}


# key, label, roles, the ledger list's filters (a dict or a function giving one), order, the
# roles whose menu total counts it (by status, so they never share a problem).
GROUPS = (
    ("to_assign", _("Found: assign to a unit"), ROLES[Action.ASSIGN], {"status": Status.FOUND}, 10,
     ROLES[Action.ASSIGN]),
    ("to_verify", _("Closing applied: verify"), ROLES[Action.APPROVE], {"status": Status.CLOSING_APPLIED}, 20,
     ROLES[Action.APPROVE]),
    ("to_acknowledge", _("Newly assigned: acknowledge"), {Role.UNIT_HANDLER}, {"status": Status.ASSIGNED}, 30,
     {Role.UNIT_HANDLER}),
    ("rejected", _("Closing rejected: rectify again and re-submit"), {Role.UNIT_HANDLER},
     {"status": Status.RECTIFYING, "rejected": "true"}, 40, ()),
    ("to_rectify", _("In rectification: rectify and apply to close"), {Role.UNIT_HANDLER},
     {"status": Status.RECTIFYING}, 50, {Role.UNIT_HANDLER}),
    # Chiefs answer for their cell: its open problems, what falls due there and what is overdue
    # (they act by chasing the units).
    ("cell_open", _("Open in my cell: chase the units"), set(CHIEF_ROLES), {"open": "true"}, 55, set(CHIEF_ROLES)),
    ("due_soon", _("Falling due within 7 days"), {Role.UNIT_HANDLER, Role.DISTRICT_LEAD, *CHIEF_ROLES},
     _due_soon, 60, ()),
    ("overdue", _("Overdue"), {Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.UNIT_HANDLER, Role.TEAM_LEAD, *CHIEF_ROLES},
     {"overdue": "true"}, 70, {Role.TEAM_LEAD}),
)


def _filters(params):
    return tasks_home.filter_data(params() if callable(params) else params)


def _rows(user, params):
    return ProblemFilterSet(_filters(params), queryset=Problem.objects.visible_to(user)).qs


def list_url(params) -> str:
    return tasks_home.list_url("ledger:problem_list", params)


def _group(key, label, roles, params, order, total_roles) -> tasks_home.TaskGroup:
    def preview(user, limit):
        rows = _rows(user, params).select_related(*LIST_RELATED)
        return list(rows.order_by(F("deadline").asc(nulls_last=True), "found_at", "id")[:limit])

    return tasks_home.TaskGroup(
        key=key, label=label, roles=frozenset(roles), order=order, total_roles=frozenset(total_roles),
        rows=lambda user: _rows(user, params),
        url=lambda user: list_url(params),
        preview=preview, preview_template="ledger/_task_card.html",
    )


# The problem classes: a unit applies to close its classes whose measure is set; HQ and the
# class's district lead verify the closings applied for (ledger/class_rules.py).
def _class_group(key, label, roles, task, order) -> tasks_home.TaskGroup:
    rows = TASK_LISTS[task]

    def preview(user, limit):
        return list(rows(user).select_related("responsible_unit")
                    .order_by(F("deadline").asc(nulls_last=True), "code")[:limit])

    return tasks_home.TaskGroup(
        key=key, label=label, roles=frozenset(roles), order=order, rows=rows,
        url=lambda user: tasks_home.list_url("ledger:class_list", {"task": task}),
        preview=preview, preview_template="ledger/_class_task_card.html",
    )


CLASS_GROUPS = (
    ("classes_to_apply", _("Problem classes: carry out the measure and apply to close"),
     CLASS_ROLES[ClassAction.APPLY_CLOSE] - {Role.HQ_STAFF}, "apply", 52),
    ("classes_to_verify", _("Problem classes: verify the closing"), CLASS_ROLES[ClassAction.VERIFY],
     "verify", 22),
)


def register() -> None:
    for row in GROUPS:
        tasks_home.register(_group(*row))
    for row in CLASS_GROUPS:
        tasks_home.register(_class_group(*row))
    tasks_home.register_home("ledger:my_tasks")
