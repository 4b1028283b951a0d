"""The demo's archive (manage.py seed_demo, after the standard's step): for the edition in use,
some materials accepted, some returned with a comment, some answered with a new version and
awaiting review, some only submitted, some missing (and so, past their due date, overdue). The
files are small but real: a PDF, a Word file, an Excel workbook, a PNG, each made here."""

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaign.choices import Role
from campaign.demo_steps import DemoReport
from campaign.models import User

ACCEPTED_SHARE = [0.9, 0.75, 0.6, 0.55, 0.45, 0.4, 0.3, 0.2]
LATER = ["returned", "missing", "submitted", "answered"]
RETURN_COMMENTS = [
    "缺少主要负责人签字和单位盖章，请补充后重新上传。",
    "会议纪要缺少参会人员名单，请补齐。",
    "计划年份有误（应为本年度），请修改。",
]


def tiny_pdf(text: str = "Health City archive") -> bytes:
    """A minimal valid one-page PDF (hand-written objects and cross-reference table)."""
    safe = "".join(ch for ch in text if 32 <= ord(ch) < 127).replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 760 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def tiny_docx(text: str = "健康城市档案") -> bytes:
    """A minimal valid Word document: the three parts Word needs."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'))
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        archive.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:body><w:p><w:r><w:t>{escaped}</w:t></w:r></w:p></w:body></w:document>'))
    return out.getvalue()


def tiny_xlsx(rows=(("项目", "数量"), ("会议", 4))) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (40, 120, 80)).save(out, format="PNG")
    return out.getvalue()


def demo_file(requirement, index: int) -> SimpleUploadedFile:
    title = requirement.title or requirement.code
    kind = index % 4
    if kind == 0:
        return SimpleUploadedFile(f"{title}.pdf", tiny_pdf(f"{requirement.code} archive material"))
    if kind == 1:
        return SimpleUploadedFile(f"{title}.docx", tiny_docx(f"{requirement.code} {title}"))
    if kind == 2:
        return SimpleUploadedFile(f"{title}.xlsx", tiny_xlsx())
    return SimpleUploadedFile(f"{title}.png", tiny_png())


def _uploader(requirement, hq):
    handler = User.objects.filter(role=Role.UNIT_HANDLER, unit_id=requirement.responsible_unit_id,
                                  is_active=True).order_by("pk").first()
    return handler or hq


def demo_archive_step() -> DemoReport:
    from ..models import MaterialRequirement, MaterialState
    from ..selectors.archive import edition_current, index_rows
    from ..services.archive import material_file_submit, material_review

    edition = edition_current()
    hq = User.objects.filter(role=Role.HQ_STAFF, is_active=True).order_by("pk").first()
    if edition is None or hq is None:
        return DemoReport("Archive: no edition of the standard in use (or no HQ staff): nothing to add.",
                          wrote=False)
    requirements = list(index_rows(MaterialRequirement.objects.filter(
        article__part__edition=edition, active=True, article__active=True)))
    if MaterialState.objects.filter(requirement__in=[r.pk for r in requirements]).exists():
        return DemoReport("Archive: already there.", wrote=False)
    now = timezone.now()
    counts = {"accepted": 0, "returned": 0, "answered": 0, "submitted": 0, "missing": 0}
    by_part: dict[int, list] = {}
    for requirement in requirements:
        by_part.setdefault(requirement.article.part.number, []).append(requirement)
    index = 0
    for number, materials in sorted(by_part.items()):
        # Parts differ, as they do in a real campaign: the first parts nearly complete, the last behind.
        share = ACCEPTED_SHARE[(number - 1) % len(ACCEPTED_SHARE)]
        for position, requirement in enumerate(materials):
            index += 1
            plan = "accepted" if position < round(share * len(materials)) else LATER[position % len(LATER)]
            if plan == "missing":
                counts["missing"] += 1
                continue
            start = now - dt.timedelta(days=60 - (index % 40), hours=index % 7)
            uploader = _uploader(requirement, hq)
            first = material_file_submit(requirement=requirement, upload=demo_file(requirement, index), by=uploader,
                                         at=start)
            if plan == "accepted":
                material_review(requirement=requirement, file=first, accept=True, by=hq,
                                at=start + dt.timedelta(days=2))
            elif plan in ("returned", "answered"):
                material_review(requirement=requirement, file=first, accept=False, by=hq,
                                comment=RETURN_COMMENTS[index % len(RETURN_COMMENTS)], at=start + dt.timedelta(days=2))
                if plan == "answered":
                    material_file_submit(requirement=requirement, upload=demo_file(requirement, index + 1),
                                         by=uploader, note="已按意见修改。", at=start + dt.timedelta(days=5))
            counts[plan] += 1
    return DemoReport(
        f"Archive: {len(requirements)} materials",
        details=(f"{counts['accepted']} accepted, {counts['returned']} returned, {counts['answered']} answered with "
                 f"a new version, {counts['submitted']} awaiting review, {counts['missing']} missing",),
    )
