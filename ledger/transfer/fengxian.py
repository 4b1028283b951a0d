"""Fengxian's unannounced-visit problem summary (问题汇总清单) as the ledger template.

The text has a title, section headings (中小道路, 五、小餐饮…) and one place a line:
``category-place<spaces>problem、problem、…``. Rules, as the lines are written:
- A line is a problem line when it starts with ``category-`` (the category before the first
  hyphen, 2 to 6 Chinese characters); other lines are titles and headings.
- The place ends at the first run of spaces (half- or full-width); the rest lists the
  problems, separated by 、 (also ；/;). A line without such a gap names one problem, and the
  whole text after the hyphen is both the place and the problem.
- Empty pieces (a doubled or trailing 、) are not problems.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from campaign.spreadsheets import append_row

from . import columns

PROBLEM_LINE = re.compile(r"^([\u4e00-\u9fff]{2,6})-(.+)$")
GAP = re.compile(r"[ \t\u3000]+")
SEPARATORS = re.compile(r"[、；;]")


@dataclass(frozen=True)
class FoundProblem:
    line: int
    category: str
    place: str
    description: str


def parse_summary(text: str) -> Iterator[FoundProblem]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        found = PROBLEM_LINE.match(line)
        if not found:
            continue
        category, rest = found.group(1), found.group(2).strip()
        parts = GAP.split(rest, maxsplit=1)
        if len(parts) == 2:
            place, listed = parts[0], parts[1]
        else:
            place, listed = rest, rest
        for piece in SEPARATORS.split(listed):
            description = " ".join(piece.split())
            if description:
                yield FoundProblem(number, category, place, description)


def write_template(problems, out, *, district: str, found_on: date, source_label: str = "暗访",
                   language: str = "zh-hans") -> int:
    """Write the problems as the ledger template (one row per problem, status found)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "问题台账"
    append_row(sheet, columns.headers(language))
    count = 0
    for count, problem in enumerate(problems, start=1):
        values = {
            "no": count, "code": "", "found_on": found_on, "district": district, "category": problem.category,
            "sample_point": "", "address": problem.place, "description": problem.description,
            "source": source_label, "severity": "", "responsible_unit": "", "deadline": None,
            "status": "", "rectification": "", "closed_on": None, "grid": "", "road": "",
        }
        append_row(sheet, [values[field] for field in columns.FIELDS])
    sheet.freeze_panes = "A2"
    workbook.save(out)
    return count


def summary_path() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR).parent / "shared" / "realdata" / "fengxian_unannounced_visit" / "problem_summary.txt"
