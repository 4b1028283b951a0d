"""The real citizen messages (``realdata/cn_citizen_messages``) as historical public reports.

Two workbooks: ``messages_with_replies.xlsx`` (one message a row: its number, the user's
pseudonym, subject, time, text, the government's reply and its time) and
``category_tree.xlsx`` (the petition office's three-level category tree). Both are read through
the one guarded reader (campaign/importing/reading.py); a bad cell is reported with its row
(as Excel shows it) and its column, as every import does, and nothing is written then.

The messages carry no category, place or photo. Each gets the public category its text
suggests (selectors.suggest_category): the public list's keywords, plus the names of the tree
leaves defaults.TREE_LEAVES maps to a public category.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.importing.layouts import cell_text
from campaign.importing.planning import problem
from campaign.importing.reading import UnreadableFile, control_character_cells, read_sheets

from . import services
from .defaults import TREE_LEAVES
from .models import PublicCategory
from .selectors import suggest_category

DEFAULT_DIR = Path(settings.BASE_DIR).parent / "shared" / "realdata" / "cn_citizen_messages"
MESSAGES_FILE = "messages_with_replies.xlsx"
TREE_FILE = "category_tree.xlsx"
SOURCE = "cn_citizen_messages"

# Header -> field. All are required.
MESSAGE_COLUMNS = {"留言编号": "ref", "留言用户": "user", "留言主题": "title", "留言时间": "submitted_at",
                   "留言详情": "text", "答复意见": "reply", "答复时间": "replied_at"}
TREE_COLUMNS = ("一级分类", "二级分类", "三级分类")
# A subject keyword counts twice; two points are needed (selectors.suggest_category).
MIN_SCORE = 2
TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


@dataclass
class CitizenMessagesPlan:
    messages: list[services.ImportedMessage] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    leaves: int = 0
    suggested: Counter = field(default_factory=Counter)

    @property
    def with_category(self) -> int:
        return sum(self.suggested.values())


def _header_index(header: list, wanted, file_name: str, errors: list) -> dict[str, int]:
    names = [cell_text(value) for value in header]
    found = {}
    for name in wanted:
        if name in names:
            found[name] = names.index(name)
        else:
            errors.append(problem(1, name, "", _("%(file)s: the column “%(column)s” is missing.") % {
                "file": file_name, "column": name}))
    return found


def _time(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = cell_text(value)
        moment = None
        for pattern in TIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _clean(text: str) -> str:
    """The page's layout left in the text (tabs and blank lines around it) taken out."""
    lines = [line.strip() for line in str(text or "").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _sheet(data: bytes, file_name: str, errors: list):
    try:
        sheets = read_sheets(data)
    except UnreadableFile as error:
        errors.append(problem(None, "", "", f"{file_name}: {error}"))
        return None
    for cell in control_character_cells(sheets):
        errors.append(problem(cell.row, cell.column, cell.value, cell.message))
    if errors:
        return None
    if not sheets or not sheets[0].rows:
        errors.append(problem(None, "", "", _("%(file)s: the file is empty.") % {"file": file_name}))
        return None
    return sheets[0]


def read_tree(data: bytes, errors: list) -> set[tuple[str, str, str]]:
    """The tree's (level 1, level 2, level 3) paths."""
    sheet = _sheet(data, TREE_FILE, errors)
    if sheet is None:
        return set()
    (_number, header), *rows = sheet.rows
    columns = _header_index(header, TREE_COLUMNS, TREE_FILE, errors)
    if len(columns) < len(TREE_COLUMNS):
        return set()
    paths = set()
    for _number, values in rows:
        paths.add(tuple(cell_text(values[columns[name]]) if columns[name] < len(values) else ""
                        for name in TREE_COLUMNS))
    return paths


def keyword_rule(tree: set[tuple[str, str, str]], categories, warnings: list) -> dict[int, list[str]]:
    """The extra keywords per public category: the leaves of ``tree`` that TREE_LEAVES maps to it
    (a mapped leaf the tree does not hold is a warning, and not used)."""
    by_code = {category.code: category for category in categories}
    extra: dict[int, list[str]] = {}
    for path, code in TREE_LEAVES.items():
        if path not in tree:
            warnings.append(problem(None, "", " / ".join(path), _(
                "This category is not in the category tree: its name is not used as a keyword.")))
            continue
        if code in by_code:
            extra.setdefault(by_code[code].pk, []).append(path[2])
    return extra


def plan_messages(messages_data: bytes, tree_data: bytes, *, categories=None) -> CitizenMessagesPlan:
    """Check both files and build every message to import with its suggested category; the
    plan's errors (row and column) mean nothing may be written."""
    plan = CitizenMessagesPlan()
    categories = list(PublicCategory.objects.all() if categories is None else categories)
    tree = read_tree(tree_data, plan.errors)
    plan.leaves = len(tree)
    sheet = _sheet(messages_data, MESSAGES_FILE, plan.errors)
    if sheet is None or plan.errors:
        return plan
    extra = keyword_rule(tree, categories, plan.warnings)
    (_number, header), *rows = sheet.rows
    columns = _header_index(header, MESSAGE_COLUMNS, MESSAGES_FILE, plan.errors)
    if len(columns) < len(MESSAGE_COLUMNS):
        return plan
    seen: dict[str, int] = {}
    for number, values in rows:
        row = {field_name: values[columns[name]] if columns[name] < len(values) else None
               for name, field_name in MESSAGE_COLUMNS.items()}
        ref = cell_text(row["ref"])
        if not ref.isdigit():
            plan.errors.append(problem(number, "留言编号", row["ref"], _("The message number must be a whole number.")))
            continue
        if ref in seen:
            plan.errors.append(problem(number, "留言编号", ref, _("Message %(ref)s is already in row %(row)s.") % {
                "ref": ref, "row": seen[ref]}))
            continue
        seen[ref] = number
        submitted_at = _time(row["submitted_at"])
        if submitted_at is None:
            plan.errors.append(problem(number, "留言时间", row["submitted_at"], _(
                "Not a date and time (for example 2019/4/25 9:32:09).")))
            continue
        replied_at = _time(row["replied_at"]) if cell_text(row["replied_at"]) else None
        if cell_text(row["replied_at"]) and replied_at is None:
            plan.errors.append(problem(number, "答复时间", row["replied_at"], _(
                "Not a date and time (for example 2019/4/25 9:32:09).")))
            continue
        title, text = _clean(row["title"]), _clean(row["text"])
        if not (title or text):
            plan.errors.append(problem(number, "留言详情", "", _("The message has neither a subject nor a text.")))
            continue
        suggestion = suggest_category(text, categories, title=title, extra_keywords=extra, min_score=MIN_SCORE)
        if suggestion.public_category is not None:
            plan.suggested[suggestion.public_category.code] += 1
        plan.messages.append(services.ImportedMessage(
            ref=ref, description=f"{title}\n\n{text}" if title and text else title or text,
            submitted_at=submitted_at, official_reply=_clean(row["reply"]),
            public_category=suggestion.public_category,
            attributes={"source": SOURCE, "user": cell_text(row["user"]), "title": title,
                        "replied_at": replied_at.isoformat() if replied_at else None,
                        "keyword": suggestion.keyword}))
    return plan


def citizen_messages_import(directory: Path = DEFAULT_DIR) -> tuple[CitizenMessagesPlan, int]:
    """Read both files of ``directory`` (before any transaction), then import all or nothing.
    Returns the plan and how many reports were recorded (0 when the plan has errors)."""
    messages_data = (directory / MESSAGES_FILE).read_bytes()
    tree_data = (directory / TREE_FILE).read_bytes()
    plan = plan_messages(messages_data, tree_data)
    if plan.errors:
        return plan, 0
    return plan, services.public_reports_import(messages=plan.messages)
