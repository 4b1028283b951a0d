"""Reads of the reports app, always through ``Report.objects.visible_to(user)``."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone

from campaign.choices import Role

from .choices import ReportKind, ReportStatus
from .kinds import kind_module
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
    if user.sees_whole_city:
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


def row_in_scope(row: dict, scope: dict | None) -> bool:
    """Whether a list row (a problem, a sheet, a unit or a task with its ids) lies in the
    viewer's scope: everything for the whole city (None); else the unit, the team (the row's
    team or one of its unit's teams) or the district the viewer answers for. A weekly task
    without a unit is for everyone."""
    if not scope:
        return True
    if "task_id" in row and row.get("unit_id") is None:
        return True  # HQ's task for every unit
    if scope.get("unit_id"):
        return row.get("unit_id") == scope["unit_id"]
    if scope.get("team_id"):
        return row.get("team_id") == scope["team_id"] or scope["team_id"] in (row.get("team_ids") or [])
    if scope.get("district_id"):
        return row.get("district_id") == scope["district_id"]
    return False


def _only_in_scope(rows, scope) -> list:
    return [row for row in rows or [] if row_in_scope(row, scope)]


def report_data_for(*, report: Report, user) -> dict:
    """The report's figures as ``user`` may read them: whole for HQ and leaders; for the others
    the rankings and breakdowns whole (city-wide by design) but every list of problems, sheets,
    units due and tasks narrowed to their scope, as the report page shows them. The API and the
    workbook download serve this, so neither hands out another district's problems. Returns
    ``report.data`` itself when nothing is narrowed."""
    scope = viewer_scope(user)
    data = report.data or {}
    if scope is None or not data:
        return data
    if report.kind == ReportKind.WEEKLY_ASSIGNMENT:
        narrowed = dict(data)
        if "sheets" in data:
            sheets = [{**sheet, "items": _only_in_scope(sheet.get("items"), scope)}
                      for sheet in data["sheets"].get("list") or []]
            narrowed["sheets"] = {**data["sheets"], "list": [sheet for sheet in sheets if sheet["items"]]}
        if "earlier" in data:
            narrowed["earlier"] = {**data["earlier"], "list": _only_in_scope(data["earlier"].get("list"), scope)}
        if "coming" in data:
            narrowed["coming"] = {**data["coming"], **{
                key: _only_in_scope(data["coming"].get(key), scope) for key in ("units", "list", "tasks")}}
        return narrowed
    if report.kind == ReportKind.WEEKLY_EXPOSURE and "problem_lists" in data:
        return {**data, "problem_lists": [{**entry, "items": _only_in_scope(entry.get("items"), scope)}
                                          for entry in data["problem_lists"]]}
    # Any other kind narrows its own lists (reports/kinds: its optional ``narrow(data, scope)``).
    narrow = getattr(kind_module(report.kind), "narrow", None)
    return narrow(data, scope) if narrow is not None else data


def report_is_finished(report: Report) -> bool:
    return report.status in (ReportStatus.DONE, ReportStatus.FAILED)


def coming_week_start(today: dt.date | None = None) -> dt.date:
    """The week the next Monday meeting sets tasks for: this week on a Monday, else next week."""
    today = today or timezone.localdate()
    week = week_of(today)
    return week.start if today == week.start else week.start + dt.timedelta(days=7)


def weekly_tasks(*, week_start: dt.date):
    return WeeklyTask.objects.filter(week_start=week_start).select_related("unit", "created_by")
