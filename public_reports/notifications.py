"""The public channel's notifications: a new report to moderate (registered in
PublicReportsConfig.ready), sent from ``services.public_report_submit`` inside its transaction."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.models import User
from notifications.events import register
from notifications.services import notify

RECEIVED = "public_report.received"


def report_link(report) -> str:
    return reverse("public_reports:detail", args=[report.pk])


def register_kinds() -> None:
    register(RECEIVED, _("A resident's report waits for moderation"), roles=(Role.HQ_STAFF, Role.DISTRICT_LEAD),
             link=report_link)


def report_received(report) -> None:
    """To the lead of the report's district; to HQ staff when its place gave no district (nobody
    else would see it). Never the reporter's name or number. Once per report."""
    hq = [] if report.district_id else list(User.objects.filter(role=Role.HQ_STAFF, is_active=True))
    notify(RECEIVED, about=report, users=hq, districts=[report.district_id] if report.district_id else [],
           context={"code": report.code, "category": str(report.public_category or ""),
                    "description": report.description[:200], "address": report.address},
           dedupe_key=f"{RECEIVED}:{report.pk}")
