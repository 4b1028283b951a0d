"""Read a list of communities (社区) from Excel or CSV into a plan; nothing here writes.

Through the one guarded reader (``reading.read_sheets``: size, zip bombs, old .xls, control
characters). The header row is found in the first rows of the first sheet; columns, in either
language: Name/名称/社区 (required), District/区县 (required), Street office/街道, Code/编号
(optional: generated from the district's code when empty).

Every row is checked and every fault reported by its row (as Excel shows it) and column
header: a missing name or district, a district that does not exist, a code or a name (within its
district) given twice in the file or already in the system. One error and nothing is written
(``campaign.services.communities.communities_import`` writes the plan in one transaction).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from campaign.models import Community, District

from .layouts import HEADER_SEARCH_ROWS, cell_text, match_key
from .planning import Lookup, problem
from .reading import UnreadableFile, control_character_cells, read_sheets

MAX_COMMUNITIES = 5_000
# Field → accepted headers (compared by layouts.match_key).
COLUMNS = {
    "code": ("Code", "编号", "社区编号", "代码"),
    "name": ("Name", "名称", "社区", "社区名称", "Community"),
    "district": ("District", "区县", "区", "所属区县"),
    "street_office": ("Street office", "街道", "街道办事处", "所属街道", "Street"),
}
MAX_LENGTHS = {"code": 30, "name": 200, "street_office": 200}


@dataclass
class PlannedCommunity:
    row: int
    name: str
    district: District
    street_office: str = ""
    code: str = ""  # "" → generated when written


@dataclass
class CommunityPlan:
    communities: list[PlannedCommunity] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.communities)


def _field_of(header) -> str | None:
    key = match_key(header)
    for name, spellings in COLUMNS.items():
        if key in {match_key(s) for s in spellings}:
            return name
    return None


def _header(sheet) -> tuple[int, dict[str, tuple[int, str]]] | None:
    for number, values in sheet.rows[:HEADER_SEARCH_ROWS]:
        found = {}
        for index, value in enumerate(values):
            name = _field_of(value)
            if name and name not in found:
                found[name] = (index, cell_text(value))
        if "name" in found:
            return number, found
    return None


def plan_communities(data: bytes, *, districts=None) -> CommunityPlan:
    """Check the whole file against the districts (``districts``: those the importer may name;
    default all) and the communities already recorded."""
    plan = CommunityPlan()
    try:
        sheets = read_sheets(data)
    except UnreadableFile as error:
        plan.errors.append(problem(None, "", "", str(error)))
        return plan
    for cell in control_character_cells(sheets):
        plan.errors.append(problem(cell.row, cell.column, cell.value, cell.message))
    if plan.errors:
        return plan
    found = _header(sheets[0]) if sheets else None
    if found is None:
        plan.errors.append(problem(None, "", "", _(
            "No header row with a Name (名称) column was found in the first rows of the first sheet.")))
        return plan
    header_row, columns = found
    headers = {name: header for name, (_index, header) in columns.items()}
    if "district" not in columns:
        plan.errors.append(problem(header_row, "", "", _("The file has no District (区县) column.")))
        return plan
    lookup = Lookup(District.objects.all() if districts is None else districts, "code", "name", "name_en")
    known_codes = {match_key(code) for code in Community.objects.values_list("code", flat=True)}
    known_names = {(district_id, match_key(name))
                   for district_id, name in Community.objects.values_list("district_id", "name")}
    codes_seen: dict[str, int] = {}
    names_seen: dict[tuple[int, str], int] = {}
    for number, values in sheets[0].rows:
        if number <= header_row:
            continue
        raw = {name: values[index] if index < len(values) else None for name, (index, _h) in columns.items()}
        text = {name: cell_text(value) for name, value in raw.items()}
        if not any(text.values()):
            continue
        plan.rows += 1
        if plan.rows > MAX_COMMUNITIES:
            plan.errors.append(problem(number, "", "", _("The file lists more than %(max)s communities.")
                                       % {"max": MAX_COMMUNITIES}))
            break
        faults = len(plan.errors)
        for name, limit in MAX_LENGTHS.items():
            if len(text.get(name, "")) > limit:
                plan.errors.append(problem(number, headers[name], text[name], _(
                    "Longer than %(limit)s characters.") % {"limit": limit}))
        if not text["name"]:
            plan.errors.append(problem(number, headers["name"], "", _("The community's name is missing.")))
        district = None
        if not text["district"]:
            plan.errors.append(problem(number, headers["district"], "", _("The district is missing.")))
        else:
            district, why = lookup.find(text["district"])
            if district is None:
                plan.errors.append(problem(number, headers["district"], text["district"], (
                    _("Several districts have this name; use the district's code.") if why == "ambiguous"
                    else _("No district has this code or name."))))
        code = text.get("code", "")
        if code:
            key = match_key(code)
            if key in known_codes:
                plan.errors.append(problem(number, headers["code"], code, _(
                    "A community with this code is already recorded.")))
            elif key in codes_seen:
                plan.errors.append(problem(number, headers["code"], code, _(
                    "This code is already in row %(row)s.") % {"row": codes_seen[key]}))
            codes_seen.setdefault(key, number)
        if district is not None and text["name"]:
            key = (district.pk, match_key(text["name"]))
            if key in known_names:
                plan.errors.append(problem(number, headers["name"], text["name"], _(
                    "This community is already recorded in %(district)s.") % {"district": district.name}))
            elif key in names_seen:
                plan.errors.append(problem(number, headers["name"], text["name"], _(
                    "This community is already in row %(row)s (same district).") % {"row": names_seen[key]}))
            names_seen.setdefault(key, number)
        if len(plan.errors) == faults:
            plan.communities.append(PlannedCommunity(
                row=number, name=text["name"], district=district,
                street_office=text.get("street_office", ""), code=code))
    if not plan.rows and not plan.errors:
        plan.errors.append(problem(None, "", "", _("The file lists no communities.")))
    return plan
