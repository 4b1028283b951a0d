"""Builders for the special actions' tests, on the small city of campaign/tests/factories.py."""

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook
from PIL import Image

from programme.services import actions as services
from programme.services.actions_plan import PlannedTarget

HEADERS = ["名称 Name", "区县 District", "地址 Address", "样本点 Sample point", "目标状态 Target state",
           "责任单位 Responsible unit", "完成时限 Deadline"]


def workbook_bytes(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_action(city, *, name="公共厕所提档升级", starts_on=None, ends_on=None, units=()):
    today = timezone.localdate()
    return services.action_create(by=city.hq, name=name, name_en="Public toilets upgrade", team=city.team,
                                  starts_on=starts_on or today - timedelta(days=30),
                                  ends_on=ends_on or today + timedelta(days=60), units=units)


def add_target(city, action, *, name="甲区人民公园公厕", district=None, unit=None, deadline: date | None = None):
    planned = PlannedTarget(row=0, name=name, district=district or city.district_a, target_state="二类以上",
                            unit=unit or city.office_a, deadline=deadline or action.ends_on)
    (target,) = services._create_targets(action=action, planned=[planned], by=city.hq, at=timezone.now(),
                                         note=lambda _p: "test")
    return target


def start(target, by, *, at=None):
    """Start ``target`` as ``by`` with its before-photo (a started object is what may be marked done)."""
    from campaign.photos import photo_store
    from programme.choices import TargetStep

    photo = photo_store(photo_upload("before.jpg"), folder=f"programme/actions/{target.pk}")
    return services.target_step(target=target, step=TargetStep.START, by=by, photos=[photo], at=at)


def photo_upload(name="after.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 140, 70)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
