"""Real inspections in: the San Francisco restaurant inspections (LIVES format, 2014-2017) in
``../shared/realdata/sf_restaurant_inspections/`` as sample points, submitted inspections,
failed items and ledger problems (``manage.py import_lives DIR``).

How the files map (and why):

- ``businesses.csv`` → one sample point per business in the category given (default
  ``RESTAURANT``, 餐馆 / Restaurants) and the district given; code ``LIVES-<business_id>``,
  coordinates kept (blank ones stay empty). Sample points are unique per district, category and
  name, and 971 rows share a name with another business (chains): those get their street
  address after the name ("STARBUCKS (201 POWELL ST)"), and the business id when that is not
  enough. The file is Windows-1252, not UTF-8 ("CAFÉ"): read as UTF-8 when it is, else cp1252.
- ``violations_plus.csv`` → the category's checklist, built from the distinct violation types
  through ``checklist_revise``: code = ``ViolationTypeID``, English text = the description,
  Chinese text = our translation (the English one for a type we do not know), points lost by
  risk (High 10, Moderate 5, Low 2) and the severity of its problem by risk (High → urgent,
  Moderate → serious, Low → general); no veto item. It is revised (a new version) only when the
  file brings a type the current version lacks.
- ``inspections_plus.csv`` → one submitted inspection per row, dated the inspection's date
  (noon, site time, so the day shown is the file's day); the LIVES type is kept in the note and
  mapped to a kind: complaints and foodborne-illness investigations → unannounced visit, every
  other type (routine, reinspection, new ownership, …) → routine supervision. **The score is
  the LIVES score as given** (LIVES scores are already 0-100: 100 minus the points of the
  violations by LIVES's own weights); a row without a score (reinspections, complaints… about
  half the file) keeps no score, so averages leave it out. Our rule (100 minus our points) is
  not applied to imported inspections. Rows repeated exactly (187 in the file) are one
  inspection: they are counted and reported as repeats.
- ``violations_plus.csv`` → one failed item (ItemResult "fail") per violation. A violation names
  its business and date, not the inspection: it goes to that day's scored inspection (else the
  routine one, else the first of the day). Violations without an inspection that day are
  reported as unmatched and left out; a type repeated for the same inspection is one failed
  item (reported as repeats). LIVES lists only violations, so items not violated have no result.
- **Problems in the ledger: only the violations of each business's latest inspection** become
  problems, open (found; the businesses have no responsible unit to assign them to), found on
  that inspection's date by the importing user, source = the inspection's kind. Every earlier
  violation was followed by a later inspection and is history, kept in the failed items and the
  scores; recording it as a closed problem would need a closing application and a verification
  that never happened, and the ledger must not hold invented evidence. A business whose latest
  inspection found nothing has no open problem.

The problems are written in bulk (hundreds of thousands of rows go through in seconds), but each
one gets its recording event with the ledger's hash chain (``ProblemEvent.compute_hash``) and
its number from the ledger's per-year counter, so ``manage.py verify_ledger`` passes. An open
problem already in the ledger for the same point and item gets a "found again" event through the
ledger service instead (no duplicate), as a submitted inspection would.

Idempotent: sample points by code, inspections by ``source_ref``
(``lives:<business>:<date>:<type>:<score>``); a second import of the same files adds nothing.
All or nothing: one transaction.
"""

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from campaign.choices import CategoryKind
from campaign.models import Category, District, SamplePoint
from ledger import services as ledger_services
from ledger.choices import Severity, Status
from ledger.models import Problem, ProblemEvent

from . import services
from .choices import InspectionKind, InspectionStatus, Outcome
from .models import Checklist, Inspection, ItemResult
from .services import LEDGER_SOURCE

BUSINESSES, INSPECTIONS, VIOLATIONS = "businesses.csv", "inspections_plus.csv", "violations_plus.csv"
CODE_PREFIX = "LIVES-"
REF_PREFIX = "lives:"
BATCH = 2000

# Risk level -> (points lost, severity of the problem).
RISK = {
    "High Risk": (10, Severity.URGENT),
    "Moderate Risk": (5, Severity.SERIOUS),
    "Low Risk": (2, Severity.GENERAL),
}
# LIVES inspection type -> kind; any other type is routine supervision.
KIND_BY_TYPE = {
    "Complaint": InspectionKind.UNANNOUNCED,
    "Complaint Reinspection/Followup": InspectionKind.UNANNOUNCED,
    "Foodborne Illness Investigation": InspectionKind.UNANNOUNCED,
}
# Which inspection of a day a violation belongs to when a business had several that day.
ROUTINE_TYPES = ("Routine - Unscheduled", "Routine - Scheduled")

# The violation types of the San Francisco files in Chinese (食品安全检查的常用说法).
CHINESE = {
    "103101": "患传染病员工未报告或未限制工作",
    "103102": "手部不洁或手套使用不当",
    "103103": "高风险食品储存温度不当",
    "103104": "以时间作为控制措施未经批准或不安全",
    "103105": "冷却方法不当",
    "103106": "烹调时间或温度不当",
    "103107": "食品再加热不当",
    "103108": "食品被污染或掺杂",
    "103109": "食品接触面不洁",
    "103110": "食品来源未经批准",
    "103111": "向易感人群供应禁止供应的食品",
    "103112": "无热水或无自来水",
    "103113": "污水或废水污染",
    "103114": "高风险病媒生物侵害（鼠、蟑螂等）",
    "103115": "其他高风险违规",
    "103116": "食品安全知识不足或无持证食品安全管理员",
    "103117": "员工鼻、口、眼分泌物污染",
    "103118": "员工在操作区进食或吸烟",
    "103119": "洗手设施不足或不便使用",
    "103120": "中风险食品储存温度不当",
    "103121": "以时间作为控制措施的程序或记录不全",
    "103122": "重复供应已供应过的食品",
    "103123": "食品状态不良",
    "103124": "食品接触面清洗消毒不彻底",
    "103125": "贝类标签或展示不合规",
    "103126": "不符合墨西哥湾牡蛎规定",
    "103127": "未执行HACCP计划或豁免要求",
    "103128": "生食或未熟食品未提示消费者",
    "103129": "热水或自来水供应不足",
    "103130": "污水或废水处置不当",
    "103131": "中风险病媒生物侵害",
    "103132": "解冻方法不当",
    "103133": "食品未防止污染",
    "103134": "其他中风险违规",
    "103135": "食品场所无负责人在岗",
    "103136": "员工衣帽、头发或指甲不洁",
    "103137": "蔬菜水果清洗不当",
    "103138": "有毒有害物质存放、使用或标识不当",
    "103139": "食品储存不当",
    "103141": "食品标签不当或菜单不实",
    "103142": "非食品接触面不洁",
    "103143": "餐具清洗设施或设备不足",
    "103144": "设备或器具未经批准或未维护",
    "103145": "设备、器具或布草存放不当",
    "103147": "通风或照明不足",
    "103148": "无温度计或温度计未校准",
    "103149": "抹布不洁、存放不当或消毒液不足",
    "103150": "给排水管道不当或损坏",
    "103151": "垃圾容器或垃圾存放区不足、不洁或无垃圾清运服务",
    "103152": "厕所不洁、未维护或建造不合规",
    "103153": "更衣设施不足或个人物品存放不当",
    "103154": "地面、墙面或天花板不洁或破损",
    "103155": "食品场所内设有未经批准的住宿",
    "103156": "许可证、执照或检查报告未公示",
    "103157": "无食品安全证书或从业人员食品卫生证",
    "103158": "食品场所无许可证经营",
    "103159": "员工安全隐患",
    "103160": "HACCP计划记录不全",
    "103161": "低风险病媒生物侵害",
    "103162": "其他低风险违规",
    "103165": "无设计审查或建筑许可",
    "103170": "流动食品设施未依托经批准的中心厨房经营",
    "103172": "流动食品设施经营条件未经批准",
    "103173": "流动食品设施停放地点未经批准",
    "103174": "流动食品设施无住房和社区发展部标志",
    "103175": "流动食品许可证或标识展示不当",
    "103177": "有非服务性动物",
    "103178": "不符合家庭食品经营规定",
}


class LivesFileError(Exception):
    """A file is missing or lacks the columns of the LIVES format."""


@dataclass
class LivesReport:
    """What the files held and what the import did with every row."""

    businesses_in_file: int = 0
    businesses_selected: int = 0
    points_created: int = 0
    points_present: int = 0
    inspection_rows: int = 0
    inspection_rows_selected: int = 0  # rows of the selected businesses (all of them without --limit)
    inspection_repeats: int = 0  # rows repeated exactly
    inspections_unmatched: int = 0  # rows whose business is not in businesses.csv
    inspections_created: int = 0
    inspections_present: int = 0
    violation_rows: int = 0
    violation_rows_selected: int = 0
    violation_repeats: int = 0  # the same type twice for one inspection
    violations_unmatched: int = 0  # no inspection of that business that day (or unknown business)
    failed_items_created: int = 0
    failed_items_present: int = 0
    checklist_types: int = 0
    checklist_version: int = 0
    checklist_revised: bool = False
    problems_created: int = 0
    problems_found_again: int = 0
    by_kind: Counter = field(default_factory=Counter)
    unmatched_examples: list = field(default_factory=list)


# --- Reading -------------------------------------------------------------------------------------


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_rows(path: Path, required: tuple[str, ...]) -> list[dict]:
    """The rows of a LIVES CSV file as dicts of stripped strings (blank cells are "")."""
    if not path.is_file():
        raise LivesFileError(f"No such file: {path}")
    reader = csv.DictReader(io.StringIO(_text(path.read_bytes()), newline=""))
    missing = [name for name in required if name not in (reader.fieldnames or ())]
    if missing:
        raise LivesFileError(f"{path.name} lacks the columns {', '.join(missing)}.")
    return [{key: " ".join((value or "").split()) for key, value in row.items() if key} for row in reader]


def _decimal(value: str, low: int, high: int) -> Decimal | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    if number == 0 or not low <= number <= high:
        return None
    return number.quantize(Decimal("0.000001"))


def _score(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if 0 <= number <= 100 else None


def _moment(yyyymmdd: str) -> datetime | None:
    try:
        day = datetime.strptime(yyyymmdd, "%Y%m%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time(12)))


def _point_names(businesses: list[dict]) -> dict[str, str]:
    """A sample-point name per business, unique in the file (chains share a name)."""
    by_name = Counter(row["name"] for row in businesses)
    names = {row["business_id"]: row["name"] if by_name[row["name"]] == 1 else f"{row['name']} ({row['address']})"
             for row in businesses}
    repeats = Counter(names.values())
    return {bid: name if repeats[name] == 1 else f"{name} #{bid}" for bid, name in names.items()}


# --- Importing -----------------------------------------------------------------------------------


def lives_import(*, directory: Path, district: District, by, category_code: str = "RESTAURANT",
                 limit: int | None = None) -> LivesReport:
    """Import the LIVES files in ``directory`` (see the module's docstring for every rule).
    ``limit``: only the first N businesses of businesses.csv and their inspections."""
    directory = Path(directory)
    businesses = read_rows(directory / BUSINESSES, ("business_id", "name", "address", "latitude", "longitude"))
    inspections = read_rows(directory / INSPECTIONS, ("business_id", "Score", "date", "type"))
    violations = read_rows(directory / VIOLATIONS,
                           ("business_id", "date", "ViolationTypeID", "risk_category", "description"))
    report = LivesReport(businesses_in_file=len(businesses), inspection_rows=len(inspections),
                         violation_rows=len(violations))
    known = {row["business_id"] for row in businesses}
    selected = businesses[:limit] if limit else businesses
    chosen = {row["business_id"] for row in selected}
    report.businesses_selected = len(selected)
    with transaction.atomic():
        category = _category(category_code)
        version = _checklist(category, violations, by, report)
        items = {item.code: item for item in version.items.all()}
        points = _sample_points(selected, businesses, category, district, report)
        by_day = _inspections(inspections, known, chosen, points, version, by, report)
        failed = _failed_items(violations, known, chosen, items, by_day, report)
        _problems(by_day, failed, points, category, items, by, report)
    return report


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code).first()
    if category is None:
        category = Category.objects.create(code=code, kind=CategoryKind.KEY_PLACE, name_zh="餐馆（旧金山LIVES）",
                                           name_en="Restaurants (San Francisco LIVES)", order=90)
    return category


def _checklist(category: Category, violations: list[dict], by, report: LivesReport):
    types = {}
    for row in violations:
        code = row["ViolationTypeID"]
        if code and code not in types and row["risk_category"] in RISK:
            types[code] = row
    wanted = []
    for code in sorted(types, key=lambda c: (len(c), c)):
        row = types[code]
        points, severity = RISK[row["risk_category"]]
        wanted.append({"code": code, "text_zh": CHINESE.get(code, row["description"]), "text_en": row["description"],
                       "points": points, "severity": severity, "veto": False})
    report.checklist_types = len(wanted)
    checklist = Checklist.objects.filter(category=category).first()
    current = checklist.current_version if checklist else None
    have = set(current.items.values_list("code", flat=True)) if current else set()
    if current is None or not {item["code"] for item in wanted} <= have:
        # Keep the types the current version has that this file lacks (another file brought them).
        kept = [{"code": i.code, "text_zh": i.text_zh, "text_en": i.text_en, "points": i.points,
                 "severity": i.severity, "veto": i.veto}
                for i in (current.items.all() if current else []) if i.code not in types]
        current = services.checklist_revise(category=category, items=wanted + kept, by=by,
                                            name="餐馆卫生检查（旧金山LIVES违规类型）",
                                            note="LIVES violation types")
        report.checklist_revised = True
    report.checklist_version = current.number
    return current


def _sample_points(selected, businesses, category, district, report) -> dict[str, SamplePoint]:
    names = _point_names(businesses)
    codes = {f"{CODE_PREFIX}{row['business_id']}": row for row in selected}
    present = {p.code: p for p in SamplePoint.objects.filter(code__in=codes)}
    new = []
    for code, row in codes.items():
        if code in present:
            continue
        address = ", ".join(part for part in (row["address"], row.get("city", ""),
                                              " ".join(filter(None, (row.get("state", ""), row.get("postal_code", "")))))
                            if part)
        new.append(SamplePoint(code=code, name=names[row["business_id"]][:200], category=category, district=district,
                               address=address[:300], latitude=_decimal(row["latitude"], -90, 90),
                               longitude=_decimal(row["longitude"], -180, 180)))
    SamplePoint.objects.bulk_create(new, batch_size=BATCH)
    report.points_created, report.points_present = len(new), len(present)
    points = SamplePoint.objects.filter(code__in=codes).select_related("category", "district")
    return {p.code.removeprefix(CODE_PREFIX): p for p in points}


def _ref(row: dict) -> str:
    return f"{REF_PREFIX}{row['business_id']}:{row['date']}:{row['type']}:{row['Score'] or '-'}"[:100]


@dataclass
class _Imported:
    inspection_id: int
    business_id: str
    date: str
    kind: str
    found_at: datetime
    routine: bool
    scored: bool
    new: bool


def _inspections(rows, known, chosen, points, version, by, report) -> dict:
    """Create the inspections; returns (business, date) -> [_Imported] for every selected row."""
    seen = set()
    wanted = []
    for row in rows:
        bid = row["business_id"]
        if bid not in known:
            report.inspections_unmatched += 1
            continue
        if bid not in chosen:
            continue
        report.inspection_rows_selected += 1
        ref = _ref(row)
        if ref in seen:
            report.inspection_repeats += 1
            continue
        seen.add(ref)
        wanted.append((ref, row))
    present = dict(Inspection.objects.filter(source_ref__in=[ref for ref, _row in wanted])
                   .values_list("source_ref", "pk")) if len(wanted) < 20000 else dict(
        Inspection.objects.filter(source_ref__startswith=REF_PREFIX).values_list("source_ref", "pk"))
    new = []
    for ref, row in wanted:
        if ref in present:
            continue
        moment = _moment(row["date"])
        if moment is None:
            report.inspections_unmatched += 1
            continue
        kind = KIND_BY_TYPE.get(row["type"], InspectionKind.ROUTINE)
        report.by_kind[kind] += 1
        new.append(Inspection(
            kind=kind, sample_point=points[row["business_id"]], checklist_version=version, created_by=by,
            started_at=moment, ended_at=moment, submitted_at=moment, status=InspectionStatus.SUBMITTED,
            score=_score(row["Score"]), note=f"LIVES: {row['type']}", source_ref=ref,
        ))
    Inspection.objects.bulk_create(new, batch_size=BATCH)
    report.inspections_created, report.inspections_present = len(new), len(present)
    created_refs = {i.source_ref for i in new}
    ids = dict(Inspection.objects.filter(source_ref__in=created_refs).values_list("source_ref", "pk")) \
        if len(created_refs) < 20000 else dict(
        Inspection.objects.filter(source_ref__startswith=REF_PREFIX).values_list("source_ref", "pk"))
    ids.update(present)
    by_day = defaultdict(list)
    for ref, row in wanted:
        if ref not in ids:
            continue
        by_day[(row["business_id"], row["date"])].append(_Imported(
            inspection_id=ids[ref], business_id=row["business_id"], date=row["date"],
            kind=KIND_BY_TYPE.get(row["type"], InspectionKind.ROUTINE), found_at=_moment(row["date"]),
            routine=row["type"] in ROUTINE_TYPES, scored=bool(row["Score"]), new=ref in created_refs,
        ))
    return by_day


def _owner(candidates: list[_Imported]) -> _Imported:
    """The inspection of the day a violation belongs to: the scored one, else the routine one,
    else the first of the day in the file."""
    return sorted(candidates, key=lambda c: (not c.scored, not c.routine))[0]


def _failed_items(rows, known, chosen, items, by_day, report) -> dict:
    """Create one failed item per violation (``by_day``: (business, date) -> that day's
    inspections); returns inspection id -> [item code] for the new inspections."""
    seen = set()
    new, failed = [], defaultdict(list)
    for row in rows:
        bid = row["business_id"]
        if bid in known and bid not in chosen:
            continue
        report.violation_rows_selected += 1
        candidates = by_day.get((bid, row["date"]))
        item = items.get(row["ViolationTypeID"])
        if not candidates or item is None:
            report.violations_unmatched += 1
            if len(report.unmatched_examples) < 5:
                report.unmatched_examples.append(f"{bid} {row['date']} {row['ViolationTypeID']}")
            continue
        owner = _owner(candidates)
        key = (owner.inspection_id, item.code)
        if key in seen:
            report.violation_repeats += 1
            continue
        seen.add(key)
        if not owner.new:
            report.failed_items_present += 1
            continue
        new.append(ItemResult(inspection_id=owner.inspection_id, item=item, outcome=Outcome.FAIL,
                              answered_at=owner.found_at))
        failed[owner.inspection_id].append(item.code)
    ItemResult.objects.bulk_create(new, batch_size=BATCH)
    report.failed_items_created = len(new)
    return failed


def _problems(by_day, failed, points, category, items, by, report) -> None:
    """Open problems for the violations of each business's latest inspection (see the docstring)."""
    latest = {}
    for (bid, date), candidates in by_day.items():
        if bid not in latest or date > latest[bid][0]:
            latest[bid] = (date, _owner(candidates))
    findings = []  # (inspection, point, item)
    for bid, (_date, inspection) in sorted(latest.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0):
        if not inspection.new:
            continue
        for code in failed.get(inspection.inspection_id, ()):
            findings.append((inspection, points[bid], items[code]))
    if not findings:
        return
    keys = {f"{category.code}:{item.code}" for _i, _p, item in findings}
    open_ones = {
        (p.sample_point_id, p.finding_key): p
        for p in Problem.objects.open().filter(sample_point__in={point for _i, point, _item in findings},
                                               finding_key__in=keys)
    }
    fresh = []
    for inspection, point, item in findings:
        key = f"{category.code}:{item.code}"
        existing = open_ones.get((point.pk, key))
        if existing is not None:
            ledger_services.problem_found_again(problem=existing, by=by, source_ref=f"inspection:{inspection.inspection_id}",
                                                note=f"Found again: {item.text_zh}")
            report.problems_found_again += 1
            continue
        fresh.append((inspection, point, item, key))
    codes = _reserve_codes(Counter(timezone.localtime(i.found_at).year for i, _p, _it, _k in fresh))
    problems = [
        Problem(
            code=codes[timezone.localtime(inspection.found_at).year].pop(0), description=item.text_zh,
            category=category, sample_point=point, district=point.district, address=point.address,
            latitude=point.latitude, longitude=point.longitude, source=LEDGER_SOURCE[inspection.kind],
            source_ref=f"inspection:{inspection.inspection_id}", found_at=inspection.found_at, found_by=by,
            severity=item.severity, status=Status.FOUND, finding_key=key,
        )
        for inspection, point, item, key in fresh
    ]
    Problem.objects.bulk_create(problems, batch_size=BATCH)
    if problems[:1] and problems[0].pk is None:  # a backend that does not return ids
        by_code = dict(Problem.objects.filter(code__in=[p.code for p in problems]).values_list("code", "pk"))
        for problem in problems:
            problem.pk = problem.id = by_code[problem.code]
    # The recording event, as ledger.services writes it (keyed, with the problem's fields).
    events = []
    for problem in problems:
        event = ledger_services.recording_event(problem, by=by, at=problem.found_at)
        problem.last_event_hash = event.hash
        events.append(event)
    ProblemEvent.objects.bulk_create(events, batch_size=BATCH)
    Problem.objects.bulk_update(problems, ["last_event_hash"], batch_size=500)
    report.problems_created = len(problems)


def _reserve_codes(per_year: Counter) -> dict[int, list[str]]:
    """Take a block of problem numbers per year from the ledger's counter in one statement each,
    so concurrent recorders never share a number (as ledger.services._next_code does one by one)."""
    codes = {}
    with connection.cursor() as cursor:
        for year, count in per_year.items():
            cursor.execute(
                "INSERT INTO ledger_problemcounter (year, last) VALUES (%s, %s) "
                "ON CONFLICT (year) DO UPDATE SET last = ledger_problemcounter.last + %s RETURNING last",
                [year, count, count],
            )
            (last,) = cursor.fetchone()
            codes[year] = [f"{year}-{number:06d}" for number in range(last - count + 1, last + 1)]
    return codes
