"""Public categories and reports built through the app's services."""

import uuid
from decimal import Decimal

from public_reports import services
from public_reports.models import PublicCategory


def public_category(city, *, code="garbage", name="垃圾乱堆", keywords="垃圾\n垃圾桶", category=None):
    return PublicCategory.objects.get_or_create(
        code=code, defaults={"name": name, "name_en": code, "keywords": keywords,
                             "category": category or city.points_a[0].category})[0]


def report(city, *, district=None, mobile="13800138000", photos=(), **extra):
    """A web report placed in ``district`` (default A) with consent and a mobile number."""
    submitted = services.public_report_submit(
        public_category=extra.pop("public_category", None) or public_category(city),
        description=extra.pop("description", "小区门口垃圾堆放三天无人清运"),
        latitude=extra.pop("latitude", Decimal("31.230000")), longitude=extra.pop("longitude", Decimal("121.470000")),
        address=extra.pop("address", "人民路12号"), reporter_name=extra.pop("reporter_name", "李女士"),
        reporter_mobile=mobile, consent=True, photos=list(photos),
        idempotency_key=extra.pop("idempotency_key", uuid.uuid4().hex),
        district=district or city.district_a, **extra)
    return submitted.report
