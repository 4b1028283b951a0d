"""What a unit may upload to the materials archive, checked by content, never by name alone.

Accepted: PDF, Word (.docx, and the old .doc), Excel (.xlsx, and the old .xls), JPEG and PNG.
The first bytes say what a file is (PDF ``%PDF-``, JPEG ``FF D8 FF``, PNG's signature, the old
Office compound file ``D0 CF 11 E0``, a ZIP for Word and Excel); the name's extension must agree
with it. A .docx/.xlsx is a ZIP: it is opened (without unpacking anything) and must hold the
parts its type needs (``[Content_Types].xml`` and ``word/document.xml`` or ``xl/workbook.xml``),
no more than ARCHIVE_MAX_MEMBERS members, ARCHIVE_MAX_UNPACKED_MB once unpacked and no member
compressed more than ARCHIVE_MAX_RATIO times: a ZIP bomb named report.docx is refused. Empty
files and files over ARCHIVE_MAX_MB are refused. Every refusal is a ``MaterialFileError`` whose
message names the file and says why; nothing is stored then.

A file that passes is stored in the default storage under ``archive/<requirement>/`` with a
random name (a JPEG or PNG without its metadata: no GPS position, device or time taken) (as the ledger's photos); its original name is kept on its row and given back only
through the scoped download view."""

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from campaign.photos import PhotoError, strip_metadata

CHUNK = 1024 * 1024


class MaterialFileError(ValueError):
    """An upload the archive refuses; the message says which file and why, for the user."""


@dataclass(frozen=True)
class FileType:
    kind: str
    extensions: tuple[str, ...]
    content_type: str
    label: str


TYPES = {
    "pdf": FileType("pdf", ("pdf",), "application/pdf", "PDF"),
    "docx": FileType("docx", ("docx",),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (.docx)"),
    "xlsx": FileType("xlsx", ("xlsx",),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)"),
    "doc": FileType("doc", ("doc",), "application/msword", "Word (.doc)"),
    "xls": FileType("xls", ("xls",), "application/vnd.ms-excel", "Excel (.xls)"),
    "jpeg": FileType("jpeg", ("jpg", "jpeg"), "image/jpeg", "JPEG"),
    "png": FileType("png", ("png",), "image/png", "PNG"),
}
EXTENSIONS = {ext: kind for kind, info in TYPES.items() for ext in info.extensions}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in EXTENSIONS)
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE_KINDS = {"jpeg", "png"}
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    original_name: str
    size: int


def clean_name(name: str) -> str:
    """The name as the user's computer gave it, without any folder part or control character."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "file"


def _ooxml_kind(upload, name: str) -> str:
    """'docx' or 'xlsx' for a ZIP that is one and is safe to unpack; MaterialFileError else."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > settings.ARCHIVE_MAX_MEMBERS:
                raise MaterialFileError(_("%(name)s holds too many parts (%(count)d) for an office file.")
                                        % {"name": name, "count": len(members)})
            unpacked = sum(member.file_size for member in members)
            if unpacked > settings.ARCHIVE_MAX_UNPACKED_MB * 1024 * 1024:
                raise MaterialFileError(_("%(name)s would unpack to more than %(limit)s MB: refused as a "
                                          "possible ZIP bomb.") % {"name": name,
                                                                  "limit": settings.ARCHIVE_MAX_UNPACKED_MB})
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > 1024 * 1024 and ratio > settings.ARCHIVE_MAX_RATIO:
                    raise MaterialFileError(_("%(name)s is compressed suspiciously much (%(ratio)d to 1): "
                                              "refused as a possible ZIP bomb.") % {"name": name, "ratio": ratio})
            names = {member.filename for member in members}
    except zipfile.BadZipFile:
        raise MaterialFileError(_("%(name)s is damaged: it cannot be opened.") % {"name": name}) from None
    if "[Content_Types].xml" in names:
        for kind, part in OOXML_PARTS.items():
            if part in names:
                return kind
    raise MaterialFileError(_("%(name)s is a ZIP archive, not a Word or Excel file.") % {"name": name})


def sniff(upload, name: str) -> str:
    """The file's type by its content: a key of TYPES, or MaterialFileError."""
    upload.seek(0)
    head = upload.read(16)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(OLE_SIGNATURE):
        return "ole"  # .doc or .xls: the extension tells which
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_kind(upload, name)
    raise MaterialFileError(_("%(name)s is not a PDF, Word, Excel, JPEG or PNG file (its content says "
                              "otherwise, whatever its name).") % {"name": name})


def material_file_check(upload) -> CheckedFile:
    """Check one uploaded file (a Django UploadedFile); MaterialFileError when refused."""
    name = clean_name(getattr(upload, "name", ""))
    size = upload.size or 0
    if size == 0:
        raise MaterialFileError(_("%(name)s is empty.") % {"name": name})
    if size > settings.ARCHIVE_MAX_MB * 1024 * 1024:
        raise MaterialFileError(_("%(name)s is larger than %(limit)s MB.") % {"name": name,
                                                                          "limit": settings.ARCHIVE_MAX_MB})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSIONS.get(extension)
    if claimed is None:
        raise MaterialFileError(_("%(name)s: send a PDF, Word (.docx, .doc), Excel (.xlsx, .xls), JPEG or PNG "
                                  "file.") % {"name": name})
    found = sniff(upload, name)
    if found == "ole" and claimed in ("doc", "xls"):
        found = claimed
    if found != claimed:
        label = TYPES[found].label if found in TYPES else _("an old Office file")
        raise MaterialFileError(_("%(name)s is named as %(claimed)s but its content is %(found)s: rename it or "
                                  "send the right file.") % {"name": name, "claimed": TYPES[claimed].label,
                                                            "found": label})
    upload.seek(0)
    return CheckedFile(kind=found, content_type=TYPES[found].content_type, original_name=name, size=size)


def material_file_store(upload, checked: CheckedFile, *, requirement_id: int) -> tuple[str, str, int]:
    """Write a checked upload to storage under a random name: (stored name, SHA-256 and size of
    what was stored). Call before the transaction that records it (no file I/O inside it)."""
    extension = TYPES[checked.kind].extensions[0]
    name = f"archive/{requirement_id}/{uuid.uuid4().hex}.{extension}"
    upload.seek(0)
    if checked.kind in IMAGE_KINDS:
        # A scan or a phone picture: stored without its EXIF (GPS position, device, time taken),
        # XMP, IPTC and text chunks, every pixel as uploaded (campaign/photos.py strip_metadata).
        try:
            data = strip_metadata(upload.read(), kind=checked.kind, name=checked.original_name)
        except PhotoError as error:
            raise MaterialFileError(str(error)) from None
        stored = default_storage.save(name, ContentFile(data))
        return stored, hashlib.sha256(data).hexdigest(), len(data)
    digest = hashlib.sha256()
    for chunk in upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    stored = default_storage.save(name, upload)
    return stored, digest.hexdigest(), checked.size
