"""The public channel in the demo city, a step of ``manage.py seed_demo`` (registered in apps.py).

The default public categories and reward rules, the real citizen messages (realdata, when the
folder is beside the checkout) as imported history in the moderation queue, and a handful of
web reports placed in the demo district in every state a report passes through: received,
accepted into the ledger, merged, rejected, closed with a reward pending, and one paid. Every
write goes through the services; run again, the step adds nothing (idempotency keys, the
import's references).
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from campaign import demo as city
from campaign.choices import Role
from campaign.demo_steps import DemoReport
from campaign.geo import city_bounds
from campaign.models import District, Unit, User
from campaign.photos import photo_store
from ledger import services as ledger_services
from ledger.choices import Severity

from . import services
from .choices import RejectReason, RewardStatus
from .defaults import public_categories_seed, reward_defaults_seed
from .importing import DEFAULT_DIR, MESSAGES_FILE, citizen_messages_import
from .models import PublicCategory, PublicReport, Reward


@dataclass(frozen=True)
class WebReport:
    key: str
    category: str
    description: str
    address: str
    north_m: int  # from the demo district's centre
    east_m: int
    name: str
    mobile: str
    fate: str  # received | accepted | merged | rejected | closed | paid
    severity: str = Severity.GENERAL


# Numbers in the 138-0000 block nobody is given; names as residents leave them.
WEB_REPORTS = (
    WebReport("demo-web-1", "garbage", "东风路菜场后门垃圾堆了三天没人清运，气味很大。", "东风路88号菜场后门",
              120, -80, "张女士", "13800000001", "received"),
    WebReport("demo-web-2", "ads", "人民路公交站台柱子上贴满了办证小广告。", "人民路公交站",
              -60, 150, "", "", "received"),
    WebReport("demo-web-3", "sewage", "湖滨小区3栋门前下水道堵塞，污水漫到人行道上。", "湖滨小区3栋",
              -200, -40, "陈先生", "13800000003", "accepted", Severity.SERIOUS),
    WebReport("demo-web-4", "sewage", "湖滨小区门口路面一直有污水，走路都要绕开。", "湖滨小区大门",
              -190, -30, "刘阿姨", "13800000004", "merged"),
    WebReport("demo-web-5", "other", "我家楼上装修太吵了。", "东风街道某小区",
              40, 40, "", "13800000005", "rejected"),
    WebReport("demo-web-6", "street_vending", "东湖路夜宵摊占用整条人行道，桌椅摆到马路上。", "东湖路夜市口",
              260, 90, "王先生", "13800000006", "closed"),
    WebReport("demo-web-7", "toilet", "东湖公园北门公厕没有水，地面很脏。", "东湖公园北门公厕",
              300, -220, "李女士", "13800000007", "paid", Severity.SERIOUS),
)
METRES_PER_DEGREE = Decimal("111000")


def _photo(text: str, colour) -> SimpleUploadedFile:
    """A small JPEG of the scene (ASCII caption: no CJK font needed)."""
    image = Image.new("RGB", (320, 240), (205, 215, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 120, 320, 240), fill=(150, 145, 140))
    draw.ellipse((110, 100, 210, 180), fill=colour)
    draw.rectangle((0, 216, 320, 240), fill=(20, 20, 20))
    draw.text((8, 222), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return SimpleUploadedFile(f"{text}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _place(district_code: str, row: WebReport) -> tuple[Decimal, Decimal]:
    offset = next(d["offset"] for d in city.DISTRICTS if d["code"] == district_code)
    lat = city.CITY_CENTRE[0] + offset[0] + Decimal(row.north_m) / METRES_PER_DEGREE
    lon = city.CITY_CENTRE[1] + offset[1] + Decimal(row.east_m) / METRES_PER_DEGREE
    bounds = city_bounds()
    if bounds is not None and not (bounds.south <= lat <= bounds.north and bounds.west <= lon <= bounds.east):
        # Uploaded boundaries elsewhere: the middle of the city's box instead.
        lat = Decimal(str((bounds.south + bounds.north) / 2))
        lon = Decimal(str((bounds.west + bounds.east) / 2))
    return lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))


def _close(problem, *, unit: Unit, hq: User, handler: User, label: str):
    problem = ledger_services.problem_assign(problem=problem, unit=unit, by=hq)
    problem = ledger_services.problem_acknowledge(problem=problem, by=handler, note="收到，马上处理")
    after = photo_store(_photo(f"{label} after", (60, 140, 80)), folder=f"ledger/photos/{problem.pk}")
    problem = ledger_services.problem_apply_close(problem=problem, note="已清理整改完毕", photos=[after], by=handler)
    return ledger_services.problem_verify(problem=problem, approved=True, note="现场核实，整改到位", by=hq)


def _web_reports(*, hq: User, handler: User, unit: Unit, district: District) -> int:
    categories = {c.code: c for c in PublicCategory.objects.all()}
    made: dict[str, PublicReport] = {}
    created = 0
    for row in WEB_REPORTS:
        existing = PublicReport.objects.filter(idempotency_key=row.key).first()
        if existing is not None:
            made[row.key] = existing
            continue
        lat, lon = _place(district.code, row)
        photo = photo_store(_photo(row.key, (120, 90, 60)), folder="public_reports/photos/demo")
        submitted = services.public_report_submit(
            public_category=categories.get(row.category) or categories.get("other"), description=row.description,
            latitude=lat, longitude=lon, location_accuracy_m=15, address=row.address, reporter_name=row.name,
            reporter_mobile=row.mobile, consent=True, photos=[photo], idempotency_key=row.key, district=district)
        report = made[row.key] = submitted.report
        if not submitted.created:
            continue
        created += 1
        if row.fate == "received":
            continue
        if row.fate == "merged":
            services.public_report_merge(report=report, by=hq, into_report=made["demo-web-3"],
                                         note="同一处污水，已在处理")
        elif row.fate == "rejected":
            services.public_report_reject(report=report, by=hq, reason=RejectReason.NOT_OUR_REMIT,
                                          note="装修噪音请向物业或派出所反映")
        else:
            report = services.public_report_accept(report=report, by=hq, severity=row.severity,
                                                   note="已交办责任单位")
            if row.fate in ("closed", "paid"):
                _close(report.problem, unit=unit, hq=hq, handler=handler, label=row.key)
    services.rewards_create_due()
    paid = Reward.objects.filter(report__idempotency_key="demo-web-7", status=RewardStatus.PENDING).first()
    if paid is not None:
        paid = services.reward_approve(reward=paid, by=hq)
        services.reward_pay(reward=paid, by=hq, payment_reference=f"CW-{timezone.localdate():%Y%m}-0001")
    return created


def demo_defaults_step() -> DemoReport:
    """Only the defaults (``seed_demo --without-ledger``): the public list and reward rules."""
    categories = public_categories_seed()
    rules, policy = reward_defaults_seed()
    return DemoReport(f"Public categories ({len(categories)}) and reward rules ({len(rules)}, cap "
                      f"{policy.monthly_cap}) in place.", wrote=bool(categories))


def demo_public_reports_step() -> DemoReport:
    defaults = demo_defaults_step()
    details = [defaults.headline]
    if (DEFAULT_DIR / MESSAGES_FILE).is_file():
        plan, imported = citizen_messages_import(DEFAULT_DIR)
        if plan.errors:
            details.append(f"citizen messages not imported: {len(plan.errors)} errors (manage.py import_citizen_messages)")
        else:
            details.append(f"citizen messages: {imported} imported of {len(plan.messages)}, "
                           f"a category suggested for {plan.with_category}")
    else:
        imported = 0
        details.append(f"no citizen messages: {DEFAULT_DIR} is absent")
    hq = (User.objects.filter(username="hq", is_active=True).first()
          or User.objects.filter(role=Role.HQ_STAFF, is_active=True).order_by("pk").first())
    handler = User.objects.filter(username="unit", is_active=True).select_related("unit").first()
    district = District.objects.filter(code=city.DEMO_DISTRICT).first()
    web = 0
    if hq and handler and handler.unit and district:
        web = _web_reports(hq=hq, handler=handler, unit=handler.unit, district=district)
        details.append(f"web reports: {web} added in {district.name}")
    rewards = Reward.objects.count()
    return DemoReport(f"Public reports seeded in {{seconds:.1f}} s: {imported} imported messages, {web} web "
                      f"reports, {rewards} rewards.", wrote=bool(imported or web), details=tuple(details))
