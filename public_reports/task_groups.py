"""The public channel's groups on the task home (campaign/tasks_home.py): reports waiting for
moderation (HQ staff all, a district lead their district's), linked to the queue filtered to
exactly them, and unsatisfied ratings waiting for HQ's review, linked to the review queue."""

from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role

from .filters import PublicReportFilterSet
from .models import PublicReport
from .selectors import review_queue

TO_MODERATE = {"status": "received"}
MODERATORS = frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD})
HQ = frozenset({Role.HQ_STAFF})


def to_moderate(user):
    return PublicReportFilterSet(tasks_home.filter_data(TO_MODERATE),
                                 queryset=PublicReport.objects.visible_to(user)).qs


def queue_url(params) -> str:
    return tasks_home.list_url("public_reports:queue", params)


def register() -> None:
    tasks_home.register(tasks_home.TaskGroup(
        key="public_reports_to_moderate", label=_("Public reports: accept, merge or reject"), roles=MODERATORS,
        order=8, total_roles=MODERATORS, rows=to_moderate, url=lambda user: queue_url(TO_MODERATE),
    ))
    tasks_home.register(tasks_home.TaskGroup(
        key="public_ratings_to_review", label=_("Unsatisfied ratings: review"), roles=HQ, order=29,
        total_roles=HQ, rows=review_queue, url=lambda user: tasks_home.list_url("public_reports:review_queue"),
    ))
