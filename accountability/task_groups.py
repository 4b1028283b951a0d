"""Accountability's part of the task home (campaign/tasks_home.py): the interview list and the
accountability proposals waiting for HQ's decision, linked to the escalation list filtered to
exactly them."""

from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role

from .choices import EscalationStatus
from .filters import EscalationFilterSet
from .models import Escalation

TO_DECIDE = {"status": EscalationStatus.OPEN}
HQ = frozenset({Role.HQ_STAFF})


def _to_decide(user):
    return EscalationFilterSet(tasks_home.filter_data(TO_DECIDE), queryset=Escalation.objects.visible_to(user)).qs


def register() -> None:
    tasks_home.register(tasks_home.TaskGroup(
        key="escalations_to_decide", label=_("Interviews and accountability proposals: decide"), roles=HQ,
        order=28, total_roles=HQ, rows=_to_decide,
        url=lambda user: tasks_home.list_url("accountability:escalation_list", TO_DECIDE),
    ))
