"""The demo's pairing (``manage.py seed_demo``): two communities under each street office of every
district (imported through the one community import path), and per district two pairs — the
district's first street office and a city department or enterprise — with tasks over the last
four months and the next, some done on time, some late, some overdue, and visits.

Recorded through the services (the unit's handler records its own tasks done and visits, HQ
the others). Idempotent: when pairs exist nothing is added."""

import random
from datetime import timedelta

from django.utils import timezone

from campaign.choices import Role, UnitKind
from campaign.demo_steps import DemoReport
from campaign.importing.communities import CommunityPlan, PlannedCommunity
from campaign.models import Community, District, Unit, User
from campaign.services.communities import communities_import

from ..choices import PairTaskKind
from ..models import Pair
from ..services.pairing import pair_create, pair_task_add, pair_task_complete, pair_visit_record

TASKS = (
    ("社区环境卫生大扫除", PairTaskKind.ACTIVITY, "组织志愿者清理楼道堆物、卫生死角"),
    ("健康知识进社区宣传", PairTaskKind.ACTIVITY, "发放健康素养宣传资料，设置宣传栏"),
    ("病媒生物防制入户指导", PairTaskKind.HEALTH_PROJECT, "协助开展灭鼠、灭蚊，清理积水容器"),
    ("老旧小区垃圾分类设施改造", PairTaskKind.HEALTH_PROJECT, "援助垃圾分类投放点建设"),
    ("农贸市场周边秩序整治", PairTaskKind.HEALTH_PROJECT, "配合整治占道经营、乱堆乱放"),
    ("控烟宣传与无烟单位创建", PairTaskKind.ACTIVITY, "张贴禁烟标识，开展控烟劝导"),
)
VISIT_WORK = ("走访社区，了解创卫工作难点", "与社区共同检查背街小巷卫生", "参加社区健康讲座",
              "检查帮扶项目进度，协调解决资金问题")


def _base(office_name: str) -> str:
    return office_name.replace("街道办事处", "").replace("办事处", "")


def demo_communities() -> int:
    """Two communities under each street office of each district (none when some exist)."""
    if Community.objects.exists():
        return 0
    hq = User.objects.get(username="hq")
    plan = CommunityPlan()
    row = 1
    for district in District.objects.order_by("code"):
        for office in Unit.objects.filter(district=district, kind=UnitKind.STREET_OFFICE).order_by("name"):
            for suffix in ("社区", "新村社区"):
                row += 1
                plan.communities.append(PlannedCommunity(row=row, name=_base(office.name) + suffix, district=district,
                                                         street_office=office.name))
    plan.rows = len(plan.communities)
    if not plan.communities:
        return 0
    return len(communities_import(actor=hq, plan=plan))


def demo_pairing_build() -> tuple[int, int, int, int]:
    """Returns (communities, pairs, tasks done, visits)."""
    communities = demo_communities()
    if Pair.objects.exists():
        return communities, 0, 0, 0
    hq = User.objects.get(username="hq")
    handlers = {user.unit_id: user for user in User.objects.filter(role=Role.UNIT_HANDLER, is_active=True)}
    rng = random.Random(20260)
    today = timezone.localdate()
    starts_on = today - timedelta(days=125)
    city_units = list(Unit.objects.filter(district__isnull=True).order_by("kind", "name"))
    pairs = done = visits = 0
    for index, district in enumerate(District.objects.order_by("code")):
        places = list(Community.objects.filter(district=district).order_by("street_office", "name"))
        offices = list(Unit.objects.filter(district=district, kind=UnitKind.STREET_OFFICE).order_by("name"))
        if len(places) < 2 or not offices:
            continue
        units = [offices[0]] + ([city_units[index % len(city_units)]] if city_units else [])
        # How diligent each pair is: the district's own office better than the city unit.
        for unit, community, diligence in zip(units, (places[0], places[-1]), (0.85, 0.55 - 0.05 * index),
                                              strict=False):
            pair = pair_create(actor=hq, unit=unit, community=community, starts_on=starts_on,
                               ends_on=today + timedelta(days=240), note="2026年度结对帮扶")
            pairs += 1
            worker = handlers.get(unit.pk, hq)
            for number, (title, kind, description) in enumerate(TASKS):
                due_on = starts_on + timedelta(days=20 + 25 * number)
                task = pair_task_add(actor=hq, pair=pair, title=title, kind=kind, due_on=due_on,
                                     description=description)
                if due_on > today or rng.random() > diligence:
                    continue  # still planned (overdue when past due)
                late = rng.random() < 0.2
                done_on = min(today, due_on + timedelta(days=rng.randint(1, 10) if late else -rng.randint(0, 6)))
                pair_task_complete(actor=worker, task=task, done_on=max(done_on, starts_on),
                                   note=f"{description}，已完成。")
                done += 1
            for _visit in range(rng.randint(2, 5)):
                pair_visit_record(actor=worker, pair=pair, visited_on=today - timedelta(days=rng.randint(0, 110)),
                                  visitors=f"{unit.name}创卫联络员等{rng.randint(2, 6)}人",
                                  work_done=rng.choice(VISIT_WORK))
                visits += 1
    return communities, pairs, done, visits


def demo_pairing_step() -> DemoReport:
    communities, pairs, done, visits = demo_pairing_build()
    if not (communities or pairs):
        return DemoReport("Pairing: already there.", wrote=False)
    return DemoReport(f"Pairing: {communities} communities, {pairs} pairs, {done} tasks done, {visits} visits.")
