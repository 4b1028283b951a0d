"""Los Angeles 311 service requests (``shared/realdata/la311_2017_subset.csv``) turned into a
ledger, through the ledger's own services with each step at the time the record gives.

The mapping, published so a reader can check any figure against the source file:

- district: the Area Planning Commission (APC, 7 of them); a request without one is skipped.
- responsible unit: the owning agency (``Owner``: BOS, OCB, BSL, ITA, LADWP), a city department.
- special team: by request type (sanitation, graffiti, street lighting and water).
- category: the national standard's city appearance and sanitation (STD3) for street
  cleaning, graffiti and lights, ecological environment (STD4) for water waste, vector control
  (STD8) for dead animals.
- severity: dead animals urgent; homeless encampments and illegal dumping serious; the rest
  general.
- source: a call, the app, e-mail, self service, voicemail, walk-in: a public report; a driver's
  self report: self-found; a council office: a leader's visit.
- times: ``CreatedDate`` is when the problem was found and assigned to its agency (and
  acknowledged); ``ClosedDate`` (never before ``CreatedDate``) is when it was applied for
  closing and verified. The record's wall-clock times are read as the campaign's local times,
  so a request made on a Sunday in Los Angeles falls on that Sunday in the reports.
- deadline: the record's ``ServiceDate`` (the date the agency scheduled the service) when it
  lies between the day of the request and 30 days after; otherwise the ledger's default for the
  severity (LEDGER_DEADLINE_*_DAYS) from the day of the request.
- status: Closed: applied for closing by the agency's handler and verified by HQ; Cancelled:
  marked invalid ("cancelled"); Referred Out: marked invalid ("referred to another agency");
  Open: left in rectification.
- a request at the same address and of the same type as one closed before it was made (within
  REBOUND_WINDOW_DAYS) is recorded as a rebound of that one.

LA 311 records carry no photos: every closing application carries the same generated image
saying so (the ledger requires an after-photo), stored once.
Idempotent: a request already in the ledger (source reference ``LA311 <SRNumber>``) is skipped.
"""

import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from campaign.choices import CategoryKind, DistrictKind, Role, UnitKind
from campaign.models import Category, District, Team, Unit, User
from campaign.services.people import person_create
from campaign.services.structure import structure_create

from .. import services
from ..choices import Severity, Source, Status
from ..models import Problem
from ..photos import StoredPhoto, photo_store

DEFAULT_FILE = Path(settings.BASE_DIR).parent / "shared" / "realdata" / "la311_2017_subset.csv"
REF_PREFIX = "LA311 "
DATE_FORMAT = "%m/%d/%Y %I:%M:%S %p"
SERVICE_DATE_HORIZON_DAYS = 30
CHUNK = 500

AGENCIES = {  # Owner -> (unit name, English name)
    "BOS": ("洛杉矶市环卫局", "LA Sanitation (BOS)"),
    "OCB": ("洛杉矶市社区美化办公室", "Office of Community Beautification (OCB)"),
    "BSL": ("洛杉矶市街道照明局", "Bureau of Street Lighting (BSL)"),
    "ITA": ("洛杉矶市信息技术局", "Information Technology Agency (ITA)"),
    "LADWP": ("洛杉矶市水电局", "LA Department of Water and Power (LADWP)"),
}
TEAMS = {  # code -> (name, English name, lead agency, member agencies)
    "LA-SAN": ("洛杉矶市容环卫组", "LA sanitation team", "BOS", ("BOS", "ITA")),
    "LA-GRAF": ("洛杉矶涂鸦清除组", "LA graffiti team", "OCB", ("OCB",)),
    "LA-INFRA": ("洛杉矶照明和水务组", "LA lighting and water team", "BSL", ("BSL", "LADWP")),
}
STANDARD = {  # code -> (Chinese name, English name)
    "STD3": ("市容环境卫生", "City appearance and environmental sanitation"),
    "STD4": ("生态环境", "Ecological environment"),
    "STD8": ("病媒生物预防控制", "Vector control"),
}
G, S, U = Severity.GENERAL, Severity.SERIOUS, Severity.URGENT
REQUEST_TYPES = {  # RequestType -> (category code, team code, severity, Chinese description)
    "Bulky Items": ("STD3", "LA-SAN", G, "大件垃圾待清运"),
    "Graffiti Removal": ("STD3", "LA-GRAF", G, "乱涂乱画待清除"),
    "Illegal Dumping Pickup": ("STD3", "LA-SAN", S, "非法倾倒垃圾"),
    "Metal/Household Appliances": ("STD3", "LA-SAN", G, "废旧金属和家电待清运"),
    "Electronic Waste": ("STD3", "LA-SAN", G, "电子废弃物待清运"),
    "Homeless Encampment": ("STD3", "LA-SAN", S, "流浪人员聚集点环境脏乱"),
    "Dead Animal Removal": ("STD8", "LA-SAN", U, "动物尸体待清理"),
    "Other": ("STD3", "LA-SAN", G, "其他市容问题"),
    "Feedback": ("STD3", "LA-SAN", G, "市民反映"),
    "Single Streetlight Issue": ("STD3", "LA-INFRA", G, "路灯故障"),
    "Multiple Streetlight Issue": ("STD3", "LA-INFRA", G, "多处路灯故障"),
    "Report Water Waste": ("STD4", "LA-INFRA", G, "浪费用水"),
}
APC_NAMES = {
    "Central APC": "洛杉矶中央区", "East Los Angeles APC": "洛杉矶东区", "Harbor APC": "洛杉矶港区",
    "North Valley APC": "洛杉矶北谷区", "South Los Angeles APC": "洛杉矶南区", "South Valley APC": "洛杉矶南谷区",
    "West Los Angeles APC": "洛杉矶西区",
}
SOURCES = {
    "Driver Self Report": Source.SELF_FOUND,
    "Council's Office": Source.LEADER_VISIT,
}
INVALID_REASONS = {
    "Cancelled": "LA 311：请求已取消（Cancelled）",
    "Referred Out": "LA 311：已转其他机构办理（Referred Out）",
}


@dataclass
class La311Result:
    rows: int = 0
    created: int = 0
    already_present: int = 0
    skipped: list[str] = field(default_factory=list)  # "SRNumber: why"
    by_status: dict[str, int] = field(default_factory=dict)
    rebounds: int = 0


def read_requests(path: Path | str = DEFAULT_FILE) -> pd.DataFrame:
    """The file's requests with parsed times, in the order they were made."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("CreatedDate", "ClosedDate", "ServiceDate"):
        frame[column] = pd.to_datetime(frame[column].where(frame[column] != ""), format=DATE_FORMAT)
    return frame.sort_values(["CreatedDate", "SRNumber"], kind="stable").reset_index(drop=True)


def _local(moment: pd.Timestamp) -> datetime:
    """The record's wall-clock time as the campaign's local time."""
    return timezone.make_aware(moment.to_pydatetime().replace(microsecond=0))


def deadline_for(created: datetime, service: pd.Timestamp | None, severity: str) -> date:
    day = timezone.localdate(created)
    if service is not None and not pd.isna(service):
        scheduled = service.date()
        if day <= scheduled <= day + timedelta(days=SERVICE_DATE_HORIZON_DAYS):
            return scheduled
    return services.default_deadline(severity, day)


def _title_case_apc(apc: str) -> str:
    return apc.removesuffix(" APC").strip()


@dataclass
class _Structure:
    districts: dict[str, District]
    units: dict[str, Unit]
    teams: dict[str, Team]
    categories: dict[str, Category]
    handlers: dict[str, User]


def _structure(frame: pd.DataFrame, by: User) -> _Structure:
    """The districts, agencies, teams, categories and handlers the file needs, created once."""
    categories = {}
    for code, (name_zh, name_en) in STANDARD.items():
        category = Category.objects.filter(code=code).first() or Category.objects.filter(name_zh=name_zh).first()
        if category is None:
            category = structure_create(model=Category, by=by, data={
                "code": code, "name_zh": name_zh, "name_en": name_en, "kind": CategoryKind.STANDARD,
                "order": int(code[-1])})
        categories[code] = category
    districts = {}
    for apc in sorted(set(frame["APC"]) - {""}):
        code = "LA-" + "".join(word[0] for word in _title_case_apc(apc).split()).upper()
        district = District.objects.filter(code=code).first() or structure_create(model=District, by=by, data={
            "code": code, "name": APC_NAMES.get(apc, apc), "name_en": apc, "kind": DistrictKind.DISTRICT})
        districts[apc] = district
    units, handlers = {}, {}
    for owner in sorted(set(frame["Owner"]) - {""}):
        name, name_en = AGENCIES.get(owner, (f"洛杉矶市{owner}", owner))
        unit = Unit.objects.filter(name=name).first() or structure_create(model=Unit, by=by, data={
            "name": name, "name_en": name_en, "kind": UnitKind.DEPARTMENT})
        units[owner] = unit
        username = f"la311-{owner.lower()}"
        handlers[owner] = User.objects.filter(username=username).first() or person_create(by=by, data={
            "username": username, "role": Role.UNIT_HANDLER, "unit": unit, "full_name": f"{name_en} handler",
            "password": secrets.token_urlsafe(24)})
    teams = {}
    for code, (name, name_en, lead, members) in TEAMS.items():
        team = Team.objects.filter(code=code).first() or structure_create(model=Team, by=by, data={
            "code": code, "name": name, "name_en": name_en, "leader_name": "LA 311",
            "lead_unit": units.get(lead), "member_units": [units[m] for m in members if m in units]})
        teams[code] = team
    return _Structure(districts, units, teams, categories, handlers)


def _placeholder_photo() -> StoredPhoto:
    image = Image.new("RGB", (480, 320), (235, 238, 242))
    ImageDraw.Draw(image).text((20, 150), "LA 311: no photo in the source record", fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return photo_store(SimpleUploadedFile("la311.jpg", buffer.getvalue(), content_type="image/jpeg"), problem_id=0)


def _skip_reason(row, structure: _Structure) -> str | None:
    if row.APC not in structure.districts:
        return "no Area Planning Commission"
    if row.Owner not in structure.units:
        return "no owning agency"
    if row.RequestType not in REQUEST_TYPES:
        return f"unknown request type {row.RequestType!r}"
    if pd.isna(row.CreatedDate):
        return "no creation date"
    if row.Status in ("Closed", "Cancelled", "Referred Out") and pd.isna(row.ClosedDate):
        return f"{row.Status} without a closing date"
    return None


def import_la311(*, by: User, path: Path | str = DEFAULT_FILE, limit: int | None = None, every: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> La311Result:
    """Write the file's requests into the ledger (see the module's docstring for the mapping).

    Only HQ staff may. Every problem is recorded and moved by the ledger services with the
    record's times; a chunk of rows is written in one transaction. ``every``: take every n-th
    request in the order made (a sample spread over the whole file); ``limit``: at most so many."""
    if not by.can_manage_structure:
        raise services.LedgerForbidden("Only HQ staff import a ledger.")
    frame = read_requests(path)
    if every > 1:
        frame = frame.iloc[::every]
    if limit is not None:
        frame = frame.head(limit)
    result = La311Result(rows=len(frame))
    structure = _structure(frame, by)
    present = set(Problem.objects.filter(source_ref__startswith=REF_PREFIX).values_list("source_ref", flat=True))
    photo = None
    # (address, request type) -> the last problem there, to link rebounds.
    last_at_place: dict[tuple[str, str], Problem] = {}
    rows = list(frame.itertuples(index=False))
    for start in range(0, len(rows), CHUNK):
        with transaction.atomic():
            for row in rows[start:start + CHUNK]:
                ref = REF_PREFIX + row.SRNumber
                if ref in present:
                    result.already_present += 1
                    continue
                reason = _skip_reason(row, structure)
                if reason:
                    result.skipped.append(f"{row.SRNumber}: {reason}")
                    continue
                if photo is None and row.Status == "Closed":
                    photo = _placeholder_photo()
                problem = _import_row(row, ref, structure, by, photo, last_at_place, result)
                present.add(ref)
                result.created += 1
                result.by_status[problem.status] = result.by_status.get(problem.status, 0) + 1
        if progress:
            progress(min(start + CHUNK, len(rows)), len(rows))
    return result


def _import_row(row, ref: str, structure: _Structure, by: User, photo: StoredPhoto | None,
                last_at_place: dict, result: La311Result) -> Problem:
    category_code, team_code, severity, what = REQUEST_TYPES[row.RequestType]
    unit = structure.units[row.Owner]
    found_at = _local(row.CreatedDate)
    place = (row.Address.strip(), row.RequestType)
    previous = last_at_place.get(place)
    window = timedelta(days=settings.REBOUND_WINDOW_DAYS)
    description = f"{what}（{row.RequestType}）"
    if (previous is not None and previous.status == Status.CLOSED
            and previous.closed_at <= found_at < previous.closed_at + window):
        problem = services.problem_record_rebound(original=previous, by=by, description=description,
                                                  found_at=found_at, at=found_at,
                                                  source=SOURCES.get(row.RequestSource, Source.PUBLIC_REPORT),
                                                  source_ref=ref)
        result.rebounds += 1
    else:
        problem = services.problem_record(
            by=by, category=structure.categories[category_code], district=structure.districts[row.APC],
            description=description, source=SOURCES.get(row.RequestSource, Source.PUBLIC_REPORT),
            found_at=found_at, severity=severity, address=row.Address.strip(),
            latitude=_coordinate(row.Latitude), longitude=_coordinate(row.Longitude), source_ref=ref,
            responsible_unit=unit, team=structure.teams[team_code],
        )
    deadline = deadline_for(found_at, row.ServiceDate, problem.severity)
    problem = services.problem_assign(problem=problem, unit=unit, deadline=deadline, by=by, at=found_at,
                                      note="LA 311")
    closed_at = None if pd.isna(row.ClosedDate) else max(_local(row.ClosedDate), found_at)
    if row.Status in INVALID_REASONS:
        problem = services.problem_invalidate(problem=problem, reason=INVALID_REASONS[row.Status], by=by,
                                              at=closed_at)
    else:
        handler = structure.handlers[row.Owner]
        problem = services.problem_acknowledge(problem=problem, by=handler, at=found_at)
        if row.Status == "Closed":
            action = (row.ActionTaken or "").strip() or "SR Closed"
            problem = services.problem_apply_close(problem=problem, note=f"LA 311: {action}", photos=[photo],
                                                   by=handler, at=closed_at)
            problem = services.problem_verify(problem=problem, approved=True, note="LA 311 Closed", by=by,
                                              at=closed_at)
    last_at_place[place] = problem
    return problem


def _coordinate(text: str):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(text).quantize(Decimal("0.000001")) if text else None
    except InvalidOperation:
        return None
