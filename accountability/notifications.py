"""Escalation's notifications: the supervision notice's event kind (registered in
AccountabilityConfig.ready) and the one call that sends it, inside the notice's transaction."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from notifications.events import register
from notifications.services import notify

SUPERVISION_NOTICE = "supervision.notice"


def notice_link(notice) -> str:
    return reverse("accountability:notice_detail", args=[notice.pk])


def register_kinds() -> None:
    register(SUPERVISION_NOTICE, _("A supervision notice (督办单) was issued to my unit or district"),
             roles=(Role.UNIT_HANDLER, Role.DISTRICT_LEAD), link=notice_link)


def supervision_notice_issued(notice, problems) -> None:
    """To the unit (its handlers and group robot) and its district lead; a city-level unit's
    notice goes to the leads of the districts its problems lie in."""
    districts = [notice.district_id] if notice.district_id else sorted({p.district_id for p in problems})
    notify(SUPERVISION_NOTICE, about=notice, units=[notice.unit_id], districts=districts,
           context={"number": notice.number, "unit": notice.unit.name, "days": notice.threshold_days,
                    "problems": [{"code": p.code, "description": p.description[:200],
                                  "deadline": p.deadline.isoformat()} for p in problems]},
           dedupe_key=f"{SUPERVISION_NOTICE}:{notice.pk}")
