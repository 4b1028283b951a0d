"""The demo's readiness history (``manage.py seed_demo``): the assessors' draw sizes, the pass
line, and twelve weekly mock assessments over the whole demo city, drawn by inspections' draw
and inspected through inspections' services (failures reach the ledger through its services).

The places differ by category, as they do in a real city: markets, urban villages and building
sites fail often, the "six small" trades and catering seldom; some categories get better over the
weeks (their mock assessments found problems that were then fixed), one slips. So the readiness
page shows real differences between categories, a trend, and places that drag their category
down. Everything random comes from a fixed seed. Idempotent: nothing is added once a mock
assessment exists.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from campaign.demo_steps import DemoReport
from campaign.models import Category, User
from inspections import services as inspections
from inspections.choices import InspectionKind, Outcome
from ledger.choices import Severity

from ..models import DrawSize, MockAssessment, PassLine
from ..services.readiness import draw_size_set, mock_assessment_create, pass_line_set

SEED = 2021_11
WEEKS = 12

# The Fengxian unannounced visit's minimum counts (最小量: markets 45, back streets 60, old
# residential areas 150, small catering 40, sanitation facilities 90 …) scaled to the demo city's
# 172 places, about one place in nine of each category.
DRAW_SIZES = {"KP-MARKET": 4, "KP-SITE": 3, "KP-VILLAGE": 3, "KP-OLDRES": 5, "KP-ALLEY": 5, "KP-SIX": 5,
              "KP-CATER": 3, "KP-TOILET": 4}
DRAW_SOURCE = "演示：按奉贤区暗访点位清单“最小量”列按比例缩小"

# Category -> (share of its places in good order twelve weeks ago, today). A place in good order
# passes an inspection 19 times in 20; another one time in two (a failure is serious four times in five).
QUALITY = {
    "KP-SIX": (0.85, 0.95), "KP-CATER": (0.75, 0.9), "KP-TOILET": (0.6, 0.8), "KP-ALLEY": (0.55, 0.7),
    "KP-OLDRES": (0.5, 0.6), "KP-MARKET": (0.45, 0.55), "KP-SITE": (0.55, 0.4), "KP-VILLAGE": (0.3, 0.35),
}


@dataclass
class DemoReadiness:
    rounds: int = 0
    inspections: int = 0


def _moment(day: datetime.date, rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    minutes = rng.randint(9 * 60, 16 * 60 + 30)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minutes))
    return min(moment, now - datetime.timedelta(minutes=5))


def _inspect(round_point, *, by, at, good: bool, rng: random.Random) -> None:
    inspection = inspections.inspection_start(sample_point=round_point.sample_point, kind=InspectionKind.MOCK, by=by,
                                              round_point=round_point, started_at=at)
    items = list(inspection.checklist_version.items.all())
    failing = set()
    if rng.random() > (0.95 if good else 0.5):
        serious = [i for i in items if i.severity != Severity.GENERAL and not i.veto]
        general = [i for i in items if i.severity == Severity.GENERAL]
        pool = serious if (serious and (not general or rng.random() < 0.8)) else general
        failing = {rng.choice(pool).pk for _n in range(rng.choice((1, 1, 2)))}
        if general and rng.random() < 0.5:
            failing.add(rng.choice(general).pk)
    for item in items:
        inspections.inspection_record_result(inspection=inspection, item=item, by=by,
                                             outcome=Outcome.FAIL if item.pk in failing else Outcome.PASS,
                                             note="模拟测评发现" if item.pk in failing else "")
    ended = at + datetime.timedelta(minutes=rng.randint(15, 40))
    inspections.inspection_submit(inspection=inspection, by=by, ended_at=ended, at=ended)


def demo_readiness_build(*, today: datetime.date | None = None) -> DemoReadiness:
    """Draw sizes, the pass line and twelve past weekly mock assessments (see the module)."""
    result = DemoReadiness()
    if MockAssessment.objects.exists():
        return result
    hq = User.objects.get(username="hq")
    now = timezone.now()
    today = today or timezone.localdate(now)
    rng = random.Random(SEED)
    categories = {c.code: c for c in Category.objects.filter(code__in=DRAW_SIZES, checklist__isnull=False)}
    if not categories:
        return result
    with transaction.atomic():
        if not DrawSize.objects.exists():
            for code, size in DRAW_SIZES.items():
                if code in categories:
                    draw_size_set(by=hq, category=categories[code], size=size, source=DRAW_SOURCE)
        if not PassLine.objects.exists():
            pass_line_set(by=hq, rule="share", min_share=80, min_average=85, window_days=180, half_life_days=42,
                          reason="演示：默认合格线（抽中点位八成无否决项、无严重问题）")
        quality: dict[int, float] = {}  # place -> its rank among its category (0 best .. 1 worst)
        monday = today - datetime.timedelta(days=today.weekday())
        for week in range(WEEKS, 0, -1):
            starts_on = monday - datetime.timedelta(weeks=week)
            mock = mock_assessment_create(by=hq, starts_on=starts_on, name=f"模拟测评 {starts_on:%m-%d}",
                                          seed=SEED + week, categories=list(categories.values()))
            result.rounds += 1
            progress = (WEEKS - week) / (WEEKS - 1)
            for round_point in mock.round.points.select_related("sample_point__category").order_by("pk"):
                point = round_point.sample_point
                rank = quality.setdefault(point.pk, rng.random())
                before, after = QUALITY.get(point.category.code, (0.6, 0.6))
                good = rank < before + (after - before) * progress
                day = starts_on + datetime.timedelta(days=rng.randrange(5))
                _inspect(round_point, by=hq, at=_moment(day, rng, now), good=good, rng=rng)
                result.inspections += 1
    return result


def demo_readiness_step() -> DemoReport:
    demo = demo_readiness_build()
    if not demo.rounds:
        return DemoReport("Readiness: mock assessments exist (or no checklists): nothing added.", wrote=False)
    return DemoReport(f"Readiness seeded in {{seconds:.1f}} s: {demo.rounds} weekly mock assessments, "
                      f"{demo.inspections} inspections.")
