"""The ledger's notifications: its event kinds (registered in LedgerConfig.ready) and who is
told of each change. ``ledger/services.py`` calls these inside the change's transaction."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.models import User, cell_chiefs
from notifications.events import register
from notifications.services import notify

ASSIGNED = "problem.assigned"
DUE_TOMORROW = "problem.due_tomorrow"
OVERDUE = "problem.overdue"
CLOSING_APPLIED = "problem.closing_applied"
CLOSING_REJECTED = "problem.closing_rejected"
SHEET_ISSUED = "sheet.issued"
SHEETS_READY = "sheets.issued_in_background"
CLASS_CLOSING_REJECTED = "problem_class.closing_rejected"

UNIT = (Role.UNIT_HANDLER,)
# The grid and road chiefs answer for their cells: they hear what the unit hears of its problems.
UNIT_AND_CHIEFS = (Role.UNIT_HANDLER, Role.GRID_CHIEF, Role.ROAD_CHIEF)
VERIFIERS = (Role.HQ_STAFF, Role.DISTRICT_LEAD)


def problem_link(problem) -> str:
    return reverse("ledger:problem_detail", args=[problem.pk])


def sheet_link(sheet) -> str:
    return reverse("ledger:sheet_detail", args=[sheet.pk])


def class_link(item) -> str:
    return reverse("ledger:class_detail", args=[item.pk])


def register_kinds() -> None:
    register(ASSIGNED, _("A problem was assigned to my unit"), roles=UNIT_AND_CHIEFS, link=problem_link)
    register(DUE_TOMORROW, _("A problem of my unit falls due tomorrow"), roles=UNIT_AND_CHIEFS, link=problem_link)
    register(OVERDUE, _("A problem of my unit is overdue"), roles=UNIT_AND_CHIEFS, link=problem_link)
    register(CLOSING_APPLIED, _("A closing waits for my verification"), roles=VERIFIERS, link=problem_link)
    register(CLOSING_REJECTED, _("A closing of my unit was rejected"), roles=UNIT_AND_CHIEFS, link=problem_link)
    register(SHEET_ISSUED, _("An assignment sheet was issued to my unit"), roles=UNIT, link=sheet_link)
    register(SHEETS_READY, _("The assignment sheets I issued in the background are ready"),
             roles=(Role.HQ_STAFF, Role.DISTRICT_LEAD), default_channels=(),
             link=lambda about: reverse("ledger:sheet_list"))
    register(CLASS_CLOSING_REJECTED, _("The closing of a problem class of my unit was rejected"), roles=UNIT,
             link=class_link)


def _context(problem, **extra) -> dict:
    return {"code": problem.code, "description": problem.description[:200],
            "address": problem.address, "deadline": problem.deadline.isoformat() if problem.deadline else "",
            "unit": problem.responsible_unit.name if problem.responsible_unit_id else "", **extra}


def chiefs_of(problem) -> list:
    """The grid and road chiefs of the problem's cell, told with its unit."""
    return list(cell_chiefs(grid_id=problem.grid_id, road_id=problem.road_id))


def problem_assigned(problem, *, reassigned: bool) -> None:
    sheet = problem.assignment_sheets.order_by("-issued_at").first()
    sheet_url = reverse("ledger:sheet_detail", args=[sheet.pk]) if sheet else ""
    notify(ASSIGNED, about=problem, units=[problem.responsible_unit_id], users=chiefs_of(problem),
           context=_context(problem, reassigned=reassigned, sheet=sheet.number if sheet else ""),
           attachment=sheet_url or None, dedupe_key=f"{ASSIGNED}:{problem.pk}:{problem.version}")


def closing_applied(problem, *, by) -> None:
    hq = User.objects.filter(role=Role.HQ_STAFF, is_active=True).exclude(pk=by.pk)
    notify(CLOSING_APPLIED, about=problem, users=list(hq), districts=[problem.district_id],
           context=_context(problem, note=problem.rectification_note[:300]),
           dedupe_key=f"{CLOSING_APPLIED}:{problem.pk}:{problem.version}")


def closing_rejected(problem) -> None:
    notify(CLOSING_REJECTED, about=problem, units=[problem.responsible_unit_id], users=chiefs_of(problem),
           context=_context(problem, reason=problem.last_rejection_reason[:300]),
           dedupe_key=f"{CLOSING_REJECTED}:{problem.pk}:{problem.version}")


def deadline_reminders(*, today=None) -> int:
    """Daily: tell each unit of its problems due tomorrow and of those overdue, once a day each."""
    from django.db import transaction

    from .choices import Status
    from .models import Problem

    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    told = 0
    active = Problem.objects.filter(status__in=(Status.ASSIGNED, Status.RECTIFYING),
                                    responsible_unit__isnull=False).select_related("responsible_unit")
    for event, problems in ((DUE_TOMORROW, active.filter(deadline=tomorrow)),
                            (OVERDUE, active.filter(deadline__lt=today))):
        for problem in problems.iterator(chunk_size=500):
            with transaction.atomic():
                context = _context(problem, days_overdue=(today - problem.deadline).days)
                told += bool(notify(event, about=problem, units=[problem.responsible_unit_id],
                                    users=chiefs_of(problem), context=context,
                                    dedupe_key=f"{event}:{problem.pk}:{today.isoformat()}"))
    return told


def sheet_issued(sheet, *, problems: int) -> None:
    """The unit is sent its assignment sheet (交办单): the numbered document with its problems and
    deadlines, linked with its Excel file."""
    notify(SHEET_ISSUED, about=sheet, units=[sheet.unit_id],
           context={"number": sheet.number, "problems": problems, "unit": sheet.unit.name, "note": sheet.note[:300]},
           attachment=reverse("ledger:sheet_excel", args=[sheet.pk]), dedupe_key=f"{SHEET_ISSUED}:{sheet.pk}")


def sheets_ready(*, by, sheets: int, units: int, problems: int) -> None:
    """Whoever asked for every unit's sheets learns when the worker has issued them."""
    notify(SHEETS_READY, users=[by], context={"sheets": sheets, "units": units, "problems": problems})


def class_closing_rejected(item) -> None:
    """The unit answering for a problem class hears that its closing was rejected, and why."""
    notify(CLASS_CLOSING_REJECTED, about=item, units=[item.responsible_unit_id],
           context={"code": item.code, "name": item.name, "reason": item.last_rejection_reason[:300],
                    "unit": item.responsible_unit.name if item.responsible_unit_id else "",
                    "deadline": item.deadline.isoformat() if item.deadline else ""},
           dedupe_key=f"{CLASS_CLOSING_REJECTED}:{item.pk}:{item.version}")
