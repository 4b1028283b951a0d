"""What the model sites' and build-out's tests share: photos, scored inspections, a marked site."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from campaign.photos import photo_store
from inspections.choices import InspectionKind, InspectionStatus
from inspections.models import Inspection
from inspections.tests.factories import market_checklist
from programme.services import sites as services


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MODEL_SITE_MIN_SCORE = 85
    settings.MODEL_SITE_RECENT_INSPECTIONS = 3
    settings.MODEL_SITE_RECENT_DAYS = 90


def jpeg(name="site.jpg", colour=(40, 120, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def stored(point):
    return photo_store(jpeg(), folder=services.model_site_photo_folder(point.pk))


def mark(city, point=None, reason="整洁有序"):
    point = point or city.points_a[0]
    return services.model_site_mark(sample_point=point, reason=reason, photos=[stored(point)], by=city.hq)


_versions = {}


def scored(city, point, score, *, days_ago=1):
    """A submitted inspection of ``point`` with ``score``, ``days_ago`` days ago."""
    version = market_checklist(city) if point.category_id == city.market.pk else None
    if version is None:
        from inspections import services as inspection_services
        version = inspection_services.checklist_revise(
            category=point.category, items=[{"code": "R01", "text_zh": "整洁", "text_en": "Clean", "points": 10}],
            by=city.hq)
    at = timezone.now() - timedelta(days=days_ago)
    return Inspection.objects.create(kind=InspectionKind.ROUTINE, sample_point=point, checklist_version=version,
                                     created_by=city.inspector, started_at=at, status=InspectionStatus.SUBMITTED,
                                     score=Decimal(str(score)), submitted_at=at)
