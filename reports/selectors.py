"""Reads of the reports app, always through ``Report.objects.visible_to(user)``."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone

from campaign.choices import Role

from .choices import ReportStatus
from .models import Report, WeeklyTask
from .periods import week_of


def reports_visible(*, user):
    return Report.objects.visible_to(user).select_related("district", "requested_by", "published_by")


def report_get(*, user, pk: int) -> Report:
    """The report if ``user`` may open it, else 404."""
    return get_object_or_404(reports_visible(user=user), pk=pk)


def report_versions(*, user, report: Report):
    """Every version of the same kind, period and scope that ``user`` may open, newest first."""
    return reports_visible(user=user).filter(
        kind=report.kind, period_start=report.period_start, scope_key=report.scope_key
    ).order_by("-version")


def viewer_scope(user) -> dict | None:
    """What part of a city-wide report's lists the viewer should see: None for the whole city
    (HQ, leaders), else the ids a kind template narrows its lists by."""
    if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
        return None
    scope = {"district_id": None, "team_id": None, "unit_id": None}
    if user.role == Role.TEAM_LEAD:
        scope["team_id"] = user.team_id
    elif user.role == Role.DISTRICT_LEAD:
        scope["district_id"] = user.district_id
    elif user.role == Role.UNIT_HANDLER:
        scope["unit_id"] = user.unit_id
        scope["district_id"] = getattr(user.unit, "district_id", None) if user.unit_id else None
    return scope


def report_is_finished(report: Report) -> bool:
    return report.status in (ReportStatus.DONE, ReportStatus.FAILED)


def coming_week_start(today: dt.date | None = None) -> dt.date:
    """The week the next Monday meeting sets tasks for: this week on a Monday, else next week."""
    today = today or timezone.localdate()
    week = week_of(today)
    return week.start if today == week.start else week.start + dt.timedelta(days=7)


def weekly_tasks(*, week_start: dt.date):
    return WeeklyTask.objects.filter(week_start=week_start).select_related("unit", "created_by")
