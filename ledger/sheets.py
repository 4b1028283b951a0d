"""Assignment sheets (交办单): issuing them, who sees them, what to issue next, and their Excel.

Numbering: ``交办〔<year>〕<batch>-<nn>号``. The batch is the ISO week of the issue date (the
weekly assignment meeting is on Monday, so one week's sheets form one batch) and the year is
that week's ISO year; nn counts the sheets of the batch from 01. E.g. 交办〔2026〕47-03号 is the
third sheet issued in week 47 of 2026. The database's unique (year, batch, seq) decides between
two people issuing at the same moment; the loser takes the next number.
"""

import datetime
import io

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from campaign.choices import AuditAction, Role
from campaign.jobs import task_by_name
from campaign.models import Unit
from campaign.services.audit import audit_record
from campaign.spreadsheets import append_row

from . import notifications
from .choices import Action, Status
from .models import AssignmentSheet, AssignmentSheetItem, Problem
from .rules import ROLES, role_of
from .services import LedgerConflict, LedgerForbidden, LedgerInvalid, _transition

SHEETABLE = (Status.ASSIGNED, Status.RECTIFYING)
NUMBER_ATTEMPTS = 5
PROPOSAL_LIMIT = 1000


def sheet_number(year: int, batch: int, seq: int) -> str:
    return f"交办〔{year}〕{batch}-{seq:02d}号"


def may_issue(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and role_of(user) in ROLES[Action.ISSUE_SHEET])


def sheets_visible_to(user):
    """HQ staff and leaders see every sheet; a district lead their district's (issued for it,
    or to a unit of it); a team lead their team's units'; a unit handler their unit's."""
    sheets = AssignmentSheet.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return sheets.none()
    role = role_of(user)
    if role in (Role.HQ_STAFF, Role.LEADER):
        return sheets
    if role == Role.DISTRICT_LEAD:
        district = user.district_id or -1
        return sheets.filter(Q(district_id=district) | Q(unit__district_id=district))
    if role == Role.TEAM_LEAD:
        if not user.team_id:
            return sheets.none()
        return sheets.filter(unit__in=Unit.objects.filter(Q(teams=user.team_id) | Q(led_teams=user.team_id)))
    if role == Role.UNIT_HANDLER:
        return sheets.filter(unit_id=user.unit_id or -1)
    return sheets.none()


def sheet_items(sheet: AssignmentSheet, user):
    """The sheet's lines with their problems; a problem the reader may not see is left out."""
    visible = Problem.objects.visible_to(user).values("pk")
    return (sheet.items.filter(problem__in=visible)
            .select_related("problem", "problem__district", "problem__category", "problem__sample_point")
            .order_by("line"))


def unsheeted_problems(user):
    """Assigned or in-rectification problems the user may see, not yet on a sheet to their unit."""
    on_sheet = AssignmentSheetItem.objects.filter(problem=OuterRef("pk"), sheet__unit=OuterRef("responsible_unit"))
    return (Problem.objects.visible_to(user)
            .filter(status__in=SHEETABLE, responsible_unit__isnull=False, deadline__isnull=False)
            .filter(~Exists(on_sheet)))


def sheet_proposals(user) -> list[dict]:
    """One proposed sheet per unit: the unit and its assigned problems not yet on a sheet."""
    if not may_issue(user):
        return []
    problems = list(unsheeted_problems(user)
                    .select_related("responsible_unit", "district", "category", "sample_point")
                    .order_by("responsible_unit__name", "deadline", "code")[:PROPOSAL_LIMIT])
    by_unit: dict[int, dict] = {}
    for problem in problems:
        entry = by_unit.setdefault(problem.responsible_unit_id, {"unit": problem.responsible_unit, "problems": []})
        entry["problems"].append(problem)
    return list(by_unit.values())


def _next_seq(year: int, batch: int) -> int:
    last = AssignmentSheet.objects.filter(year=year, batch=batch).aggregate(m=Max("seq"))["m"] or 0
    return last + 1


def assignment_sheet_issue(*, unit: Unit, problems, by, note: str = "",
                           at: datetime.datetime | None = None) -> AssignmentSheet:
    """Issue a numbered assignment sheet (交办单) to ``unit`` listing its newly assigned problems.

    HQ staff, or a district lead for problems of their district. Every problem must be
    visible to the issuer, assigned to ``unit`` and assigned or in rectification, and not
    already on a sheet to that unit; otherwise nothing is issued. Each problem gets an
    ``issue_sheet`` event naming the sheet, in the same transaction. ``at`` backdates the
    sheet and its events (imports and the demo's history); the number follows its ISO week."""
    if not may_issue(by):
        raise LedgerForbidden(_("Your role may not issue assignment sheets."))
    ids = sorted({p.pk if isinstance(p, Problem) else int(p) for p in problems})
    if not ids:
        raise LedgerInvalid(_("Choose at least one problem."))
    visible = {p.pk: p for p in Problem.objects.visible_to(by).filter(pk__in=ids)}
    if len(visible) != len(ids):
        raise LedgerForbidden(_("Some of these problems are not yours to list."))
    for problem in visible.values():
        if problem.responsible_unit_id != unit.pk:
            raise LedgerConflict(_("Problem %(code)s is not assigned to %(unit)s.") % {"code": problem.code, "unit": unit})
        if problem.status not in SHEETABLE or problem.deadline is None:
            raise LedgerConflict(_("Problem %(code)s is %(status)s, not newly assigned.")
                                 % {"code": problem.code, "status": problem.get_status_display().lower()})
    already = (AssignmentSheetItem.objects.filter(problem_id__in=ids, sheet__unit=unit)
               .select_related("sheet", "problem").first())
    if already is not None:
        raise LedgerConflict(_("Problem %(code)s is already on sheet %(number)s.")
                             % {"code": already.problem.code, "number": already.sheet.number})
    districts = {p.district_id for p in visible.values()}
    if role_of(by) == Role.DISTRICT_LEAD:
        district_id = by.district_id
    else:
        district_id = districts.pop() if len(districts) == 1 else None
    issued_at = at or timezone.now()
    year, batch, _weekday = timezone.localtime(issued_at).isocalendar()
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                seq = _next_seq(year, batch)
                sheet = AssignmentSheet.objects.create(
                    number=sheet_number(year, batch, seq), year=year, batch=batch, seq=seq, unit=unit,
                    district_id=district_id, issued_by=by, issued_at=issued_at, note=note.strip(),
                )
                for line, problem_id in enumerate(_in_deadline_order(visible), start=1):
                    problem = _transition(
                        visible[problem_id], action=Action.ISSUE_SHEET, by=by, expected_version=None,
                        note=note.strip(), data={"sheet": sheet.number}, at=issued_at,
                    )
                    if problem.responsible_unit_id != unit.pk or problem.status not in SHEETABLE:
                        raise LedgerConflict(_("Problem %(code)s changed meanwhile; reload and try again.")
                                             % {"code": problem.code})
                    AssignmentSheetItem.objects.create(sheet=sheet, problem=problem, line=line,
                                                       deadline=problem.deadline)
                if at is None:  # a backdated sheet (an import, the demo's history) is news to nobody
                    notifications.sheet_issued(sheet, problems=len(visible))
            return sheet
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise LedgerConflict(_("Another sheet was issued at the same moment; try again.")) from None
    raise AssertionError("unreachable")


def _in_deadline_order(problems: dict[int, Problem]) -> list[int]:
    return [p.pk for p in sorted(problems.values(), key=lambda p: (p.deadline, p.code))]


def sheets_with_counts(queryset):
    return queryset.select_related("unit", "district", "issued_by").annotate(problem_count=Count("items"))


def sheet_workbook(sheet: AssignmentSheet, items, *, language: str) -> bytes:
    """The sheet as .xlsx: title, number, unit, date, the table of problems, signature lines."""
    chinese = language.startswith("zh")
    workbook = Workbook()
    ws = workbook.active
    ws.title = "交办单" if chinese else "Assignment sheet"
    title = "创建国家卫生城市问题交办单" if chinese else "Assignment sheet (National Health City campaign)"
    heads = (["序号", "问题编号", "区县", "类别", "地点", "问题描述", "整改时限"] if chinese else
             ["No.", "Code", "District", "Category", "Place", "Description", "Deadline"])
    widths = [6, 14, 10, 14, 28, 48, 12]
    append_row(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    append_row(ws, [sheet.number])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(heads))
    ws["A2"].alignment = Alignment(horizontal="center")
    append_row(ws, [("责任单位：" if chinese else "Unit: ") + sheet.unit.name,
               None, None, None, None,
               ("交办日期：" if chinese else "Issued on: ") + timezone.localtime(sheet.issued_at).date().isoformat()])
    append_row(ws, heads)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        cell = ws.cell(row=4, column=index)
        cell.font, cell.border = Font(bold=True), border
    for item in items:
        problem = item.problem
        place = problem.sample_point.name if problem.sample_point_id else problem.address
        append_row(ws, [item.line, problem.code, problem.district.name,
                   problem.category.name_zh if chinese else problem.category.name_en,
                   place, problem.description, item.deadline])
        for index in range(1, len(heads) + 1):
            cell = ws.cell(row=ws.max_row, column=index)
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if sheet.note:
        append_row(ws, [])
        append_row(ws, [("整改要求：" if chinese else "Requirements: ") + sheet.note])
    append_row(ws, [])
    append_row(ws, ["交办人（签字）：" if chinese else "Issued by (signature):", None, None, None,
               "签收人（签字）：" if chinese else "Received by (signature):"])
    append_row(ws, ["日期：" if chinese else "Date:", None, None, None, "日期：" if chinese else "Date:"])
    ws.freeze_panes = "A5"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "4:4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Every unit's sheet at once ----------------------------------------------------------------


def sheets_waiting(user) -> dict:
    """What "issue every unit's sheet" would do for ``user``: how many units (one sheet each)
    and problems wait for a sheet."""
    if not may_issue(user):
        return {"units": 0, "problems": 0}
    per_unit = unsheeted_problems(user).order_by().values("responsible_unit").annotate(n=Count("pk"))
    counts = [row["n"] for row in per_unit]
    return {"units": len(counts), "problems": sum(counts)}


def assignment_sheets_issue_all(*, by, note: str = "", request=None, at: datetime.datetime | None = None,
                                tell_requester: bool = False) -> list[AssignmentSheet]:
    """Issue one sheet to every unit that has assigned problems ``by`` may list and that are on
    no sheet to it yet (HQ staff: the city; a district lead: their district), each through
    ``assignment_sheet_issue``, all in one transaction: every sheet or none. Audited with the
    numbers. Raises LedgerInvalid when nothing waits."""
    if not may_issue(by):
        raise LedgerForbidden(_("Your role may not issue assignment sheets."))
    by_unit: dict[int, list[int]] = {}
    for pk, unit_id in unsheeted_problems(by).order_by("pk").values_list("pk", "responsible_unit_id"):
        by_unit.setdefault(unit_id, []).append(pk)
    if not by_unit:
        raise LedgerInvalid(_("No assigned problems are waiting for a sheet."))
    units = sorted(Unit.objects.filter(pk__in=by_unit), key=lambda unit: (unit.name, unit.pk))
    with transaction.atomic():
        sheets = [assignment_sheet_issue(unit=unit, problems=by_unit[unit.pk], by=by, note=note, at=at)
                  for unit in units]
        audit_record(action=AuditAction.SHEETS_ISSUED, request=request, actor=by,
                     target=_("%(count)d assignment sheets") % {"count": len(sheets)},
                     details={"sheets": [sheet.number for sheet in sheets], "units": len(units),
                              "problems": sum(len(ids) for ids in by_unit.values())})
        if tell_requester:  # issued in the worker: the page said they would appear shortly
            notifications.sheets_ready(by=by, sheets=len(sheets), units=len(units),
                                       problems=sum(len(ids) for ids in by_unit.values()))
    return sheets


def assignment_sheets_issue_all_request(*, by, note: str = "", request=None) -> list[AssignmentSheet] | None:
    """Issue every unit's sheet now, or, for more than SHEET_ISSUE_BACKGROUND_PROBLEMS
    problems, in the worker after commit (returns None then)."""
    waiting = sheets_waiting(by)
    if waiting["problems"] <= settings.SHEET_ISSUE_BACKGROUND_PROBLEMS:
        return assignment_sheets_issue_all(by=by, note=note, request=request)
    if not waiting["problems"]:
        raise LedgerInvalid(_("No assigned problems are waiting for a sheet."))
    transaction.on_commit(lambda: task_by_name("ledger.tasks.assignment_sheets_issue_all").delay(by.pk, note))
    return None
