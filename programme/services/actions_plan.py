"""Read an action's target list from Excel or CSV and check every row; nothing here writes.

The one import path: campaign/importing/reading.py reads the file (guarded: by content, size,
zip bombs, control characters); this module finds the header, resolves names the way the
sample-point and ledger imports do (code, Chinese or English name; spaces, case and full-width
characters do not matter) and collects every error with its row (as Excel numbers it) and
column (the header as written in the file). A file with any error is written not at all
(programme/services/actions.py ``action_import_confirm``).

Rules (shown on the upload page too):
- Name, district and target state are required; a district or unit the city does not have is
  an error; when the action lists its units, the responsible unit must be one of them.
- An empty responsible unit is the sample point's unit when a sample point is named.
- The deadline must lie inside the action's period; an empty deadline is the action's end.
- An object listed twice in the file (same district and name), or already in the action, is
  an error at its row.
- A sample point (code or name) must lie in the row's district.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.importing.layouts import cell_text, match_key
from campaign.importing.planning import Lookup, problem
from campaign.importing.reading import UnreadableFile, control_character_cells, read_sheets
from campaign.models import District, SamplePoint, Unit
from ledger.transfer.columns import parse_date

HEADER_SEARCH_ROWS = 10
MAX_ROWS = 20_000
MAX_LENGTHS = {"name": 200, "address": 300, "target_state": 2000}

# field → (English header, Chinese header, other accepted spellings). Order = template order.
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "name": ("Name", "名称", ("对象名称", "点位名称", "对象")),
    "district": ("District", "区县", ("区", "所属区县", "区域")),
    "address": ("Address", "地址", ("详细地址", "位置")),
    "sample_point": ("Sample point", "样本点", ("样本点编号", "点位编号")),
    "target_state": ("Target state", "目标状态", ("整治目标", "目标", "建设标准", "改造目标")),
    "unit": ("Responsible unit", "责任单位", ("unit", "牵头单位")),
    "deadline": ("Deadline", "完成时限", ("时限", "完成时间", "整改时限")),
}
REQUIRED = ("name", "district", "target_state")
FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "district": gettext_lazy("District"),
    "address": gettext_lazy("Address"),
    "sample_point": gettext_lazy("Sample point"),
    "target_state": gettext_lazy("Target state"),
    "unit": gettext_lazy("Responsible unit"),
    "deadline": gettext_lazy("Deadline"),
}


def field_for_header(value) -> str | None:
    """The field a header names, in either language or both ("名称 Name", "Name/名称")."""
    key = match_key(value)
    if not key:
        return None
    tokens = {key, *(part for part in re.split(r"[/|()\[\]_:,]+", key) if part)}
    tokens.update(re.findall(r"[\u4e00-\u9fff]+|[a-z][a-z. ]*", unicodedata.normalize("NFKC", key)))
    tokens = {token.strip() for token in tokens}
    for name, (english, chinese, others) in COLUMNS.items():
        if tokens & {match_key(english), match_key(chinese), *(match_key(o) for o in others)}:
            return name
    return None


@dataclass
class PlannedTarget:
    row: int
    name: str
    district: District
    target_state: str
    unit: Unit
    deadline: date
    address: str = ""
    sample_point: SamplePoint | None = None


@dataclass
class Plan:
    sheet_title: str = ""
    header_row: int = 0
    total_rows: int = 0
    targets: list[PlannedTarget] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_district(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for target in self.targets:
            counts[target.district.label] = counts.get(target.district.label, 0) + 1
        return sorted(counts.items())


def _find_header(sheets):
    for sheet in sheets:
        for number, values in sheet.rows[:HEADER_SEARCH_ROWS]:
            found: dict[str, tuple[int, str]] = {}
            for position, value in enumerate(values):
                name = field_for_header(value)
                if name and name not in found:
                    found[name] = (position, cell_text(value))
            if "name" in found and len(found) >= 2:
                return sheet, number, found
    return None, None, None


def build_plan(data: bytes, *, action) -> Plan:
    """Check a target list for ``action`` against the city and the action; writes nothing."""
    plan = Plan()
    try:
        sheets = read_sheets(data)
    except UnreadableFile as exc:
        plan.errors.append(problem(None, "", "", str(exc)))
        return plan
    refused = control_character_cells(sheets)
    if refused:
        plan.errors.extend(problem(cell.row, cell.column, cell.value, cell.message) for cell in refused)
        return plan
    sheet, header_row, found = _find_header(sheets)
    if sheet is None:
        plan.errors.append(problem(None, "", "", _(
            "No header row found: the first rows must hold the template's column headers "
            "(名称 Name, 区县 District, 目标状态 Target state, …)."
        )))
        return plan
    plan.sheet_title, plan.header_row = sheet.title, header_row
    headers = {name: header for name, (_position, header) in found.items()}
    for name in REQUIRED:
        if name not in found:
            plan.errors.append(problem(header_row, FIELD_LABELS[name], "", _("The file has no such column.")))
    if plan.errors:
        return plan
    rows = [(number, values) for number, values in sheet.rows if number > header_row]
    plan.total_rows = len(rows)
    if plan.total_rows > MAX_ROWS:
        plan.errors.append(problem(None, "", "", _("More than %(limit)s rows: split the file.") % {"limit": MAX_ROWS}))
        return plan
    context = _Context(action)
    seen: dict[tuple[int, str], int] = {}
    for number, values in rows:
        cells = {name: (values[position] if position < len(values) else None)
                 for name, (position, _header) in found.items()}
        _plan_row(plan, number, cells, headers, context, seen)
    if not plan.targets and not plan.errors:
        plan.errors.append(problem(header_row, "", "", _("The file has a header row but no objects.")))
    return plan


class _Context:
    """The city's names and the action's objects, loaded once per file."""

    def __init__(self, action):
        self.action = action
        self.districts = Lookup(District.objects.all(), "code", "name", "name_en")
        self.units = Lookup(Unit.objects.all(), "name", "name_en")
        self.points = Lookup(SamplePoint.objects.all(), "code", "name")
        self.action_unit_ids = set(action.units.values_list("pk", flat=True)) if action.pk else set()
        if self.action_unit_ids and action.team.lead_unit_id:
            self.action_unit_ids.add(action.team.lead_unit_id)
        self.present = {(district_id, match_key(name)) for district_id, name in
                        action.targets.values_list("district_id", "name")} if action.pk else set()


def _plan_row(plan: Plan, row: int, cells: dict, headers: dict, context: _Context, seen: dict) -> None:
    errors_before = len(plan.errors)

    def error(name, value, message):
        plan.errors.append(problem(row, headers.get(name) or FIELD_LABELS[name], value, message))

    def text(name):
        return cell_text(cells.get(name))

    for name in REQUIRED:
        if not text(name):
            error(name, "", _("This value is required."))
    for name, limit in MAX_LENGTHS.items():
        if len(text(name)) > limit:
            error(name, text(name), _("Longer than %(limit)s characters.") % {"limit": limit})

    district = None
    if text("district"):
        district, why = context.districts.find(text("district"))
        if district is None:
            error("district", text("district"), _("No district has this code or name.") if why == "missing"
                  else _("Several records match this name: use the code."))

    point = None
    if text("sample_point") and district is not None:
        point, why = context.points.find(text("sample_point"), within=lambda p: p.district_id == district.pk)
        if point is None and why == "missing" and context.points.find(text("sample_point"))[0] is not None:
            error("sample_point", text("sample_point"), _("It lies in another district."))
        elif point is None:
            error("sample_point", text("sample_point"), _("No sample point has this code or name.")
                  if why == "missing" else _("Several records match this name: use the code."))

    unit = None
    if text("unit"):
        unit, why = context.units.find(text("unit"))
        if unit is None:
            error("unit", text("unit"), _("No responsible unit has this name.") if why == "missing"
                  else _("Several units match this name: use the exact name from the list of units."))
    elif point is not None and point.responsible_unit_id:
        unit = point.responsible_unit  # the sample point's unit, held to the action's units all the same
    else:
        error("unit", "", _("This value is required."))
    if unit is not None and context.action_unit_ids and unit.pk not in context.action_unit_ids:
        error("unit", text("unit") or str(unit), _("This unit is not one of the action's units."))

    deadline = context.action.ends_on
    raw_deadline = cells.get("deadline")
    try:
        deadline = parse_date(raw_deadline) or deadline
    except ValueError:
        error("deadline", text("deadline"), _("Not a date: write it as 2026-06-30."))
    else:
        if not (context.action.starts_on <= deadline <= context.action.ends_on):
            error("deadline", text("deadline"), _(
                "Outside the action's period (%(start)s – %(end)s)."
            ) % {"start": context.action.starts_on.isoformat(), "end": context.action.ends_on.isoformat()})

    if district is not None and text("name"):
        key = (district.pk, match_key(text("name")))
        if key in seen:
            error("name", text("name"), _("Listed twice: the same object is in row %(row)s.") % {"row": seen[key]})
        elif key in context.present:
            error("name", text("name"), _("This object is already in the action."))
        else:
            seen[key] = row
    if len(plan.errors) > errors_before:
        return
    plan.targets.append(PlannedTarget(
        row=row, name=text("name"), district=district, target_state=text("target_state"), unit=unit,
        deadline=deadline, address=text("address") or (point.address if point else ""), sample_point=point,
    ))
