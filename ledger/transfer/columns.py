"""The ledger template: its columns, their headers in both languages, and how values read.

Values are written as people read them (district names, status labels in the reader's
language) and read back leniently: a status, source or severity is recognised by its stored
value, its English label, its label in any of the site's languages, or a usual Chinese word.
"""

import re
import unicodedata
from datetime import date, datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..choices import Severity, Source, Status

# field → (English header, Chinese header, other accepted spellings). Order = template order.
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "no": ("No.", "序号", ("no", "number", "#")),
    "code": ("Code", "编号", ("问题编号", "code no.")),
    "found_on": ("Found on", "发现日期", ("发现时间", "检查日期", "date found")),
    "district": ("District", "区县", ("区", "所属区县", "区域")),
    "category": ("Category", "类别", ("类型", "问题类别", "场所类别")),
    "sample_point": ("Sample point", "样本点", ("点位", "点位名称", "样本点名称")),
    "address": ("Address", "地址", ("详细地址", "位置")),
    "description": ("Description", "问题描述", ("问题", "存在问题", "问题内容")),
    "source": ("Source", "来源", ("问题来源",)),
    "severity": ("Severity", "等级", ("问题等级", "严重程度")),
    "responsible_unit": ("Responsible unit", "责任单位", ("整改单位", "unit")),
    "deadline": ("Deadline", "整改时限", ("整改期限", "期限")),
    "status": ("Status", "状态", ("整改状态", "办理状态")),
    "rectification": ("Rectification", "整改情况", ("整改措施", "整改结果")),
    "closed_on": ("Closed on", "销号日期", ("销号时间", "date closed")),
    # Last, so that files made from the older template keep their columns' places.
    "grid": ("Grid", "网格", ("所属网格", "网格名称", "grid cell")),
    "road": ("Road", "路段", ("所属路段", "道路")),
}
FIELDS = tuple(COLUMNS)
REQUIRED = ("district", "category", "description")

# Words an old ledger uses for a state, beside the labels (匹配 after match_key).
STATUS_WORDS = {
    Status.FOUND: ("发现", "已发现", "新发现", "待交办", "未交办"),
    Status.ASSIGNED: ("已交办", "交办", "待整改"),
    Status.RECTIFYING: ("整改中", "正在整改", "已签收"),
    Status.CLOSING_APPLIED: ("申请销号", "已申请销号", "待核查", "待销号", "待验收"),
    Status.CLOSED: ("已销号", "销号", "已核查销号", "已办结", "办结"),
    Status.INVALID: ("无效", "重复", "不属实"),
}
SOURCE_WORDS = {
    Source.ROUTINE_SUPERVISION: ("日常督查", "督查"),
    Source.UNANNOUNCED_VISIT: ("暗访", "暗访检查"),
    Source.EXPERT_GROUP: ("专家组", "专家"),
    Source.MEDIA: ("媒体", "媒体曝光"),
    Source.LEADER_VISIT: ("领导检查", "领导督查"),
    Source.PUBLIC_REPORT: ("群众举报", "市民举报", "举报"),
    Source.SELF_FOUND: ("自查", "自查发现"),
}
SEVERITY_WORDS = {
    Severity.GENERAL: ("一般",),
    Severity.SERIOUS: ("严重", "较重"),
    Severity.URGENT: ("紧急", "立即整改"),
}


def is_chinese(language: str | None) -> bool:
    return (language or "").lower().startswith("zh")


def header(field: str, language: str | None) -> str:
    english, chinese, _others = COLUMNS[field]
    return chinese if is_chinese(language) else english


def headers(language: str | None) -> list[str]:
    return [header(field, language) for field in FIELDS]


def column_label(field: str) -> str:
    """What an error calls a column the file does not have: both headers."""
    english, chinese, _others = COLUMNS[field]
    return f"{chinese} {english}"


def match_key(value) -> str:
    """Two spellings compare equal when this is: NFKC (full-width → half-width), no spaces, no case."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return re.sub(r"\s+", "", text).casefold()


def field_for_header(value) -> str | None:
    """The template field a header names, in either language, or both ("编号 Code", "Code/编号")."""
    key = match_key(value)
    if not key:
        return None
    tokens = {key, *(part for part in re.split(r"[/|()\[\]_:,]+", key) if part)}
    tokens.update(re.findall(r"[\u4e00-\u9fff]+|[a-z][a-z. ]*", key))
    tokens.update(token.rstrip(".") for token in list(tokens))
    for field, (english, chinese, others) in COLUMNS.items():
        spellings = {match_key(english), match_key(english).rstrip("."), match_key(chinese),
                     *(match_key(o) for o in others)}
        if tokens & spellings:
            return field
    return None


def _choice_index(choices, words) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, label in choices.choices:
        index[match_key(value)] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                index.setdefault(match_key(str(label)), value)
        with translation.override("en"):
            index.setdefault(match_key(str(label)), value)
    for value, spellings in words.items():
        for spelling in spellings:
            index.setdefault(match_key(spelling), value)
    return index


def status_index() -> dict[str, str]:
    return _choice_index(Status, STATUS_WORDS)


def source_index() -> dict[str, str]:
    return _choice_index(Source, SOURCE_WORDS)


def severity_index() -> dict[str, str]:
    return _choice_index(Severity, SEVERITY_WORDS)


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                "%Y/%m/%d %H:%M")


def parse_date(value) -> date | None:
    """A date from a cell: an Excel date, or text such as 2026-03-05, 2026/3/5 or 2026年3月5日.

    Raises ValueError when the cell is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    found = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", text)
    if found:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


FIELD_LABELS = {
    "no": _("No."),
    "code": _("Code"),
    "found_on": _("Found on"),
    "district": _("District"),
    "category": _("Category"),
    "sample_point": _("Sample point"),
    "address": _("Address"),
    "description": _("Description"),
    "source": _("Source"),
    "severity": _("Severity"),
    "responsible_unit": _("Responsible unit"),
    "deadline": _("Deadline"),
    "status": _("Status"),
    "rectification": _("Rectification"),
    "closed_on": _("Closed on"),
    "grid": _("Grid"),
    "road": _("Road"),
}
