"""The demo ledger: twelve weeks of problems on the demo city (campaign/demo.py), for
``manage.py seed_demo``.

Every problem is recorded and moved through the ledger's own services (ledger/services.py) with
``at=`` set to when it happened, so each event is a real, hash-chained event and
``manage.py verify_ledger`` passes. The history is planned first (who found what, where and when;
how fast the unit worked; whether the verifier rejected it once), then replayed in time order,
dropping every step that would lie after now — so recent problems are still open, slow units'
problems are overdue, and the codes follow the order of finding.

The problem texts are the phrases of a real unannounced-visit list (奉贤区各类场所问题汇总清单,
``shared/realdata/fengxian_unannounced_visit/problem_summary.txt``), matched to the kinds of
place where the assessors write them down. After-photos are drawn with Pillow (a coloured scene
and a caption) and stored through ``photo_store`` like an upload.

Idempotent: when the ledger already holds problems nothing is added. Everything random comes
from ``random.Random`` with a fixed seed.
"""

import datetime
import heapq
import io
import random
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from campaign import demo as city
from campaign.choices import Role, UnitKind
from campaign.demo_steps import DemoReport
from campaign.models import Category, District, SamplePoint, Team, Unit, User

from . import services
from .choices import Severity, Source, Status
from .models import Problem
from .photos import StoredPhoto, photo_store
from .sheets import SHEETABLE, assignment_sheet_issue

SEED = 2022_13989  # Kaifeng's year and ledger size; any fixed number keeps the history the same
WEEKS = 12
ORIGINALS = 500  # problems found directly; duplicates and rebounds come on top

G, S, U = Severity.GENERAL, Severity.SERIOUS, Severity.URGENT

# --- What is found where -----------------------------------------------------------------------

# Problem phrases of the real list, by the kind of place they were written at: (phrase, severity).
VECTOR = (
    ("捕蝇笼饵料干", G), ("捕蝇笼饵料干", G), ("捕蝇笼无饵料", G), ("捕蝇笼破损", G), ("捕蝇笼倒伏", G),
    ("毒鼠盒设置不规范", G), ("毒鼠点未见毒鼠盒", G), ("毒鼠点无警示标志", G), ("毒鼠盒无饵料", G),
    ("周边未见病媒生物防制设施", G), ("容器积水孑孓阳性", S), ("积水容器3处", G), ("雨水井积水孑孓阳性", S),
    ("明沟积水", G), ("废旧轮胎积水孑孓阳性", S), ("垃圾堆积成蝇密度高", S),
)
SANITATION = (
    ("散在垃圾", G), ("生活垃圾堆积", G), ("垃圾桶满溢", G), ("建筑垃圾乱堆放", G), ("占绿堆物", G),
    ("卫生死角", G), ("绿化带脏乱", G), ("地面污水污迹", G), ("大件垃圾占绿乱堆放", G), ("油泥污染地面", G),
    ("生活垃圾乱扔", G), ("建筑垃圾生活垃圾混堆", G),
)
PHRASES = {
    "KP-MARKET": (
        ("活禽交易宰杀点", U), ("活禽交易点", S), ("见吸烟现象", G), ("地面不洁散在垃圾", G),
        ("多处路面积水", G), ("明沟堵塞不洁", G), ("三防不到位", S),
        ("地面烟头较多", G), ("捕蝇笼饵料干", G), ("毒鼠盒未见警示标识", G), ("垃圾桶满溢", G),
        ("容器积水孑孓阳性", S), ("路面大量积水", G),
    ),
    "KP-OLDRES": VECTOR + SANITATION,
    "KP-ALLEY": SANITATION + (("容器积水孑孓阳性", S), ("卫生死角散在垃圾，成蝇密度高", S), ("明沟积水，路面积水", G),
                              ("捕蝇笼饵料干", G), ("垃圾占绿乱堆放", G)),
    "KP-VILLAGE": (
        ("容器积水孑孓阳性", S), ("废旧水缸积水孑孓阳性", S), ("积水容器4处", G), ("乱堆物", G),
        ("生活垃圾堆积", G), ("旱厕环境脏乱", S), ("水沟积水孑孓阳性", S), ("暴露垃圾", G), ("活禽交易点", S),
        ("垃圾房周边未见病媒防制设施", G), ("占绿堆物", G),
    ),
    "KP-SIX": (
        ("三防不到位", S), ("未见禁烟标识", G), ("散在垃圾", G), ("乱堆物", G), ("垃圾桶满溢", G),
        ("地面烟头较多", G), ("路面坑洼积水", G), ("毒鼠盒设置不规范", G),
    ),
    "KP-CATER": (
        ("三防不到位", S), ("地面油污", G), ("未见禁烟标识", G), ("垃圾桶满溢", G), ("泔水桶未加盖", G),
        ("捕蝇笼饵料干", G), ("卫生死角", G),
    ),
    "KP-TOILET": (
        ("捕蝇笼饵料干", G), ("捕蝇笼饵料干，未见毒鼠盒", G), ("周边未见病媒防制设施", G), ("地面有烟头", G),
        ("卫生死角", G), ("明沟积水", G), ("容器积水孑孓阳性", S), ("地面污水异味重", S),
        ("捕蝇笼无饵料，毒鼠盒设置不规范", G),
    ),
    # Not on the list (it has no sites); the items every site inspection checks.
    "KP-SITE": (
        ("建筑垃圾乱堆放", G), ("裸土未覆盖", G), ("出入口车辆未冲洗带泥上路", S), ("围挡破损", G),
        ("垃圾乱堆，成蝇密度高", S), ("积水容器孑孓阳性", S), ("工棚食堂三防不到位", S),
    ),
}
# Public reports away from the sample points: city appearance (STD3), on a road.
STREET_PHRASES = (("垃圾桶满溢", G), ("占道堆物", G), ("散在垃圾", G), ("路面积水", G), ("卫生死角", G),
                  ("绿化带脏乱", G), ("油泥污染路面", G))


def _where(category: str, rng: random.Random) -> str:
    """Where at the place, the way the inspectors write it (e.g. 12号楼旁)."""
    n = rng.randint(1, 120)
    spots = {
        "KP-MARKET": ("市场后垃圾房边", "停车场入口旁", "公厕前", "活禽区", "蔬菜摊位区", "市场出口处", "侧边小巷内"),
        "KP-OLDRES": (f"{n}号楼旁", f"{n}幢楼后", f"{n}号前", "垃圾箱房旁", "小区入口处", f"{n}号对面绿地内"),
        "KP-ALLEY": (f"{n}号旁", f"{n}号前", "巷口", "拐角处"),
        "KP-VILLAGE": (f"{n}号前菜地内", f"{n}号门口", f"{n}号旁", "村口"),
        "KP-SIX": ("门前", "店内", "操作间"),
        "KP-CATER": ("后厨", "操作间", "门前", "后巷"),
        "KP-TOILET": ("门前", "周边", "公厕后"),
        "KP-SITE": ("工地出入口", "围挡外", "生活区", "材料堆场"),
    }[category]
    return rng.choice(spots)


# What the unit writes when it applies to close, by a word in the problem.
RECTIFICATION = (
    ("捕蝇笼", "已更换捕蝇笼饵料，破损的更换新笼并固定，保洁员每周两次检查补料"),
    ("毒鼠", "已按规范补设毒鼠盒并投放饵料，张贴警示标识，登记台账"),
    ("孑孓", "已清除积水容器，翻盆倒罐，雨水井投放灭蚊幼剂，复查未见孑孓"),
    ("积水", "已清除积水，疏通排水明沟，平整坑洼路面"),
    ("活禽", "已会同市场监管、城管执法取缔活禽交易宰杀点，设专人每日巡查"),
    ("吸烟", "已张贴禁烟标识，市场管理员加强劝导，对违规吸烟现场劝阻"),
    ("烟头", "已清扫烟头，增设烟蒂收集桶，张贴禁烟标识"),
    ("禁烟", "已补设禁烟标识"),
    ("三防", "已安装防蝇门帘、纱窗和挡鼠板，配备加盖垃圾桶"),
    ("病媒", "已配置捕蝇笼、毒鼠盒等病媒生物防制设施并建立检查台账"),
    ("裸土", "已用防尘网全覆盖，定时洒水降尘"),
    ("冲洗", "已修复洗车平台，安排专人冲洗出场车辆，清扫路面带泥"),
    ("围挡", "已修复围挡，清理围挡外杂物"),
    ("油", "已用高压水枪冲洗油污，督促商户规范处置餐厨垃圾"),
    ("泔水", "已配备加盖泔水桶，餐厨垃圾日产日清"),
    ("旱厕", "已清掏旱厕并消杀，纳入改厕计划"),
    ("垃圾", "已组织保洁人员清运垃圾，落实每日巡查保洁，垃圾日产日清"),
    ("堆物", "已清理堆放杂物，恢复绿地，张贴告示"),
    ("死角", "已清理卫生死角，纳入日常保洁范围"),
    ("脏乱", "已全面清扫整治，落实网格长每日巡查"),
    ("污", "已冲洗地面，疏通下水"),
)
REJECTIONS = (
    "复查发现捕蝇笼仍无饵料，整改不到位",
    "照片未能反映整改后全貌，请补充现场全景照片",
    "现场复查仍有积水容器，请彻底清理",
    "垃圾清运后又有堆积，请落实长效保洁机制",
    "整改说明与现场不符，请重新整改",
)
ACKNOWLEDGEMENTS = ("已签收，立即组织整改", "已签收", "收到，已安排专人整改", "已签收，当日组织人员处置")
VERIFICATIONS = ("现场复核，整改到位，同意销号", "复查合格，予以销号", "经现场核实已整改到位", "对账销号")
INVALID_REASONS = (
    "经现场核实，该处为施工临时堆放点，已办理审批手续，不属于问题",
    "经核实，所报地点不在本样本点范围内，且现场未见所述问题",
    "经核实，所述问题不存在",
)


def _rectification(description: str) -> str:
    for word, note in RECTIFICATION:
        if word in description:
            return note
    return "已按要求整改到位"


# --- The people in the history ------------------------------------------------------------------


@dataclass
class People:
    hq: User
    inspector: User
    district_leads: dict  # district code -> User
    handlers: dict  # unit id -> User


def _handler_username(unit_name: str) -> str | None:
    """A stable login name for a unit's handler, from its place in the demo city's data."""
    if unit_name == city.DEMO_STREET_OFFICE:
        return "unit"
    for row in city.DISTRICTS:
        for index, (office, _en) in enumerate(row["offices"], start=1):
            if office == unit_name:
                return f"unit-{row['code'].lower()}-{index}"
    for index, (name, _en) in enumerate(city.DEPARTMENTS, start=1):
        if name == unit_name:
            return f"unit-dept-{index:02d}"
    return None


def build_people(units: list[Unit], districts: dict) -> People:
    rng = random.Random(SEED + 1)
    users = {u.username: u for u in User.objects.filter(username__in=["hq", "inspector", "district", "unit"])}
    leads = {city.DEMO_DISTRICT: users["district"]}
    for row in city.DISTRICTS:
        if row["code"] != city.DEMO_DISTRICT:
            leads[row["code"]] = city.demo_person(
                username=f"district-{row['code'].lower()}", role=Role.DISTRICT_LEAD, full_name=city._person(rng),
                post=f"{row['name']}创卫办主任", district=districts[row["code"]],
            )
    handlers = {}
    for unit in sorted(units, key=lambda u: u.name):
        username = _handler_username(unit.name)
        if username is None:
            continue
        if username == "unit":
            handlers[unit.pk] = users["unit"]
            continue
        handlers[unit.pk] = city.demo_person(username=username, role=Role.UNIT_HANDLER, full_name=city._person(rng),
                                             post=f"{unit.name}创卫专干", unit=unit)
    return People(hq=users["hq"], inspector=users["inspector"], district_leads=leads, handlers=handlers)


# --- Time ---------------------------------------------------------------------------------------

MORNING = (datetime.time(8, 30), datetime.time(11, 50))
AFTERNOON = (datetime.time(14, 0), datetime.time(17, 30))


def _at(day: datetime.date, minutes_after_midnight: int) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minutes_after_midnight)
    return timezone.make_aware(naive)


def _working_time(day: datetime.date, rng: random.Random) -> datetime.datetime:
    start, end = rng.choice((MORNING, MORNING, AFTERNOON))
    low, high = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    return _at(day, rng.randint(low, high))


def _later(moment: datetime.datetime, rng: random.Random, min_hours: float, max_hours: float,
           weekends: bool = False) -> datetime.datetime:
    """A working moment some hours after ``moment`` (moved to the next working day when it falls
    at night or, unless ``weekends``, on a weekend)."""
    target = timezone.localtime(moment + datetime.timedelta(hours=rng.uniform(min_hours, max_hours)))
    day, minute = target.date(), target.hour * 60 + target.minute
    if minute < 8 * 60 + 30:
        minute = 8 * 60 + 30 + rng.randint(0, 90)
    elif minute > 17 * 60 + 30:
        day, minute = day + datetime.timedelta(days=1), 8 * 60 + 30 + rng.randint(0, 90)
    while not weekends and day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    later = _at(day, minute)
    return later if later > moment else moment + datetime.timedelta(minutes=rng.randint(5, 40))


# --- The plan -----------------------------------------------------------------------------------


@dataclass
class Plan:
    """One problem's story: how it is recorded, then its steps (time, what, how)."""

    found_at: datetime.datetime
    by: User
    source: str
    source_ref: str
    description: str
    severity: str
    category: Category
    district: District
    point: SamplePoint | None = None
    unit: Unit | None = None
    team: Team | None = None
    duplicate_of: "Plan | None" = None
    rebound_of: "Plan | None" = None
    steps: list = field(default_factory=list)  # (at, kind, options)
    problem: Problem | None = None

    def closed_at(self) -> datetime.datetime | None:
        return next((at for at, kind, options in self.steps if kind == "verify" and options["approved"]), None)


@dataclass
class DemoLedger:
    """What the builder wrote (or found), for the command's summary and for tests."""

    created: bool
    by_status: dict  # status -> count, the whole ledger
    problems: int = 0
    photos: int = 0


class _Planner:
    def __init__(self, *, today: datetime.date, now: datetime.datetime, people: People, points: list[SamplePoint],
                 categories: dict, districts: dict, offices: dict, street_team: Team | None):
        self.rng = random.Random(SEED)
        self.today, self.now, self.people = today, now, people
        self.points, self.categories, self.districts = points, categories, districts
        self.offices, self.street_team = offices, street_team
        self.first_day = today - datetime.timedelta(days=WEEKS * 7 - 1)
        # How much goes wrong at each place: markets and old estates most; a few places are kept well.
        kind_weight = {"KP-MARKET": 3.0, "KP-OLDRES": 2.5, "KP-VILLAGE": 2.5, "KP-ALLEY": 2.0, "KP-TOILET": 1.5,
                       "KP-SITE": 1.5, "KP-SIX": 1.0, "KP-CATER": 1.0}
        self.point_weights = [
            0.0 if self.rng.random() < 0.08 else kind_weight.get(p.category.code, 1.0) * self.rng.uniform(0.3, 1.7)
            for p in points
        ]

    # Days: unannounced visits by HQ on Tuesdays, the supervision group's rounds on Thursdays,
    # an expert group's mock assessment once, little at weekends; more as the assessment nears.
    def day_weight(self, day: datetime.date) -> float:
        weight = {0: 1.0, 1: 3.2, 2: 1.0, 3: 2.6, 4: 1.2, 5: 0.25, 6: 0.1}[day.weekday()]
        if day == self.expert_day:
            weight = 6.0
        return weight * (0.6 + 0.8 * (day - self.first_day).days / (WEEKS * 7))

    @property
    def expert_day(self) -> datetime.date:
        # The Wednesday of the sixth week.
        sixth = self.first_day + datetime.timedelta(days=35)
        return sixth + datetime.timedelta(days=(2 - sixth.weekday()) % 7)

    def source_for(self, day: datetime.date, district_code: str) -> tuple[str, User, str]:
        rng, people = self.rng, self.people
        week = (day - self.first_day).days // 7 + 1
        year = day.year
        if day == self.expert_day:
            return Source.EXPERT_GROUP, people.hq, "省爱卫办专家组模拟测评"
        if day.weekday() == 1 and rng.random() < 0.85:
            return Source.UNANNOUNCED_VISIT, people.hq, f"{year}年第{week}轮暗访"
        if day.weekday() == 3 and rng.random() < 0.85:
            by = people.inspector if district_code == city.DEMO_DISTRICT else people.hq
            return Source.ROUTINE_SUPERVISION, by, f"督查通报〔{year}〕{week}号"
        roll = rng.random()
        if roll < 0.45:
            return Source.SELF_FOUND, people.district_leads[district_code], ""
        if roll < 0.80:
            return Source.PUBLIC_REPORT, people.hq, f"12345热线工单{day:%Y%m%d}{rng.randint(100, 999)}"
        if roll < 0.90:
            return Source.LEADER_VISIT, people.hq, f"{rng.choice(city.TEAMS)[3]}副市长现场调研"
        if roll < 0.96:
            return Source.MEDIA, people.hq, "《南湖日报》“创卫曝光台”"
        return Source.ROUTINE_SUPERVISION, people.hq, f"督查通报〔{year}〕{week}号"

    def originals(self) -> list[Plan]:
        rng = self.rng
        days = [self.first_day + datetime.timedelta(days=n) for n in range(WEEKS * 7)]
        weights = [self.day_weight(d) for d in days]
        plans = []
        for day in sorted(rng.choices(days, weights=weights, k=ORIGINALS)):
            if rng.random() < 0.05:  # a public report on a street, away from the sample points
                plans.append(self.street_plan(day))
                continue
            point = rng.choices(self.points, weights=self.point_weights)[0]
            source, by, ref = self.source_for(day, point.district.code)
            phrase, severity = rng.choice(PHRASES[point.category.code])
            if severity == G and rng.random() < 0.06:
                severity = S
            plans.append(Plan(
                found_at=_working_time(day, rng), by=by, source=source, source_ref=ref,
                description=f"{_where(point.category.code, rng)}{phrase}", severity=severity,
                category=point.category, district=point.district, point=point, unit=point.responsible_unit,
                team=point.team,
            ))
        return plans

    def street_plan(self, day: datetime.date) -> Plan:
        rng = self.rng
        row = rng.choices(city.DISTRICTS, weights=city.DISTRICT_WEIGHTS)[0]
        road, start, _end = rng.choice(row["roads"])
        phrase, severity = rng.choice(STREET_PHRASES)
        number = rng.randint(1, 399)
        return Plan(
            found_at=_working_time(day, rng), by=self.people.hq, source=Source.PUBLIC_REPORT,
            source_ref=f"12345热线工单{day:%Y%m%d}{rng.randint(100, 999)}",
            description=f"{road}{number}号旁{phrase}", severity=severity, category=self.categories["STD3"],
            district=self.districts[row["code"]], unit=rng.choice(self.offices[row["code"]]), team=self.street_team,
        )

    def verifier(self, plan: Plan) -> User:
        lead = self.people.district_leads[plan.district.code]
        if plan.district.code == city.DEMO_DISTRICT:
            return self.rng.choice((lead, self.people.inspector))
        return lead if self.rng.random() < 0.8 else self.people.hq

    def invalidator(self, plan: Plan) -> User:
        return self.people.district_leads[plan.district.code] if self.rng.random() < 0.7 else self.people.hq

    def assigner(self, plan: Plan) -> User:
        if plan.source in (Source.UNANNOUNCED_VISIT, Source.EXPERT_GROUP, Source.LEADER_VISIT, Source.MEDIA):
            return self.people.hq  # HQ assigns what the visits find itself
        return self.people.district_leads[plan.district.code]

    def handler(self, plan: Plan, unit: Unit) -> User:
        return self.people.handlers.get(unit.pk, self.people.hq)

    def lifecycle(self, plan: Plan) -> None:
        """The steps after recording: assignment, acknowledgement, closing, verification."""
        rng, t = self.rng, plan.found_at
        if rng.random() < 0.02:  # responsibility unclear: waits for HQ to decide
            t = _later(t, rng, 24 * 20, 24 * 40)
        elif rng.random() < 0.025:  # not a problem after all
            plan.steps.append((_later(t, rng, 2, 48), "invalidate",
                               {"reason": rng.choice(INVALID_REASONS), "by": self.invalidator(plan)}))
            return
        t = _later(t, rng, 0.5, 30)
        unit = plan.unit
        if unit is None:
            return
        first_unit = unit
        reassign_to = None
        if plan.point is not None and unit.district_id and rng.random() < 0.03:
            # First given to the district government; it passes the problem to the street office.
            government = Unit.objects.filter(district=plan.district, kind=UnitKind.DISTRICT_GOVERNMENT).first()
            if government is not None:
                first_unit, reassign_to = government, unit
        days = {G: 7, S: 3, U: 1}[plan.severity]
        if plan.severity == G and rng.random() < 0.15:
            days = 14  # bigger works get a longer deadline
        deadline = timezone.localdate(t) + datetime.timedelta(days=days)
        plan.steps.append((t, "assign", {"unit": first_unit, "deadline": deadline, "by": self.assigner(plan)}))
        if reassign_to is not None:
            t = _later(t, rng, 4, 30)
            deadline = timezone.localdate(t) + datetime.timedelta(days=days)
            plan.steps.append((t, "assign", {"unit": reassign_to, "deadline": deadline, "by": self.people.hq,
                                             "note": "经协调，调整责任单位为属地街道"}))
        unit = reassign_to or first_unit
        handler = self.handler(plan, unit)
        pace = rng.choices(("fast", "normal", "slow", "stuck"), weights=(55, 30, 11, 4))[0]
        t = _later(t, rng, 0.3, 20 if pace != "slow" else 72)
        plan.steps.append((t, "acknowledge", {"by": handler}))
        if pace == "stuck":
            return  # never applies: overdue until someone acts
        deadline_end = timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(17, 0)))
        span_hours = max(2.0, (deadline_end - t).total_seconds() / 3600)
        if pace == "fast":
            t = _later(t, rng, span_hours * 0.15, span_hours * 0.8)
        elif pace == "normal":
            t = _later(t, rng, span_hours * 0.6, span_hours * 1.2)
        else:
            t = _later(t, rng, span_hours + 24, span_hours + 24 * 16)
        rejected = rng.random() < 0.12
        for attempt in range(2 if rejected else 1):
            plan.steps.append((t, "apply", {"by": handler, "note": _rectification(plan.description)}))
            t = _later(t, rng, 2, 72)
            approved = attempt == 1 or not rejected
            note = rng.choice(VERIFICATIONS) if approved else rng.choice(REJECTIONS)
            plan.steps.append((t, "verify", {"by": self.verifier(plan), "approved": approved, "note": note}))
            if not approved:
                t = _later(t, rng, 20, 96)

    def duplicates(self, plans: list[Plan]) -> list[Plan]:
        """A few public reports of problems already in the ledger, marked invalid and linked."""
        rng = self.rng
        candidates = [p for p in plans if p.point is not None and p.found_at < self.now - datetime.timedelta(days=3)]
        result = []
        for original in rng.sample(candidates, k=min(14, len(candidates))):
            found = _later(original.found_at, rng, 3, 40, weekends=True)
            dup = Plan(
                found_at=found, by=self.people.hq, source=Source.PUBLIC_REPORT,
                source_ref=f"12345热线工单{timezone.localdate(found):%Y%m%d}{rng.randint(100, 999)}",
                description=f"群众反映：{original.point.name}{original.description}", severity=original.severity,
                category=original.category, district=original.district, point=original.point,
                unit=original.unit, team=original.team, duplicate_of=original,
            )
            reason = "与已登记问题重复，并入原问题办理"
            dup.steps.append((_later(found, rng, 1, 24), "invalidate",
                              {"reason": reason, "duplicate_of": original, "by": self.invalidator(dup)}))
            result.append(dup)
        return result

    def rebounds(self, plans: list[Plan]) -> list[Plan]:
        """A few closed problems found again at the same place (反弹), each a new linked problem."""
        rng = self.rng
        rebound_words = ("捕蝇笼", "垃圾", "积水", "堆物", "活禽", "死角")
        candidates = [
            p for p in plans
            if p.point is not None and p.closed_at() and p.closed_at() < self.now - datetime.timedelta(days=12)
            and any(w in p.description for w in rebound_words)
        ]
        result = []
        for original in rng.sample(candidates, k=min(12, len(candidates))):
            closed = original.closed_at()
            latest = (self.now - closed).total_seconds() / 3600 - 4
            found = _later(closed, rng, 24 * 5, max(24 * 6, min(24 * 35, latest)))
            by = self.people.inspector if original.district.code == city.DEMO_DISTRICT else self.people.hq
            plan = Plan(
                found_at=found, by=by, source=Source.ROUTINE_SUPERVISION,
                source_ref=f"复查（原问题已于{timezone.localdate(closed):%m月%d日}销号）",
                description=f"复查再次发现：{original.description}", severity=original.severity,
                category=original.category, district=original.district, point=original.point,
                unit=original.unit, team=original.team, rebound_of=original,
            )
            self.lifecycle(plan)
            result.append(plan)
        return result


# --- Photos -------------------------------------------------------------------------------------

SCENES = {  # sky, ground, the object in the picture
    "KP-MARKET": ((196, 214, 230), (170, 160, 140), (60, 140, 80)),
    "KP-OLDRES": ((200, 220, 240), (120, 150, 100), (70, 120, 70)),
    "KP-ALLEY": ((210, 210, 215), (150, 145, 140), (40, 110, 60)),
    "KP-VILLAGE": ((190, 215, 235), (140, 120, 90), (90, 130, 60)),
    "KP-SIX": ((225, 220, 210), (180, 170, 160), (200, 80, 60)),
    "KP-CATER": ((230, 225, 215), (200, 200, 195), (180, 60, 50)),
    "KP-TOILET": ((205, 225, 240), (190, 190, 185), (60, 100, 160)),
    "KP-SITE": ((215, 220, 225), (160, 140, 110), (60, 140, 90)),
}


def _after_photo(plan: Plan, at: datetime.datetime, rng: random.Random) -> SimpleUploadedFile:
    """A small JPEG of the rectified place: sky, ground, a clean bin or cage, and a caption bar
    (code and time, as phone camera apps stamp them; ASCII so no CJK font is needed)."""
    sky, ground, thing = SCENES.get(plan.category.code, ((200, 215, 230), (150, 150, 145), (60, 120, 80)))
    width, height = 320, 240  # at most the thumbnail size: storing it needs no resampling
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(90, 130)
    draw.rectangle((0, horizon, width, height), fill=ground)
    draw.rectangle((rng.randint(6, 40), horizon - 60, rng.randint(100, 150), horizon), fill=(185, 180, 170))
    left = rng.randint(160, 250)
    draw.rectangle((left, horizon - 14, left + 40, horizon + 42), fill=thing, outline=(30, 30, 30), width=2)
    draw.rectangle((left - 3, horizon - 21, left + 43, horizon - 14), fill=thing, outline=(30, 30, 30), width=2)
    draw.rectangle((0, height - 24, width, height), fill=(20, 20, 20))
    local = timezone.localtime(at)
    caption = f"{plan.problem.code}  {local:%Y-%m-%d %H:%M}  after"
    draw.text((8, height - 18), caption, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return SimpleUploadedFile(f"{plan.problem.code}-after.jpg", buffer.getvalue(), content_type="image/jpeg")


# --- Replaying the plan through the services -----------------------------------------------------


def _record(plan: Plan) -> Problem:
    if plan.rebound_of is not None:
        return services.problem_record_rebound(
            original=plan.rebound_of.problem, by=plan.by, description=plan.description, found_at=plan.found_at,
            source=plan.source, at=plan.found_at,
        )
    return services.problem_record(
        by=plan.by, category=plan.category, district=plan.district, sample_point=plan.point,
        description=plan.description, source=plan.source, source_ref=plan.source_ref, found_at=plan.found_at,
        severity=plan.severity, responsible_unit=plan.unit, team=plan.team,
    )


def _step(plan: Plan, at: datetime.datetime, kind: str, options: dict, rng: random.Random) -> int:
    """Take one step of a plan through its service; returns the number of photos stored."""
    problem = plan.problem
    if kind == "assign":
        plan.problem = services.problem_assign(problem=problem, unit=options["unit"], deadline=options["deadline"],
                                               by=options["by"], note=options.get("note", ""), at=at)
    elif kind == "acknowledge":
        plan.problem = services.problem_acknowledge(problem=problem, by=options["by"],
                                                    note=rng.choice(ACKNOWLEDGEMENTS), at=at)
    elif kind == "apply":
        photos: list[StoredPhoto] = [
            photo_store(_after_photo(plan, at, rng), problem_id=problem.pk) for _ in range(2 if rng.random() < 0.15 else 1)
        ]
        plan.problem = services.problem_apply_close(problem=problem, note=options["note"], photos=photos,
                                                    by=options["by"], at=at)
        return len(photos)
    elif kind == "verify":
        plan.problem = services.problem_verify(problem=problem, approved=options["approved"], note=options["note"],
                                               by=options["by"], at=at)
    elif kind == "invalidate":
        original = options.get("duplicate_of")
        reason = options["reason"]
        if original is not None:
            reason = f"{reason}（原问题{original.problem.code}）"
        plan.problem = services.problem_invalidate(problem=problem, reason=reason, by=options["by"], at=at,
                                                   duplicate_of=original.problem if original else None)
    return 0


def ledger_by_status() -> dict:
    """How many problems the whole ledger holds in each state, in workflow order."""
    counts = dict(Problem.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in Status.values}


def demo_ledger_build(*, today: datetime.date | None = None) -> DemoLedger:
    """Write twelve weeks of ledger history on the demo city, through the ledger services.

    Rule: idempotent — when the ledger holds any problem nothing is added. Needs the demo city
    (``demo_city_build``) and refuses nothing else; runs in one transaction (all or nothing).
    Photos are stored before their events, as uploads are.
    """
    if Problem.objects.exists():
        return DemoLedger(created=False, by_status=ledger_by_status(), problems=Problem.objects.count())
    now = timezone.now()
    today = today or timezone.localdate(now)
    if today < timezone.localdate(now):
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(18, 0)))
    points = list(
        SamplePoint.objects.filter(code__startswith="SP-D0", active=True)
        .select_related("category", "district", "responsible_unit", "team").order_by("code")
    )
    districts = {d.code: d for d in District.objects.filter(code__in=[r["code"] for r in city.DISTRICTS])}
    offices = {
        code: list(Unit.objects.filter(district=district, kind=UnitKind.STREET_OFFICE).order_by("name"))
        for code, district in districts.items()
    }
    units = {p.responsible_unit for p in points if p.responsible_unit} | {u for us in offices.values() for u in us}
    with transaction.atomic():
        people = build_people(list(units), districts)
        planner = _Planner(
            today=today, now=now, people=people, points=points,
            categories={c.code: c for c in Category.objects.filter(code__in=["STD3"])},
            districts=districts, offices=offices, street_team=Team.objects.filter(code="T01").first(),
        )
        plans = planner.originals()
        for plan in plans:
            planner.lifecycle(plan)
        plans += planner.duplicates(plans)
        plans += planner.rebounds(plans)
        photos = _replay(plans, now=now, rng=random.Random(SEED + 2), issuer=people.hq)
    return DemoLedger(created=True, by_status=ledger_by_status(), problems=Problem.objects.count(), photos=photos)


SHEET_MONDAY = -1  # queue entries of the weekly sheet issue, beside the problems' indexes


def _replay(plans: list[Plan], *, now: datetime.datetime, rng: random.Random, issuer: User) -> int:
    """Run every step whose time has come, in time order across all problems. Every Monday
    at 09:00 HQ issues each unit an assignment sheet of its problems assigned the week
    before, as the Monday meeting does."""
    queue = []
    for index, plan in enumerate(plans):
        if plan.found_at <= now:
            heapq.heappush(queue, (plan.found_at, index, -1))
    if queue:
        first = timezone.localdate(min(at for at, _i, _s in queue))
        monday = first + datetime.timedelta(days=7 - first.weekday())
        while (moment := _at(monday, 9 * 60)) <= now:
            heapq.heappush(queue, (moment, SHEET_MONDAY, 0))
            monday += datetime.timedelta(days=7)
    photos = 0
    while queue:
        at, index, step = heapq.heappop(queue)
        if index == SHEET_MONDAY:
            _issue_week_sheets(at=at, by=issuer)
            continue
        plan = plans[index]
        if step == -1:
            plan.problem = _record(plan)
        else:
            _at_, kind, options = plan.steps[step]
            photos += _step(plan, at, kind, options, rng)
        following = step + 1
        if following < len(plan.steps) and plan.steps[following][0] <= now:
            heapq.heappush(queue, (plan.steps[following][0], index, following))
    return photos


def _issue_week_sheets(*, at: datetime.datetime, by: User) -> None:
    """One sheet per unit listing its problems assigned in the seven days before ``at`` that
    are still assigned or in rectification and on no sheet yet."""
    fresh = (
        Problem.objects.filter(status__in=SHEETABLE, responsible_unit__isnull=False, deadline__isnull=False,
                               assigned_at__gte=at - datetime.timedelta(days=7), assigned_at__lt=at)
        .exclude(sheet_items__isnull=False)
        .order_by("responsible_unit_id", "id")
        .values_list("responsible_unit_id", "id")
    )
    by_unit: dict[int, list[int]] = {}
    for unit_id, problem_id in fresh:
        by_unit.setdefault(unit_id, []).append(problem_id)
    units = Unit.objects.in_bulk(list(by_unit))
    for unit_id, problem_ids in by_unit.items():
        assignment_sheet_issue(unit=units[unit_id], problems=problem_ids, by=by, at=at,
                               note="请按交办时限完成整改并上传整改后照片。")


def demo_ledger_step() -> DemoReport:
    """The demo ledger as a step of ``manage.py seed_demo`` (registered in apps.py)."""
    ledger = demo_ledger_build()
    states = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in ledger.by_status.items())
    if ledger.created:
        headline = (f"Demo ledger seeded in {{seconds:.1f}} s: {ledger.problems} problems over 12 weeks, "
                    f"{ledger.photos} after-photos.")
    else:
        headline = f"The ledger already holds {ledger.problems} problems: no demo problems added."
    return DemoReport(headline, wrote=ledger.created, details=(f"problems by state: {states}",))
