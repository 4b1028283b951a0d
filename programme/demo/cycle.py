"""The demo city's supervision cycle, a step of ``manage.py seed_demo`` (registered in apps.py):
a two-weekly routine supervision plan of the demo district with its past rounds (inspected, as
the inspector would have), a quarterly appraisal plan of the whole city, and one cross-inspection
round (互查) staffed by a rotation among one inspector per district."""

import datetime as dt
import random
import secrets

from django.db import transaction
from django.utils import timezone

from campaign.choices import Role
from campaign.demo import DEMO_DISTRICT
from campaign.demo_steps import DemoReport
from campaign.models import Category, District, User
from campaign.services.people import person_create
from inspections import services as inspections
from inspections.choices import InspectionKind, Outcome

from ..choices import Recurrence, RoundPlanKind
from ..models import RoundPlan
from ..services import cycle

SEED = 20260312
ROUTINE_NAME = "两周例行督查（东湖区）"
APPRAISAL_NAME = "季度考核"
CROSS_NAME = "区县互查"
ROUTINE_QUOTAS = {"KP-MARKET": 2, "KP-SIX": 2, "KP-ALLEY": 1, "KP-TOILET": 1}
APPRAISAL_QUOTAS = {"KP-MARKET": 3, "KP-SITE": 2, "KP-OLDRES": 2, "KP-SIX": 3, "KP-TOILET": 2}
CROSS_QUOTAS = {"KP-MARKET": 5, "KP-SIX": 5, "KP-TOILET": 5}
PAST_PERIODS = 5  # two-weekly periods before the current one


def _quotas(wanted: dict) -> dict:
    categories = {c.code: c for c in Category.objects.filter(code__in=wanted, checklist__isnull=False)}
    return {categories[code]: n for code, n in wanted.items() if code in categories}


def _district_inspectors(hq: User) -> list[User]:
    """One inspector per district besides the demo inspector's, for the cross-inspection's rotation
    (they sign in only after HQ sets their password on the People page)."""
    made = []
    for district in District.objects.exclude(code=DEMO_DISTRICT).order_by("code"):
        username = f"inspector-{district.code.lower()}"
        person = User.objects.filter(username=username).first() or person_create(by=hq, data={
            "username": username, "role": Role.INSPECTOR, "district": district,
            "full_name": f"{district.name}督查员", "post": f"{district.name}创卫办督查员",
            "password": secrets.token_urlsafe(24)})
        made.append(person)
    return made


def _inspect_round(inspection_round, *, rng: random.Random, now: dt.datetime) -> int:
    """The round's points inspected on working days of its period, as its inspectors would have;
    most items pass. Returns how many were submitted."""
    done = 0
    for point in inspection_round.points.select_related("sample_point", "inspector").order_by("pk"):
        day = inspection_round.starts_on + dt.timedelta(days=rng.randrange(10))
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60))))
        if at >= now:
            continue
        inspection = inspections.inspection_start(sample_point=point.sample_point, kind=inspection_round.kind,
                                                  by=point.inspector, round_point=point, started_at=at)
        for item in inspection.checklist_version.items.all():
            failed = not item.veto and rng.random() < 0.12
            inspections.inspection_record_result(inspection=inspection, item=item, by=point.inspector,
                                                 outcome=Outcome.FAIL if failed else Outcome.PASS,
                                                 note="督查发现" if failed else "")
        ended = min(at + dt.timedelta(minutes=rng.randint(15, 40)), now - dt.timedelta(seconds=1))
        inspections.inspection_submit(inspection=inspection, by=point.inspector, ended_at=ended, at=ended)
        done += 1
    return done


def demo_cycle_step() -> DemoReport:
    """Idempotent: nothing is added while the demo's routine plan exists."""
    if RoundPlan.objects.filter(name=ROUTINE_NAME).exists():
        return DemoReport("The supervision cycle's demo plans exist already: nothing added.", wrote=False)
    hq = User.objects.get(username="hq")
    inspector = User.objects.get(username="inspector")
    now = timezone.now()
    today = timezone.localdate(now)
    monday = today - dt.timedelta(days=today.weekday())
    rng = random.Random(SEED)
    with transaction.atomic():
        district = District.objects.get(code=DEMO_DISTRICT)
        routine = cycle.round_plan_create(
            by=hq, name=ROUTINE_NAME, kind=RoundPlanKind.ROUTINE, recurrence=Recurrence.WEEKS, every_weeks=2,
            anchor=monday - dt.timedelta(weeks=2 * PAST_PERIODS), district=district,
            quotas=_quotas(ROUTINE_QUOTAS), inspectors=[inspector], exclude_inspected_days=14)
        inspected = 0
        for period in range(PAST_PERIODS + 1):
            start = routine.anchor + dt.timedelta(weeks=2 * period)
            made = cycle.plan_round_make(plan=routine, day=start)
            if made is not None and period < PAST_PERIODS:
                inspected += _inspect_round(made.round, rng=rng, now=now)
        others = _district_inspectors(hq)
        appraisal = cycle.round_plan_create(
            by=hq, name=APPRAISAL_NAME, kind=RoundPlanKind.APPRAISAL, recurrence=Recurrence.QUARTERLY,
            anchor=today, quotas=_quotas(APPRAISAL_QUOTAS), inspectors=[inspector, *others])
        cycle.plan_round_make(plan=appraisal, day=today)
        cross = cycle.cross_round_create(
            name=f"{CROSS_NAME} {monday:%Y-%m-%d}", kind=InspectionKind.ROUTINE, starts_on=monday,
            ends_on=monday + dt.timedelta(days=13), quotas=_quotas(CROSS_QUOTAS), by=hq, seed=SEED)
    return DemoReport(
        f"Supervision cycle: plan “{routine.name}” with {routine.plan_rounds.count()} rounds ({inspected} "
        f"points inspected), quarterly “{appraisal.name}”, cross-inspection round “{cross.name}” of "
        f"{cross.points.count()} points among {1 + len(others)} districts.")
