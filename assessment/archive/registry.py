"""What the materials archive adds to the registries of the floors below (called from
AssessmentConfig.ready): its notification kind, its task-home groups and its demo step."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign import tasks_home
from campaign.choices import Role

UNIT = frozenset({Role.UNIT_HANDLER})
HQ = frozenset({Role.HQ_STAFF})
RETURNED_EVENT = "assessment.material_returned"


def material_link(requirement) -> str:
    return reverse("assessment:archive_material", args=[requirement.pk])


def _list_url(params: dict) -> str:
    return tasks_home.list_url("assessment:archive_list", params)


def _rows(status: str):
    def rows(user):
        from ..filters.archive import MaterialFilterSet, archive_base

        return MaterialFilterSet(tasks_home.filter_data({"status": status}), queryset=archive_base(user)).qs

    return rows


def register() -> None:
    from notifications.events import register as register_kind

    register_kind(RETURNED_EVENT, _("A material of my unit was returned by HQ"), roles=UNIT, link=material_link)
    tasks_home.register(tasks_home.TaskGroup(
        key="archive_to_upload", label=_("Archive materials to upload"), roles=UNIT, order=40, total_roles=UNIT,
        rows=_rows("missing"), url=lambda user: _list_url({"status": "missing"}),
    ))
    tasks_home.register(tasks_home.TaskGroup(
        key="archive_returned", label=_("Archive materials returned: upload a new version"), roles=UNIT, order=41,
        total_roles=UNIT, rows=_rows("returned"), url=lambda user: _list_url({"status": "returned"}),
    ))
    tasks_home.register(tasks_home.TaskGroup(
        key="archive_to_review", label=_("Archive materials to review"), roles=HQ, order=42, total_roles=HQ,
        rows=_rows("submitted"), url=lambda user: _list_url({"status": "submitted"}),
    ))

    from campaign.demo_steps import DemoStep, demo_step_register

    from ..demo.archive import demo_archive_step

    demo_step_register(DemoStep("assessment_archive", 72, demo_archive_step))
