"""A small standard to build the archive on: one edition in use, two parts, three articles and
their materials, given to the test city's units (campaign/tests/factories.py)."""

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment.demo.archive import tiny_docx, tiny_pdf, tiny_png, tiny_xlsx
from assessment.models import MaterialRequirement, StandardArticle, StandardEdition, StandardPart
from campaign.models import Team


class Standard:
    pass


def build_standard(city) -> Standard:
    std = Standard()
    std.other_team = Team.objects.create(code="T09", name="爱国卫生组", leader_name="陈副市长")
    std.edition = StandardEdition.objects.create(code="2021", name="国家卫生城市标准（2021版）", in_use=True)
    std.part1 = StandardPart.objects.create(edition=std.edition, number=1, title="爱国卫生组织管理",
                                            title_en="Organisation", team=std.other_team)
    std.part3 = StandardPart.objects.create(edition=std.edition, number=3, title="市容环境卫生",
                                            title_en="City appearance", category=city.standard, team=city.team)
    std.article11 = StandardArticle.objects.create(part=std.part1, number="1.1", order=1, title="组织机构")
    std.article12 = StandardArticle.objects.create(part=std.part1, number="1.2", order=2, title="")
    std.article31 = StandardArticle.objects.create(part=std.part3, number="3.1", order=1, title="环卫设施")
    today = timezone.localdate()
    std.committee = MaterialRequirement.objects.create(
        article=std.article11, code="1.1-01", order=1, title="爱卫会成员名单及职责",
        responsible_unit=city.office_a, due_date=today + dt.timedelta(days=30))
    std.plan = MaterialRequirement.objects.create(
        article=std.article11, code="1.1-02", order=2, title="年度工作计划和总结",
        responsible_unit=city.office_a, due_date=today - dt.timedelta(days=5))
    std.minutes = MaterialRequirement.objects.create(
        article=std.article12, code="1.2-01", order=1, title="会议纪要", responsible_unit=city.city_department,
        due_date=today - dt.timedelta(days=1))
    std.toilets = MaterialRequirement.objects.create(
        article=std.article31, code="3.1-01", order=1, title="公厕管理台账", responsible_unit=city.office_b,
        due_date=None)
    return std


def pdf(name="计划.pdf", text="plan") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(text), content_type="application/pdf")


def docx(name="名单.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_docx())


def xlsx(name="台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_xlsx())


def png(name="照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_png())


def zip_bomb_docx(name="报告.docx", megabytes=300) -> SimpleUploadedFile:
    """A Word-looking ZIP whose document unpacks to ``megabytes`` of zeros (a few hundred KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as target:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                target.write(block)
    return SimpleUploadedFile(name, out.getvalue())
