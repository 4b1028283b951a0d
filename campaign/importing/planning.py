"""Validate a sample-point file against the city's structure and plan what to write.

Nothing here writes. ``build_plan`` reads the whole file, collects every error (never stops
at the first), and says for each point whether it will be created, is already present, or
repeats an earlier row of the file.

Rules (shown on the preview page too):
- Names (district, category, grid, road, unit, team) match by code, Chinese name or English
  name; spaces, letter case and full-/half-width characters do not matter.
- A point already in the system (same code, or same district, category and name) is left
  unchanged and reported; it is never duplicated, so importing a file twice is harmless.
- A place listed twice in the file (same district, category and name) is created once; each
  repeat is a warning with its row.
- An unknown category is an error, unless the caller asked to create missing categories.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from campaign.geo import city_bounds, city_coordinate_errors
from campaign.models import Category, District, Grid, Road, SamplePoint, Team, Unit
from campaign.write_scope import writable

from . import layouts
from .reading import UnreadableFile, control_character_cells, read_sheets

MAX_POINTS = 50_000
DEFAULT_FIELDS = ("district", "category", "responsible_unit", "team")
MAX_LENGTHS = {"code": 40, "name": 200, "address": 300}
CATEGORY_NAME_MAX = 100


def problem(row, column, value, message) -> dict:
    """One error or warning as stored and shown: where (row as Excel shows it, column header)."""
    return {"row": row, "column": str(column or ""), "value": layouts.cell_text(value), "message": str(message)}


@dataclass
class NewCategory:
    name_zh: str
    rows: list[int] = field(default_factory=list)


@dataclass
class PlannedPoint:
    row: int
    name: str
    code: str  # "" → generated when written
    district: District
    category: Category | None
    new_category: str | None  # match key of a category to create
    grid: Grid | None = None
    road: Road | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    responsible_unit: Unit | None = None
    team: Team | None = None


@dataclass
class CategorySummary:
    label: str
    is_new: bool = False
    to_create: int = 0
    already_present: int = 0
    repeats: int = 0
    listed: int | None = None  # packed lists: what the row's cell lists
    minimum: str = ""
    checked: int | None = None
    listing_row: int | None = None
    minimum_header: str = ""


@dataclass
class Plan:
    layout: str = ""
    sheet_title: str = ""
    total_rows: int = 0  # point entries read (a packed row holds many)
    points: list[PlannedPoint] = field(default_factory=list)
    new_categories: dict[str, NewCategory] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    categories: dict[str, CategorySummary] = field(default_factory=dict)
    already_present: int = 0
    repeats: int = 0
    city_bounds: object = "load"  # campaign.geo.city_bounds(), read once per file

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        """A JSON-ready summary for the API and the preview page."""
        return {
            "layout": self.layout,
            "sheet": self.sheet_title,
            "total_rows": self.total_rows,
            "to_create": len(self.points),
            "already_present": self.already_present,
            "repeats": self.repeats,
            "new_categories": [c.name_zh for c in self.new_categories.values()],
            "categories": [
                {
                    "category": c.label,
                    "new": c.is_new,
                    "to_create": c.to_create,
                    "already_present": c.already_present,
                    "repeats": c.repeats,
                    "listed": c.listed,
                    "minimum": c.minimum,
                    "checked": c.checked,
                }
                for c in self.categories.values()
            ],
        }


class Lookup:
    """Find one object by any of its names, exactly but leniently (see ``layouts.match_key``)."""

    def __init__(self, objects, *attributes):
        self.index = defaultdict(list)
        for obj in objects:
            for attribute in attributes:
                key = layouts.match_key(getattr(obj, attribute, "") or "")
                if key and obj not in self.index[key]:
                    self.index[key].append(obj)

    def find(self, text, *, within=None):
        """(object, None) or (None, why): 'missing' or 'ambiguous'. ``within`` narrows candidates."""
        candidates = self.index.get(layouts.match_key(text), [])
        if within is not None:
            candidates = [c for c in candidates if within(c)]
        if len(candidates) == 1:
            return candidates[0], None
        return None, ("ambiguous" if candidates else "missing")


class _Resolver:
    # Only what the importer may write for (campaign/write_scope.py; HQ staff, who import
    # sample points, may write for everything): anything else is not found.
    def __init__(self, user):
        self.districts = Lookup(writable(District, user), "code", "name", "name_en")
        self.categories = Lookup(writable(Category, user), "code", "name_zh", "name_en")
        self.units = Lookup(writable(Unit, user), "name", "name_en")
        self.teams = Lookup(writable(Team, user), "code", "name", "name_en")
        self.grids = Lookup(writable(Grid, user), "code", "name")
        roads = list(writable(Road, user))
        for road in roads:
            road.full_name = str(road)
        self.roads = Lookup(roads, "name", "full_name")

    def by_field(self, name):
        return {
            "district": self.districts,
            "category": self.categories,
            "responsible_unit": self.units,
            "team": self.teams,
        }[name]


def _not_found(field_name: str) -> str:
    # Looked up at call time so the message is in the active language.
    return {
        "district": _("No district has this code or name."),
        "category": _("No category has this code or name."),
        "responsible_unit": _("No responsible unit has this name."),
        "team": _("No special team has this code or name."),
        "grid": _("No grid in this district has this code or name."),
        "road": _("No road in this district has this name."),
    }[field_name]


def _ambiguous() -> str:
    return _("Several records match this name: use the code.")


def _decimal(text: str, low: int, high: int) -> tuple[Decimal | None, str | None]:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None, _("Not a number.")
    if not value.is_finite() or not (low <= value <= high):
        return None, _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}
    return value.quantize(Decimal("0.000001")), None


def build_plan(data: bytes, *, user, defaults: dict | None = None, progress=None) -> Plan:
    """Read and validate the file; ``progress(done)`` is called now and then with entries checked."""
    defaults = dict(defaults or {})
    create_categories = bool(defaults.get("create_categories"))
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
    layout = layouts.detect(sheets)
    if layout is None:
        first_row = next((rows.rows[0][0] for rows in sheets if rows.rows), 1)
        plan.errors.append(problem(first_row, "", "", _(
            "No header row was recognised. Use the template's columns (Code/编号, Name/名称, "
            "Category/类别, District/区县, …) or a list with 场所 and 检查点位 columns."
        )))
        return plan
    plan.layout, plan.sheet_title = layout.kind, layout.sheet_title
    plan.total_rows = len(layout.entries)
    plan.errors.extend(layout.errors)
    plan.warnings.extend(layout.issues)
    for header in layout.ignored_headers:
        plan.warnings.append(problem(layout.header_row, header, "", _("This column is not used; it was ignored.")))
    if plan.total_rows > MAX_POINTS:
        plan.errors.append(problem(None, "", plan.total_rows, _(
            "The file lists more than %(max)s points: split it into several files."
        ) % {"max": MAX_POINTS}))
        return plan
    if not layout.entries and not plan.errors:
        plan.errors.append(problem(layout.header_row, "", "", _("The file has a header row but no points.")))
        return plan

    resolver = _Resolver(user)
    default_objects = {}
    for name in DEFAULT_FIELDS:
        text = layouts.cell_text(defaults.get(name))
        if not text:
            continue
        found, why = resolver.by_field(name).find(text)
        if found is None and name == "category" and why == "missing" and create_categories:
            default_objects[name] = text  # a new category named for the whole file
        elif found is None:
            plan.errors.append(problem(None, layouts.FIELD_LABELS[name], text,
                                       _not_found(name) if why == "missing" else _ambiguous()))
            default_objects[name] = None  # reported once; rows do not repeat it
        else:
            default_objects[name] = found
    if layout.kind == layouts.TEMPLATE and "district" not in layout.headers and "district" not in default_objects:
        plan.errors.append(problem(layout.header_row, layouts.FIELD_LABELS["district"], "", _(
            "The file has no district column: give the district for the whole file."
        )))
    if layout.kind == layouts.TEMPLATE and "category" not in layout.headers and "category" not in default_objects:
        plan.errors.append(problem(layout.header_row, layouts.FIELD_LABELS["category"], "", _(
            "The file has no category column: give the category for the whole file."
        )))
    if layout.kind == layouts.PACKED and "district" not in default_objects:
        plan.errors.append(problem(layout.header_row, layouts.FIELD_LABELS["district"], "", _(
            "This list has no district column: give the district for the whole file."
        )))

    existing = list(SamplePoint.objects.values_list("id", "code", "district_id", "category_id", "name"))
    existing_by_code = {code: (pid, d, c, layouts.match_key(n)) for pid, code, d, c, n in existing}
    existing_by_place = {(d, c, layouts.match_key(n)): code for _pid, code, d, c, n in existing}
    seen_places: dict[tuple, int] = {}
    seen_codes: dict[str, tuple] = {}
    listings = {listing.row: listing for listing in layout.listings}
    step = max(25, plan.total_rows // 50)

    for done, entry in enumerate(layout.entries, start=1):
        _plan_entry(plan, entry, resolver, default_objects, create_categories,
                    existing_by_code, existing_by_place, seen_places, seen_codes, listings)
        if progress and (done % step == 0 or done == plan.total_rows):
            progress(done)

    for summary in plan.categories.values():
        listing_minimum = summary.minimum
        if listing_minimum:
            low = layouts.parse_count(listing_minimum)
            distinct = summary.to_create + summary.already_present
            if low and distinct < low[0]:
                plan.warnings.append(problem(summary.listing_row, summary.minimum_header, listing_minimum, _(
                    "%(category)s: %(distinct)s distinct points, fewer than the minimum %(minimum)s."
                ) % {"category": summary.label, "distinct": distinct, "minimum": listing_minimum}))
    plan.warnings.sort(key=lambda w: (w["row"] is not None, w["row"] or 0))
    plan.errors.sort(key=lambda e: (e["row"] is not None, e["row"] or 0))
    return plan


def _plan_entry(plan, entry, resolver, default_objects, create_categories,
                existing_by_code, existing_by_place, seen_places, seen_codes, listings):
    row, values, headers = entry.row, entry.values, entry.headers
    errors_before = len(plan.errors)

    def column(name):
        return headers.get(name) or layouts.FIELD_LABELS[name]

    def error(name, value, message):
        plan.errors.append(problem(row, column(name), value, message))

    def text(name):
        return layouts.cell_text(values.get(name))

    resolved = {}
    new_category_key = None
    for name in DEFAULT_FIELDS:
        given = text(name)
        if not given:
            if name in default_objects:
                resolved[name] = default_objects[name]
                if isinstance(resolved[name], str):  # a category to create, named for the file
                    new_category_key = _new_category(plan, resolved[name], row)
                    resolved[name] = None
            elif name in ("district", "category") and (name in headers):
                error(name, "", _("This value is required."))
            continue
        found, why = resolver.by_field(name).find(given)
        if found is not None:
            resolved[name] = found
        elif name == "category" and why == "missing" and create_categories:
            if len(given) > CATEGORY_NAME_MAX:
                error(name, given, _("Longer than %(limit)s characters.") % {"limit": CATEGORY_NAME_MAX})
            else:
                new_category_key = _new_category(plan, given, row)
        else:
            error(name, given, _not_found(name) if why == "missing" else _ambiguous())

    point_name = text("name")
    if not point_name:
        error("name", "", _("The name is missing."))
    for name, limit in MAX_LENGTHS.items():
        if len(text(name)) > limit:
            error(name, text(name), _("Longer than %(limit)s characters.") % {"limit": limit})

    district = resolved.get("district")
    for name, lookup in (("grid", resolver.grids), ("road", resolver.roads)):
        given = text(name)
        if not given or district is None:
            continue
        found, why = lookup.find(given, within=lambda o: o.district_id == district.pk)
        if found is None and why == "missing" and lookup.find(given)[0] is not None:
            error(name, given, _("It lies in another district."))
        elif found is None:
            error(name, given, _not_found(name) if why == "missing" else _ambiguous())
        resolved[name] = found

    coordinates = {}
    for name, (low, high) in (("latitude", (-90, 90)), ("longitude", (-180, 180))):
        given = text(name)
        if given:
            coordinates[name], why = _decimal(given, low, high)
            if why:
                error(name, given, why)
    if bool(text("latitude")) != bool(text("longitude")):
        missing = "longitude" if text("latitude") else "latitude"
        error(missing, "", _("Give both latitude and longitude, or neither."))
    elif len(coordinates) == 2:
        if plan.city_bounds == "load":
            plan.city_bounds = city_bounds()
        outside = city_coordinate_errors(coordinates["latitude"], coordinates["longitude"], bounds=plan.city_bounds)
        for name, message in outside.items():
            error(name, text(name), message)

    category = resolved.get("category")
    category_key = category.pk if category else (f"new:{new_category_key}" if new_category_key else None)
    summary = _category_summary(plan, category, new_category_key, row, listings)
    if len(plan.errors) > errors_before or district is None or category_key is None:
        return

    place = (district.pk, category_key, layouts.match_key(point_name))
    code = text("code")
    if place in seen_places:
        plan.repeats += 1
        if summary:
            summary.repeats += 1
        plan.warnings.append(problem(row, column("name"), point_name, _(
            "Listed again (first in row %(row)s): imported once."
        ) % {"row": seen_places[place]}))
        return
    if code and code in seen_codes and seen_codes[code] != place:
        error("code", code, _("This code is used by another point in row %(row)s.") % {"row": seen_places[seen_codes[code]]})
        return
    seen_places[place] = row
    if code:
        seen_codes[code] = place

    present_code = None
    if code and code in existing_by_code:
        _pid, d, c, key = existing_by_code[code]
        if (d, c, key) != place:
            error("code", code, _("This code already belongs to another sample point."))
            return
        present_code = code
    elif isinstance(category_key, int):
        present_code = existing_by_place.get(place)
    if present_code:
        plan.already_present += 1
        if summary:
            summary.already_present += 1
        plan.warnings.append(problem(row, column("name"), point_name, _(
            "Already present as %(code)s: left unchanged."
        ) % {"code": present_code}))
        return

    plan.points.append(PlannedPoint(
        row=row, name=point_name, code=code, district=district, category=category,
        new_category=new_category_key, grid=resolved.get("grid"), road=resolved.get("road"),
        address=text("address"), latitude=coordinates.get("latitude"),
        longitude=coordinates.get("longitude"), responsible_unit=resolved.get("responsible_unit"),
        team=resolved.get("team"),
    ))
    if summary:
        summary.to_create += 1


def _new_category(plan, name_zh, row) -> str:
    key = layouts.match_key(name_zh)
    entry = plan.new_categories.setdefault(key, NewCategory(name_zh=name_zh))
    if row not in entry.rows:
        entry.rows.append(row)
    return key


def _category_summary(plan, category, new_key, row, listings) -> CategorySummary | None:
    if category is not None:
        key, label, is_new = f"id:{category.pk}", category.label, False
    elif new_key:
        key, label, is_new = f"new:{new_key}", plan.new_categories[new_key].name_zh, True
    else:
        return None
    summary = plan.categories.get(key)
    if summary is None:
        summary = plan.categories[key] = CategorySummary(label=label, is_new=is_new)
    listing = listings.get(row)
    if listing is not None and summary.listed is None:
        summary.listed = listing.listed
        summary.minimum = listing.minimum_text
        summary.checked = listing.checked
        summary.listing_row = listing.row
        summary.minimum_header = listing.minimum_header
    return summary
