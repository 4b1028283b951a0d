"""The demo's model sites and sample-point build-out (``manage.py seed_demo``), written through
the services as HQ, the street office and the inspector would:

- build-out: in every district and category, the points spread over planned, being built,
  ready and checked, with dates over the last four months and planned completion dates, some
  of them past while the point is still being built (overdue);
- model sites: the best-scoring inspected point of a few categories in different districts,
  each with a reason and a small photo (drawn with Pillow); then the daily check runs, so a
  model whose recent scores fell is shown suspended to HQ.

Idempotent: when model sites or build-out records exist, nothing is added to them."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Avg, Count, Q
from django.utils import timezone
from PIL import Image, ImageDraw

from campaign.choices import Role
from campaign.demo_steps import DemoReport
from campaign.models import SamplePoint, User
from campaign.photos import photo_store
from inspections.choices import InspectionStatus

from ..models import BuildoutState, ModelSite, SamplePointBuildout
from ..services import sites as services

MODEL_SITES = 6
PER_LINE = 8  # points given a build-out record per district and category
REASONS = (
    "环境整洁有序，“门前三包”责任制落实到位，可作为全市同类场所的样板。",
    "设施完善，病媒生物防制措施规范，台账资料齐全，群众满意度高。",
    "经营秩序规范，卫生管理制度上墙，从业人员健康证齐全，整改长效机制健全。",
)


def _photo(text: str, colour) -> SimpleUploadedFile:
    """A small JPEG of the place (ASCII caption: no CJK font needed)."""
    image = Image.new("RGB", (480, 320), (200, 222, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 200, 480, 320), fill=(120, 170, 110))
    draw.rectangle((140, 90, 340, 220), fill=colour)
    draw.polygon([(130, 95), (240, 40), (350, 95)], fill=(160, 60, 50))
    draw.rectangle((0, 292, 480, 320), fill=(20, 20, 20))
    draw.text((8, 300), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=75)
    return SimpleUploadedFile(f"{text}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _buildout(hq, inspector, today) -> int:
    if SamplePointBuildout.objects.exists():
        return 0
    written = 0
    points = SamplePoint.objects.filter(active=True).order_by("district__code", "category__code", "code")
    lines: dict = {}
    for point in points:
        lines.setdefault((point.district_id, point.category_id), []).append(point)
    for index, line in enumerate(lines.values()):
        for n, point in enumerate(line[:PER_LINE]):
            step = (n + index) % 5  # 0 planned, 1 building (overdue), 2 building, 3 ready, 4 checked
            start = today - timedelta(days=120 - 7 * (n % 4))
            due = today + timedelta(days=30) if step in (0, 2) else today - timedelta(days=10 + n)
            services.buildout_plan(sample_point=point, planned_completion=due, by=hq, on=start)
            builder = hq
            if step >= 1:
                services.buildout_transition(sample_point=point, to_state=BuildoutState.BUILDING, by=builder,
                                             on=start + timedelta(days=14))
            if step >= 3:
                services.buildout_transition(sample_point=point, to_state=BuildoutState.READY, by=builder,
                                             on=start + timedelta(days=70), reason="施工完成，申请验收")
            if step >= 4:
                checker = inspector if inspector and services.allowed_moves(
                    inspector, point, BuildoutState.READY) else hq
                services.buildout_transition(sample_point=point, to_state=BuildoutState.CHECKED, by=checker,
                                             on=start + timedelta(days=85), reason="现场验收合格")
            written += 1
    return written


def _model_sites(hq) -> int:
    if ModelSite.objects.exists():
        return 0
    scored = (SamplePoint.objects.filter(active=True)
              .annotate(n=Count("inspections", filter=Q(inspections__status=InspectionStatus.SUBMITTED)),
                        average=Avg("inspections__score", filter=Q(inspections__status=InspectionStatus.SUBMITTED)))
              .select_related("district", "category").order_by("-average", "code"))
    inspected = [p for p in scored if p.n]
    candidates = inspected + list(SamplePoint.objects.filter(active=True).select_related("district", "category")
                                  .order_by("category__code", "district__code", "code"))
    chosen: list = []
    # The best point of each category, each in another district where possible (inspected ones
    # first, so most cards show a score).
    for distinct_district in (True, False):
        for point in candidates:
            if len(chosen) == MODEL_SITES - 1:
                break
            if any(p.pk == point.pk or p.category_id == point.category_id for p in chosen):
                continue
            if distinct_district and any(p.district_id == point.district_id for p in chosen):
                continue
            chosen.append(point)
    # And one that scored poorly lately: the daily check suspends it.
    low = next((p for p in reversed(inspected) if p not in chosen), None)
    if low is not None:
        chosen.append(low)
    colours = ((70, 130, 180), (200, 160, 60), (90, 150, 90), (170, 90, 140), (110, 110, 190), (180, 120, 80))
    for n, point in enumerate(chosen):
        photos = [photo_store(_photo(f"{point.code} model site", colours[n % len(colours)]),
                              folder=services.model_site_photo_folder(point.pk))]
        services.model_site_mark(sample_point=point, reason=REASONS[n % len(REASONS)], photos=photos, by=hq)
    return len(chosen)


def demo_sites_step() -> DemoReport:
    hq = User.objects.filter(username="hq").first()
    if hq is None:
        return DemoReport("Model sites: no HQ user in the demo city.", wrote=False)
    inspector = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username").first()
    today = timezone.localdate()
    points = _buildout(hq, inspector, today)
    sites = _model_sites(hq)
    swept = services.model_sites_sweep()
    if not points and not sites:
        return DemoReport("Model sites and build-out: already there.", wrote=False)
    return DemoReport(f"Model sites: {sites} marked ({swept.summary()}); build-out of {points} sample points.",
                      details=("Gallery: /programme/models/", "Build-out: /programme/buildout/"))
