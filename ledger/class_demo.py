"""The demo's problem classes (a step of ``manage.py seed_demo`` after the demo ledger):

- DEMO-C01 "活禽交易宰杀": the market's live-poultry findings put in a class, its cause and
  measure set, the unit's closing applied with a photo and verified by HQ; its page shows fewer
  problems of the class found in the weeks after the verification than before;
- DEMO-C02 "容器积水孑孓阳性": measure set, the closing applied and rejected with a reason, so
  the measure is still under way (the unit's task home lists it, the unit was told).

Everything goes through the ledger's services. Idempotent: nothing is added when DEMO-C01
exists or the ledger holds no problems.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from campaign.choices import Role
from campaign.demo_steps import DemoReport
from campaign.models import User

from . import class_services, services
from .class_selectors import DEFAULT_WEEKS, class_before_after
from .models import Problem, ProblemClass
from .photos import class_photo_store

WEEKS = DEFAULT_WEEKS


def _photo(code: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), (70, 130, 90))
    ImageDraw.Draw(image).text((20, 20), f"{code} measure done", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(f"{code}-measure.jpg", buffer.getvalue(), content_type="image/jpeg")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _verification_day(days: list[datetime.date], today: datetime.date) -> datetime.date:
    """The day, between WEEKS and 8 weeks ago, after which the class's findings fell the most
    over ``WEEKS`` weeks (the demo's history is generated; the day is chosen to show a drop)."""
    best, best_drop = today - datetime.timedelta(weeks=WEEKS), None
    for back in range(7 * WEEKS, 57):
        day = today - datetime.timedelta(days=back)
        before = sum(day - datetime.timedelta(weeks=WEEKS) <= d < day for d in days)
        after = sum(day <= d < day + datetime.timedelta(weeks=WEEKS) for d in days)
        drop = before - after
        if before and (best_drop is None or drop > best_drop):
            best, best_drop = day, drop
    return best


def _handler(unit) -> User | None:
    return User.objects.filter(role=Role.UNIT_HANDLER, unit=unit, is_active=True).order_by("pk").first()


def demo_classes_build(*, today: datetime.date | None = None) -> list[ProblemClass]:
    if ProblemClass.objects.filter(code="DEMO-C01").exists() or not Problem.objects.exists():
        return []
    today = today or timezone.localdate()
    hq = User.objects.filter(role=Role.HQ_STAFF, is_active=True).order_by("pk").first()
    if hq is None:
        return []
    made = []
    with transaction.atomic():
        poultry = list(Problem.objects.filter(description__contains="活禽").select_related("category", "responsible_unit")
                       .order_by("found_at"))
        larvae = list(Problem.objects.filter(description__contains="孑孓").select_related("category", "responsible_unit")
                      .order_by("found_at"))
        if poultry:
            days = [timezone.localdate(p.found_at) for p in poultry]
            verified_on = _verification_day(days, today)
            opened = _at(verified_on - datetime.timedelta(days=35), 10)
            item = services.problem_class_create(
                code="DEMO-C01", name="活禽交易宰杀", category=poultry[0].category, by=hq, at=opened,
                description="农贸市场活禽交易、现场宰杀屡查屡现。")
            for problem in poultry:
                services.problem_classify(problem=problem, problem_class=item, by=hq)
            unit = next((p.responsible_unit for p in poultry if p.responsible_unit_id and _handler(p.responsible_unit)),
                        None)
            if unit is not None:
                class_services.class_measure_set(
                    problem_class=item, cause="市场未设置独立的活禽交易区，摊主在通道内宰杀。",
                    measure="划定封闭式活禽交易区并配置集中宰杀间；取缔通道内宰杀摊位；市场管理方每日巡查。",
                    unit=unit, deadline=verified_on, by=hq, at=opened + datetime.timedelta(days=2))
                handler = _handler(unit)
                photo = class_photo_store(_photo(item.code), class_id=item.pk)
                class_services.class_apply_close(
                    problem_class=item, note="活禽交易区已封闭改造，集中宰杀间投入使用，通道摊位全部清退。",
                    photos=[photo], by=handler, at=_at(verified_on - datetime.timedelta(days=2), 15))
                class_services.class_verify(problem_class=item, note="现场核实：封闭交易区运行正常。", by=hq,
                                            at=_at(verified_on, 10))
            made.append(item)
        if larvae:
            opened = _at(today - datetime.timedelta(days=20), 9)
            item = services.problem_class_create(
                code="DEMO-C02", name="容器积水孑孓阳性", category=larvae[0].category, by=hq, at=opened,
                description="老旧小区、城中村废旧容器积水，蚊幼孳生。")
            for problem in larvae:
                services.problem_classify(problem=problem, problem_class=item, by=hq)
            unit = next((p.responsible_unit for p in larvae if p.responsible_unit_id and _handler(p.responsible_unit)),
                        None)
            if unit is not None:
                class_services.class_measure_set(
                    problem_class=item, cause="居民房前屋后废旧容器无人清理，雨后积水。",
                    measure="开展“翻盆倒罐”专项清理，每周一次；社区网格员巡查登记积水点。",
                    unit=unit, deadline=today + datetime.timedelta(days=21), by=hq,
                    at=opened + datetime.timedelta(days=1))
                handler = _handler(unit)
                photo = class_photo_store(_photo(item.code), class_id=item.pk)
                class_services.class_apply_close(problem_class=item, note="已清理辖区废旧容器。", photos=[photo],
                                                 by=handler, at=_at(today - datetime.timedelta(days=6), 16))
                class_services.class_reject(problem_class=item, reason="复查仍见水缸积水孑孓阳性，清理不彻底。",
                                            by=hq, at=_at(today - datetime.timedelta(days=4), 11))
            made.append(item)
    return made


def demo_classes_step() -> DemoReport:
    made = demo_classes_build()
    if not made:
        return DemoReport("Problem classes: nothing added (already there, or no ledger).", wrote=False)
    details = []
    for item in made:
        result = class_before_after(item, Problem.objects.all(), weeks=WEEKS)
        line = f"{item.code} {item.get_status_display()}: {item.problems.count()} problems"
        if result is not None:
            line += f", {result.before_total} in the {WEEKS} weeks before its verification, {result.after_total} after"
        details.append(line)
    return DemoReport(f"{len(made)} problem classes seeded.", details=tuple(details))
