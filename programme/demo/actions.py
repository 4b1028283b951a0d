"""The demo's special actions (manage.py seed_demo, after the ledger): the public toilets
upgrade, the "five small" stores and the exposed soil, each with believable progress over the
last weeks, every step taken through the services by the people who would take it (the unit's
handler marks done with a photo, the lead team's lead or HQ verifies). Idempotent: an action
already there is left as it is."""

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campaign.choices import Role
from campaign.demo_steps import DemoReport
from campaign.models import District, SamplePoint, Team, Unit, User
from campaign.photos import photo_store

from ..choices import TargetStatus, TargetStep
from ..models import SpecialAction
from ..services import actions as services
from ..services.actions_plan import PlannedTarget

SEED = 20260612


def _photo(rng: random.Random, label: str):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (rng.randint(60, 200), rng.randint(100, 200), rng.randint(60, 160))).save(
        buffer, format="JPEG")
    return SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _person(role, **scope):
    return User.objects.filter(role=role, is_active=True, **scope).order_by("id").first()


def _toilets(today):
    points = list(SamplePoint.objects.filter(category__code="KP-TOILET", responsible_unit__isnull=False)
                  .select_related("district", "responsible_unit").order_by("code"))
    return [PlannedTarget(row=0, name=p.name, district=p.district, address=p.address, sample_point=p,
                          unit=p.responsible_unit, target_state="达到二类以上公厕标准：无异味、有洗手设施、有无障碍厕位",
                          deadline=today + timedelta(days=(-10 if i % 7 == 0 else 20 + i % 20)))
            for i, p in enumerate(points)]


def _five_small(today):
    points = list(SamplePoint.objects.filter(category__code="KP-SIX", responsible_unit__isnull=False)
                  .select_related("district", "responsible_unit").order_by("code")[:24])
    return [PlannedTarget(row=0, name=p.name, district=p.district, address=p.address, sample_point=p,
                          unit=p.responsible_unit, target_state="证照齐全、三防设施到位、从业人员持健康证、店外无乱堆放",
                          deadline=today + timedelta(days=(-5 if i % 6 == 0 else 15 + i % 30)))
            for i, p in enumerate(points)]


def _exposed_soil(today):
    planned = []
    for district in District.objects.order_by("code"):
        office = Unit.objects.filter(district=district).order_by("name").first()
        if office is None:
            continue
        for index, place in enumerate(("主干道绿化带", "拆迁空地", "河道堤岸")):
            planned.append(PlannedTarget(
                row=0, name=f"{district.name}{place}裸土", district=district, address=f"{district.name}{place}",
                unit=office, target_state="裸露黄土全部覆盖或绿化，无扬尘",
                deadline=today + timedelta(days=(-3 if index == 2 else 10 + 5 * index))))
    return planned


ACTIONS = (
    ("公共厕所提档升级", "Public toilets upgrade", "T01", 60, 45, _toilets,
     "对城区公共厕所逐座提档升级，达到二类以上标准。"),
    ("“五小”门店整治", "\"Five small\" stores renovation", "T02", 40, 60, _five_small,
     "小餐饮、小食品店、小旅馆、小美容美发店、小浴室逐店整治。"),
    ("黄土裸露治理", "Exposed soil", "T04", 45, 30, _exposed_soil,
     "裸露黄土限期覆盖、绿化，消除扬尘。"),
)


def demo_actions_step() -> DemoReport:
    hq = _person(Role.HQ_STAFF)
    if hq is None:
        return DemoReport("Special actions: no HQ person to create them.", wrote=False)
    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    lines, wrote = [], False
    for name, name_en, team_code, started_ago, left, build, description in ACTIONS:
        team = Team.objects.filter(code=team_code).first()
        if team is None or SpecialAction.objects.filter(name=name).exists():
            continue
        planned = build(today)
        if not planned:
            continue
        action = services.action_create(by=hq, name=name, name_en=name_en, team=team, description=description,
                                        starts_on=today - timedelta(days=started_ago), ends_on=today + timedelta(days=left))
        for target in planned:
            target.deadline = min(max(target.deadline, action.starts_on), action.ends_on)
        targets = services._create_targets(action=action, planned=planned, by=hq, at=now - timedelta(days=started_ago),
                                           note=lambda _p: "演示数据：专项行动对象清单")
        checker = _person(Role.TEAM_LEAD, team=team)
        counts = dict.fromkeys(TargetStatus.values, 0)
        for target in targets:
            handler = _person(Role.UNIT_HANDLER, unit=target.unit) or hq
            roll = rng.random()
            days = sorted(rng.sample(range(1, started_ago - 1), 3), reverse=True)
            if roll > 0.2:
                photo = photo_store(_photo(rng, "before"), folder=f"programme/actions/{target.pk}")
                target = services.target_step(target=target, step=TargetStep.START, by=handler, photos=[photo],
                                              note="已进场施工", at=now - timedelta(days=days[0]))
            if roll > 0.45:  # only a started object (it has its before-photo) is marked done
                photo = photo_store(_photo(rng, "after"), folder=f"programme/actions/{target.pk}")
                target = services.target_step(target=target, step=TargetStep.FINISH, by=handler, photos=[photo],
                                              note="已按目标状态完成", at=now - timedelta(days=days[1]))
            verifier = checker if checker is not None else (hq if handler != hq else None)
            if roll > 0.65 and verifier is not None:
                target = services.target_step(target=target, step=TargetStep.VERIFY, by=verifier,
                                              note="现场核查合格", at=now - timedelta(days=days[2]))
            counts[target.status] += 1
        wrote = True
        lines.append(f"{name}: {len(targets)} objects, " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if not wrote:
        return DemoReport("Special actions already there.", wrote=False)
    return DemoReport("Special actions seeded in {seconds:.1f} s.", details=tuple(lines))
