"""Read an uploaded ledger (the template, headers in either language) and check every row.

Nothing here writes. ``build_plan`` collects every error with its row (as Excel numbers it)
and column (the header as written in the file); a file with any error is written not at all.

Rules (shown on the preview page too):
- A row may name only what the importer may write for (campaign/write_scope.py): a district,
  sample point or unit outside it is an error at that row and column.
- District, category and responsible unit match by code, Chinese or English name; spaces,
  letter case and full-/half-width characters do not matter. A sample point matches by code
  or name within the row's district (and category).
- Status, source and severity: the label in either language, the stored value, or a usual
  word of Chinese ledgers (已销号, 整改中, 暗访…). An empty severity is general; an empty
  status is found.
- A problem whose code is already in the ledger is never duplicated, so importing a file
  twice, or importing an export, adds nothing. If its row is as the ledger has it, it is
  counted as unchanged (one line of the summary, not one warning per row). If its description,
  address, severity, deadline, responsible unit or status was edited, the change is applied
  through the ledger's services, each an event: the status by the move the ledger's rules
  allow the importer from the current state to the new one (assign, acknowledge, verify,
  mark invalid…), the unit by (re)assignment, the rest as a correction of an open problem. A
  change the rules do not allow is an error at its row and column, saying why. An empty code
  is generated.
- Assigned, in-rectification, closing-applied and closed problems need their responsible
  unit; an empty deadline is then the default for the severity counted from the found date.
  A closed problem needs its closing date, and only a closed one has one.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.importing.reading import UnreadableFile, control_character_cells, read_sheets
from campaign.models import Category, District, Grid, Road, SamplePoint, Unit
from campaign.write_scope import out_of_scope_message, writable

from ..choices import OPEN_STATUSES, Action, Severity, Status
from ..models import Problem
from ..rules import TRANSITIONS, refusal
from ..services import default_deadline
from . import columns

HEADER_SEARCH_ROWS = 10
MAX_ROWS = 200_000
MAX_LENGTHS = {"code": 20, "address": 300, "description": 5000, "rectification": 5000}
NEEDS_UNIT = (Status.ASSIGNED, Status.RECTIFYING, Status.CLOSING_APPLIED, Status.CLOSED)
SUMMARY_UPDATES = 200  # edited rows listed on the preview (all are counted and applied)
# The status moves an import may make: (from, to) -> the action, from the ledger's rules. Moves
# that need evidence or a reason only a person gives (applying to close with photos, rejecting
# a closing) are not among them: they are made on the problem's page.
IMPORT_MOVES = {
    (start, to): action
    for action, (starts, to) in TRANSITIONS.items()
    if to is not None and action in (Action.ASSIGN, Action.REASSIGN, Action.ACKNOWLEDGE, Action.APPROVE,
                                     Action.INVALIDATE)
    for start in starts if start != to
}


def issue(row, column, value, message) -> dict:
    """One error or warning as stored and shown: where (row as Excel shows it, column header)."""
    return {"row": row, "column": str(column or ""), "value": _text(value), "message": str(message)}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()[:10]
    return " ".join(str(value).split())


@dataclass
class PlannedProblem:
    row: int
    code: str
    found_on: date
    district: District
    category: Category
    description: str
    source: str
    severity: str
    status: str
    sample_point: SamplePoint | None = None
    address: str = ""
    responsible_unit: Unit | None = None
    deadline: date | None = None
    rectification: str = ""
    closed_on: date | None = None
    grid: Grid | None = None
    road: Road | None = None


@dataclass
class PlannedUpdate:
    """An edited row of a problem already in the ledger: what to change, through which moves."""

    row: int
    problem: Problem
    edits: dict  # description, address, severity, deadline: corrected by services.problem_edit
    action: str | None = None  # the status move (Action), if the status was edited
    unit: Unit | None = None  # for an (re)assignment
    deadline: date | None = None  # for an (re)assignment
    reason: str = ""  # for marking invalid
    fields: list = field(default_factory=list)  # the edited columns' labels, for the preview


@dataclass
class Plan:
    sheet_title: str = ""
    header_row: int = 0
    total_rows: int = 0
    problems: list[PlannedProblem] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    already_present: int = 0
    unchanged: int = 0
    updates: list[PlannedUpdate] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        """A JSON-ready summary for the API and the preview page."""
        by_status: dict[str, int] = defaultdict(int)
        by_district: dict[str, int] = defaultdict(int)
        for planned in self.problems:
            by_status[planned.status] += 1
            by_district[planned.district.label] += 1
        return {
            "sheet": self.sheet_title,
            "total_rows": self.total_rows,
            "to_create": len(self.problems),
            "already_present": self.already_present,
            "unchanged": self.unchanged,
            "to_update": len(self.updates),
            "updates": [{"row": u.row, "code": u.problem.code, "fields": u.fields}
                        for u in self.updates[:SUMMARY_UPDATES]],
            "by_status": [{"status": value, "label": str(label), "count": by_status[value]}
                          for value, label in Status.choices if by_status.get(value)],
            "by_district": [{"district": name, "count": count} for name, count in sorted(by_district.items())],
        }


class Lookup:
    """Find one object by any of its names, exactly but leniently (see ``columns.match_key``)."""

    def __init__(self, objects, *attributes):
        self.index = defaultdict(list)
        for obj in objects:
            for attribute in attributes:
                key = columns.match_key(getattr(obj, attribute, "") or "")
                if key and obj not in self.index[key]:
                    self.index[key].append(obj)

    def find(self, text, *, within=None):
        """(object, None) or (None, why): 'missing' or 'ambiguous'."""
        candidates = self.index.get(columns.match_key(text), [])
        if within is not None:
            candidates = [c for c in candidates if within(c)]
        if len(candidates) == 1:
            return candidates[0], None
        return None, ("ambiguous" if candidates else "missing")


def _find_header(sheets):
    """The first sheet with a header row (in its first rows) naming the description column."""
    for sheet in sheets:
        for number, values in sheet.rows[:HEADER_SEARCH_ROWS]:
            found: dict[str, tuple[int, str]] = {}
            for position, value in enumerate(values):
                name = columns.field_for_header(value)
                if name and name not in found:
                    found[name] = (position, _text(value))
            if "description" in found and len(found) >= 3:
                return sheet, number, found
    return None, None, None


def build_plan(data: bytes, *, user, progress=None) -> Plan:
    """Check a ledger file against the city's structure and the ledger; writes nothing."""
    plan = Plan()
    try:
        sheets = read_sheets(data)
    except UnreadableFile as exc:
        plan.errors.append(issue(None, "", "", exc))
        return plan
    refused = control_character_cells(sheets)
    if refused:
        plan.errors.extend(issue(cell.row, cell.column, cell.value, cell.message) for cell in refused)
        return plan
    sheet, header_row, found = _find_header(sheets)
    if sheet is None:
        plan.errors.append(issue(None, "", "", _(
            "No header row found: the first rows must hold the template's column headers "
            "(e.g. 问题描述 or Description)."
        )))
        return plan
    plan.sheet_title, plan.header_row = sheet.title, header_row
    headers = {name: header for name, (_pos, header) in found.items()}
    for name in (*columns.REQUIRED, "found_on", "source"):
        if name not in found:
            plan.errors.append(issue(header_row, columns.column_label(name), "",
                                     _("The file has no such column.")))
    if plan.errors:
        return plan

    rows = [(number, values) for number, values in sheet.rows if number > header_row]
    plan.total_rows = len(rows)
    if plan.total_rows > MAX_ROWS:
        plan.errors.append(issue(None, "", "", _("More than %(limit)s rows: split the file.") % {"limit": MAX_ROWS}))
        return plan
    context = _Context(user)
    if "code" in found:
        position = found["code"][0]
        context.existing_codes.load(_text(values[position]).strip() for _n, values in rows if position < len(values))
    seen_codes: dict[str, int] = {}
    step = max(100, plan.total_rows // 50)
    for done, (number, values) in enumerate(rows, start=1):
        cells = {name: (values[pos] if pos < len(values) else None) for name, (pos, _h) in found.items()}
        _plan_row(plan, number, cells, headers, context, seen_codes)
        if progress and (done % step == 0 or done == plan.total_rows):
            progress(done)
    if not plan.problems and not plan.errors and not plan.already_present:
        plan.errors.append(issue(None, "", "", _("The file lists no problems.")))
    return plan


class _Context:
    """The city's names, loaded once per file."""

    def __init__(self, user):
        self.districts = Lookup(District.objects.all(), "code", "name", "name_en")
        self.categories = Lookup(Category.objects.all(), "code", "name_zh", "name_en")
        self.units = Lookup(Unit.objects.visible_to(user), "name", "name_en")
        # With what a recording takes from a point (its team, grid, road…): no query per point when written.
        self.points = Lookup(SamplePoint.objects.select_related("district", "responsible_unit", "team", "grid", "road"),
                             "code", "name")
        self.grids = Lookup(Grid.objects.all(), "code", "name")
        self.roads = Lookup(Road.objects.all(), "label", "name")
        self.statuses = columns.status_index()
        self.sources = columns.source_index()
        self.severities = columns.severity_index()
        self.today = timezone.localdate()
        self.existing_codes = _CodeCheck()
        self.user = user
        self.writable = {model: _writable_ids(model, user)
                         for model in (District, Category, SamplePoint, Unit, Grid, Road)}

    def may_write(self, obj) -> bool:
        ids = self.writable[type(obj)]
        return ids is None or obj.pk in ids


def _writable_ids(model, user) -> set[int] | None:
    """The ids the importer may name (None: all of them, as for HQ staff)."""
    allowed = writable(model, user)
    if allowed.count() == model.objects.count():
        return None
    return set(allowed.values_list("pk", flat=True))


class _CodeCheck:
    """Which codes the ledger already holds (with what a re-import may compare and change),
    asked in batches rather than row by row."""

    BATCH = 1000
    FIELDS = ("pk", "code", "version", "status", "description", "address", "severity", "deadline",
              "responsible_unit", "district", "closing_applied_by", "sample_point", "team")

    def __init__(self):
        self.present: dict[str, Problem] = {}

    def load(self, codes) -> None:
        codes = sorted({c for c in codes if c})
        for start in range(0, len(codes), self.BATCH):
            batch = codes[start:start + self.BATCH]
            self.present.update((p.code, p) for p in Problem.objects.filter(code__in=batch).only(*self.FIELDS))

    def exists(self, code: str) -> bool:
        return code in self.present

    def get(self, code: str) -> Problem:
        return self.present[code]


def _plan_row(plan: Plan, row: int, cells: dict, headers: dict, context: _Context, seen_codes: dict) -> None:
    errors_before = len(plan.errors)

    def column(name):
        return headers.get(name) or columns.column_label(name)

    def error(name, value, message):
        plan.errors.append(issue(row, column(name), value, message))

    def text(name):
        return _text(cells.get(name)).strip()

    if not any(text(name) for name in cells if name != "no"):
        plan.total_rows -= 1
        return

    code = text("code")
    for name, limit in MAX_LENGTHS.items():
        if len(text(name)) > limit:
            error(name, text(name)[:50], _("Longer than %(limit)s characters.") % {"limit": limit})
    if code and code in seen_codes:
        error("code", code, _("This code is used again (first in row %(row)s).") % {"row": seen_codes[code]})
    elif code:
        seen_codes[code] = row

    def date_of(name, required=False):
        raw = cells.get(name)
        try:
            value = columns.parse_date(raw)
        except ValueError:
            error(name, raw, _("Not a date: write it as 2026-03-05."))
            return None
        if value is None and required:
            error(name, "", _("This value is required."))
        return value

    found_on = date_of("found_on", required=True)
    deadline = date_of("deadline")
    closed_on = date_of("closed_on")
    if found_on and found_on > context.today:
        error("found_on", found_on, _("This date is in the future."))
    if closed_on and closed_on > context.today:
        error("closed_on", closed_on, _("This date is in the future."))
    if found_on and closed_on and closed_on < found_on:
        error("closed_on", closed_on, _("A problem cannot be closed before it was found."))
    if found_on and deadline and deadline < found_on:
        error("deadline", deadline, _("The deadline is before the problem was found."))

    def choice(name, index, default=None):
        given = text(name)
        if not given:
            if default is None:
                error(name, "", _("This value is required."))
            return default
        value = index.get(columns.match_key(given))
        if value is None:
            error(name, given, _("Unknown value."))
        return value

    status = choice("status", context.statuses, Status.FOUND)
    source = choice("source", context.sources)
    severity = choice("severity", context.severities, Severity.GENERAL)

    def resolve(name, lookup, required=False, within=None):
        given = text(name)
        if not given:
            if required:
                error(name, "", _("This value is required."))
            return None
        found, why = lookup.find(given, within=within)
        if found is None:
            error(name, given, _("Not found.") if why == "missing" else
                  _("More than one match: give the code."))
        elif not context.may_write(found):
            error(name, given, out_of_scope_message(found))
            return None
        return found

    district = resolve("district", context.districts, required=True)
    category = resolve("category", context.categories, required=True)
    unit = resolve("responsible_unit", context.units)
    point = None
    if text("sample_point") and district is not None:
        def in_place(candidate):
            return candidate.district_id == district.pk and (category is None or candidate.category_id == category.pk)
        point = resolve("sample_point", context.points, within=in_place)
    areas = {}
    for name, lookup in (("grid", context.grids), ("road", context.roads)):
        if text(name) and district is not None:
            # A grid or road of the row's district: another district's is "not found" there.
            areas[name] = resolve(name, lookup, within=lambda candidate: candidate.district_id == district.pk)
    description = text("description")
    if not description:
        error("description", "", _("This value is required."))

    if status in NEEDS_UNIT and unit is None and not text("responsible_unit"):
        error("responsible_unit", "", _("A problem that is %(status)s needs its responsible unit.")
              % {"status": Status(status).label.lower()})
    if status == Status.CLOSED and closed_on is None and not text("closed_on"):
        error("closed_on", "", _("A closed problem needs its closing date."))
    if status and status != Status.CLOSED and closed_on is not None:
        error("closed_on", closed_on, _("Only a closed problem has a closing date."))

    if len(plan.errors) > errors_before:
        return
    if code and context.existing_codes.exists(code):
        plan.already_present += 1
        _plan_update(plan, row, context.existing_codes.get(code), context.user, error=error,
                     given={name for name in cells if text(name)},
                     row_values={"description": description, "address": text("address"), "severity": severity,
                                 "deadline": deadline, "responsible_unit": unit, "status": status,
                                 "rectification": text("rectification")})
        return
    if status in NEEDS_UNIT and deadline is None:
        deadline = default_deadline(severity, found_on)
    plan.problems.append(PlannedProblem(
        row=row, code=code, found_on=found_on, district=district, category=category, description=description,
        source=source, severity=severity, status=status, sample_point=point, address=text("address"),
        responsible_unit=unit, deadline=deadline, rectification=text("rectification"), closed_on=closed_on,
        grid=areas.get("grid"), road=areas.get("road"),
    ))


def _plan_update(plan: Plan, row: int, problem: Problem, user, *, error, given, row_values: dict) -> None:
    """Compare a row with the problem of its code: unchanged (counted), edited (planned as the
    ledger's moves) or edited in a way the rules refuse (an error at the row and column)."""
    errors_before = len(plan.errors)
    edits = {}
    if "description" in given and row_values["description"] != " ".join(problem.description.split()):
        edits["description"] = row_values["description"]
    if "address" in given and row_values["address"] != " ".join(problem.address.split()):
        edits["address"] = row_values["address"]
    if "severity" in given and row_values["severity"] != problem.severity:
        edits["severity"] = row_values["severity"]
    deadline = row_values["deadline"]
    if "deadline" in given and deadline is not None and deadline != problem.deadline:
        edits["deadline"] = deadline
    unit = row_values["responsible_unit"]
    new_unit = unit is not None and unit.pk != problem.responsible_unit_id
    status = row_values["status"] if "status" in given else problem.status
    if not edits and not new_unit and status == problem.status:
        plan.unchanged += 1
        return

    action = None
    if status != problem.status:
        action = IMPORT_MOVES.get((problem.status, status))
        if action is None:
            error("status", Status(status).label, _("A problem that is %(now)s cannot become %(new)s by an import "
                                                    "(the ledger's rules; do it on the problem's page).")
                  % {"now": problem.get_status_display().lower(), "new": Status(status).label.lower()})
    elif new_unit:
        if problem.status in (Status.ASSIGNED, Status.RECTIFYING):
            action = Action.REASSIGN
        elif problem.status == Status.FOUND:
            error("responsible_unit", unit, _("To assign it, set its status to assigned as well."))
        else:
            error("responsible_unit", unit, _("The responsible unit of a problem that is %(status)s does not change.")
                  % {"status": problem.get_status_display().lower()})
    if action is not None:
        reason = refusal(action, problem, user)
        if reason is not None:
            error("status" if status != problem.status else "responsible_unit", Status(status).label, reason)
    assigning = action in (Action.ASSIGN, Action.REASSIGN)
    target_unit = (unit or problem.responsible_unit or _suggested(problem)) if assigning else None
    if assigning and target_unit is None:
        error("responsible_unit", "", _("A problem that is %(status)s needs its responsible unit.")
              % {"status": Status(status).label.lower()})
    assign_deadline = edits.pop("deadline", None) if assigning else None
    if edits:
        if problem.status not in OPEN_STATUSES:
            error(next(iter(edits)), "", _("The details of a problem that is %(status)s are not changed.")
                  % {"status": problem.get_status_display().lower()})
        elif refusal(Action.EDIT, problem, user) is not None:
            error(next(iter(edits)), "", refusal(Action.EDIT, problem, user))
        elif edits.get("deadline") is not None and edits["deadline"] < timezone.localdate():
            error("deadline", edits["deadline"], _("The deadline %(date)s has already passed.")
                  % {"date": edits["deadline"]})
    if assign_deadline is not None and assign_deadline < timezone.localdate():
        error("deadline", assign_deadline, _("The deadline %(date)s has already passed.") % {"date": assign_deadline})
    if len(plan.errors) > errors_before:
        return
    labels = [str(columns.column_label(name)) for name in (*edits, *(["deadline"] if assign_deadline else []))]
    if new_unit:
        labels.append(str(columns.column_label("responsible_unit")))
    if action is not None and status != problem.status:
        labels.append(str(columns.column_label("status")))
    plan.updates.append(PlannedUpdate(
        row=row, problem=problem, edits=edits, action=action, unit=target_unit, deadline=assign_deadline,
        reason=row_values["rectification"] or str(_("Marked invalid in the imported ledger, row %(row)s.")
                                                  % {"row": row}),
        fields=labels,
    ))


def _suggested(problem: Problem):
    from ..selectors import suggested_unit

    return suggested_unit(problem)
