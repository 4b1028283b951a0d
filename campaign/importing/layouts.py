"""Find the header row and turn a sheet into point entries, for the two layouts we accept.

- The template (our download): one point per row, columns Code/编号 … Team/专项组, headers in
  either language (or both, as "名称 Name" or "Name/名称").
- The packed list cities keep (e.g. Fengxian's 暗访 list): one row per category, 场所 (the
  category), 最小量 (minimum, may be a range "3-5"), 检查量 (checked count) and 检查点位 (the
  points, joined by 、). A final 合计 (total) row is skipped.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEADER_SEARCH_ROWS = 10

# Field → (English header, Chinese header, other accepted spellings). Order = template order.
TEMPLATE_COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "code": ("Code", "编号", ("代码", "点位编号", "样本点编号")),
    "name": ("Name", "名称", ("点位名称", "样本点名称", "样本点")),
    "category": ("Category", "类别", ("类型", "场所类别", "点位类别")),
    "district": ("District", "区县", ("区", "所属区县", "区域")),
    "grid": ("Grid", "网格", ("所属网格",)),
    "road": ("Road", "路段", ("道路",)),
    "address": ("Address", "地址", ("详细地址",)),
    "latitude": ("Latitude", "纬度", ("lat",)),
    "longitude": ("Longitude", "经度", ("lng", "lon")),
    "responsible_unit": ("Responsible unit", "责任单位", ("unit",)),
    "team": ("Team", "专项组", ("专项工作组", "special team")),
}
# What the preview and errors call each field when the file has no such column.
FIELD_LABELS = {
    "code": gettext_lazy("Code"),
    "name": gettext_lazy("Name"),
    "category": gettext_lazy("Category"),
    "district": gettext_lazy("District"),
    "grid": gettext_lazy("Grid"),
    "road": gettext_lazy("Road"),
    "address": gettext_lazy("Address"),
    "latitude": gettext_lazy("Latitude"),
    "longitude": gettext_lazy("Longitude"),
    "responsible_unit": gettext_lazy("Responsible unit"),
    "team": gettext_lazy("Special team"),
}

PACKED_COLUMNS = {
    "serial": ("序号", "no", "no."),
    "category": ("场所", "场所类别"),
    "minimum": ("最小量", "最少量"),
    "checked": ("检查量",),
    "points": ("检查点位", "点位名单"),
}
TOTAL_LABELS = {"合计", "总计", "小计", "total"}
# Points in one cell: 、 (the list comma), also ；; and new lines, as people type them.
POINT_SEPARATORS = re.compile(r"[、;；\n\r]+")
TEMPLATE = "template"
PACKED = "packed"


def match_key(value) -> str:
    """The form in which two spellings of a name compare equal.

    NFKC folds full-width letters, digits and parentheses to half-width; whitespace is
    dropped (Chinese names carry stray spaces); case is ignored.
    """
    text = unicodedata.normalize("NFKC", cell_text(value))
    return re.sub(r"\s+", "", text).casefold()


def cell_text(value) -> str:
    """A cell as the user reads it: trimmed text; 1001.0 from Excel is "1001"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return re.sub(r"\s+", " ", str(value)).strip()


@dataclass
class Entry:
    """One point found in the file, with where it came from for error messages."""

    row: int
    values: dict[str, object]  # field → raw cell value
    headers: dict[str, str]  # field → the column header as written in the file


@dataclass
class CategoryListing:
    """A packed-list row: what the file says about one category."""

    row: int
    category: str
    minimum: tuple[int, int] | None
    minimum_text: str
    checked: int | None
    listed: int
    minimum_header: str = ""


@dataclass
class Layout:
    kind: str
    sheet_title: str
    header_row: int
    headers: dict[str, str]  # field → header as in the file
    entries: list[Entry] = field(default_factory=list)
    listings: list[CategoryListing] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)  # warnings found while reading
    errors: list[dict] = field(default_factory=list)


def _header_tokens(header) -> set[str]:
    key = match_key(header)
    if not key:
        return set()
    tokens = {key}
    tokens.update(part for part in re.split(r"[/|()\[\]\-_:,]+", key) if part)
    # "名称Name": Chinese followed by Latin letters, without a separator.
    tokens.update(part for part in re.findall(r"[\u4e00-\u9fff]+|[a-z][a-z. ]*", key) if part)
    return tokens


def _template_field(header) -> str | None:
    tokens = _header_tokens(header)
    for name, (english, chinese, others) in TEMPLATE_COLUMNS.items():
        spellings = {match_key(english), match_key(chinese), *(match_key(o) for o in others)}
        if tokens & spellings:
            return name
    return None


def _packed_field(header) -> str | None:
    key = match_key(header)
    for name, spellings in PACKED_COLUMNS.items():
        if key in {match_key(s) for s in spellings}:
            return name
    return None


def detect(sheets) -> Layout | None:
    """The first sheet whose header row (within its first rows) we recognise."""
    for sheet in sheets:
        for number, values in sheet.rows[:HEADER_SEARCH_ROWS]:
            packed = {_packed_field(v): (i, cell_text(v)) for i, v in enumerate(values) if _packed_field(v)}
            if "category" in packed and "points" in packed:
                return _read_packed(sheet, number, packed)
            template = {}
            for i, v in enumerate(values):
                name = _template_field(v)
                if name and name not in template:
                    template[name] = (i, cell_text(v))
            if "name" in template:
                ignored = [
                    cell_text(v) for i, v in enumerate(values)
                    if cell_text(v) and i not in {pos for pos, _h in template.values()}
                ]
                return _read_template(sheet, number, template, ignored)
    return None


def _cell(values, position):
    return values[position] if position < len(values) else None


def _read_template(sheet, header_row, columns, ignored) -> Layout:
    headers = {name: header for name, (_pos, header) in columns.items()}
    layout = Layout(TEMPLATE, sheet.title, header_row, headers, ignored_headers=ignored)
    for number, values in sheet.rows:
        if number <= header_row:
            continue
        raw = {name: _cell(values, pos) for name, (pos, _h) in columns.items()}
        if not any(cell_text(v) for v in raw.values()):
            continue
        layout.entries.append(Entry(number, raw, headers))
    return layout


def parse_count(text: str) -> tuple[int, int] | None:
    """'60' → (60, 60); '3-5' or '3～5' → (3, 5); anything else → None."""
    key = unicodedata.normalize("NFKC", text).replace(" ", "")
    found = re.fullmatch(r"(\d+)(?:\.0+)?(?:[-~–—至到](\d+)(?:\.0+)?)?", key)
    if not found:
        return None
    low = int(found.group(1))
    high = int(found.group(2)) if found.group(2) else low
    return (min(low, high), max(low, high))


def _read_packed(sheet, header_row, columns) -> Layout:
    headers = {name: header for name, (_pos, header) in columns.items()}
    layout = Layout(PACKED, sheet.title, header_row, {"category": headers["category"], "name": headers["points"]})
    for number, values in sheet.rows:
        if number <= header_row:
            continue
        cells = {name: _cell(values, pos) for name, (pos, _h) in columns.items()}
        first_cells = [match_key(cells.get("serial")), match_key(cells.get("category"))]
        if any(label in TOTAL_LABELS for label in first_cells):
            continue  # the 合计 row: a sum, not a category
        category = cell_text(cells.get("category"))
        points_text = cell_text(cells.get("points")) if cells.get("points") is not None else ""
        raw_points = str(cells.get("points") or "")
        names = [cell_text(n) for n in POINT_SEPARATORS.split(raw_points)]
        names = [n for n in names if n]
        if not category and not names:
            continue
        if not category:
            layout.errors.append(_problem(number, headers["category"], "", _("The category is missing.")))
            continue
        if not points_text:
            layout.issues.append(_problem(number, headers["points"], "", _("No points are listed for this category.")))
        minimum_text = cell_text(cells.get("minimum"))
        minimum = parse_count(minimum_text) if minimum_text else None
        if minimum_text and minimum is None:
            layout.issues.append(_problem(number, headers.get("minimum", ""), minimum_text,
                                          _("The minimum count is not a number or a range such as 3-5; ignored.")))
        checked_text = cell_text(cells.get("checked"))
        checked_range = parse_count(checked_text) if checked_text else None
        checked = checked_range[0] if checked_range and checked_range[0] == checked_range[1] else None
        if checked_text and checked is None:
            layout.issues.append(_problem(number, headers.get("checked", ""), checked_text,
                                          _("The checked count is not a number; ignored.")))
        if checked is not None and checked != len(names):
            layout.issues.append(_problem(
                number, headers.get("checked", ""), checked_text,
                _("The checked count is %(checked)s but the row lists %(listed)s points.")
                % {"checked": checked, "listed": len(names)},
            ))
        layout.listings.append(CategoryListing(
            number, category, minimum, minimum_text, checked, len(names), headers.get("minimum", "")
        ))
        for name in names:
            layout.entries.append(Entry(number, {"category": category, "name": name}, layout.headers))
    return layout


def _problem(row, column, value, message) -> dict:
    return {"row": row, "column": str(column), "value": cell_text(value), "message": str(message)}
