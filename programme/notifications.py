"""The supervision cycle's notification kind (registered in ProgrammeConfig.ready): a round plan
whose sweep could not make its round tells its owner (or HQ staff) the reason, once per reason."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from notifications.events import register

from .services.cycle import ROUND_PLAN_FAILED


def round_plan_link(plan) -> str:
    return reverse("programme:plan_detail", args=[plan.pk])


def register_cycle_kinds() -> None:
    register(ROUND_PLAN_FAILED, _("A round plan could not make its round"),
             roles=(Role.HQ_STAFF, Role.DISTRICT_LEAD), link=round_plan_link)
