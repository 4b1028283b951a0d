"""The reports' part of everyone's task home (campaign/tasks_home.py): HQ's reports waiting to
be published (weekly exposures and monthly comparisons: the kinds reports/kinds says HQ publishes), linked to the reports list filtered to exactly them; and leaders land on the
dashboard."""

from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role

from . import selectors
from .choices import ReportStatus
from .filters import ReportFilterSet

# "Not published" is a draft of a kind HQ publishes (reports/filters.py).
TO_PUBLISH = {"status": ReportStatus.DONE, "published": "no"}
HQ = frozenset({Role.HQ_STAFF})


def _to_publish(user):
    return ReportFilterSet(tasks_home.filter_data(TO_PUBLISH), queryset=selectors.reports_visible(user=user)).qs


def register() -> None:
    tasks_home.register(tasks_home.TaskGroup(
        key="to_publish", label=_("Reports to publish"), roles=HQ, order=25, total_roles=HQ,
        rows=_to_publish,
        url=lambda user: tasks_home.list_url("reports:report_list", TO_PUBLISH),
    ))
    tasks_home.register_home("reports:dashboard", roles=[Role.LEADER])
