"""Evidence photos: checked by content (not by name), size- and pixel-limited, re-encoded as
JPEG without metadata, thumbnailed, and written to storage *before* the ledger transaction."""

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


class PhotoError(ValueError):
    """An upload that is not an acceptable photo; the message says why, for the user."""


@dataclass(frozen=True)
class StoredPhoto:
    image_name: str
    thumbnail_name: str
    sha256: str
    width: int
    height: int


def _encode(image: Image.Image, max_side: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def photo_store(upload, *, problem_id: int, label: str = "") -> StoredPhoto:
    """Validate one uploaded file and store the re-encoded photo and its thumbnail."""
    name = label or getattr(upload, "name", "") or _("photo")
    max_bytes = settings.PHOTO_MAX_MB * 1024 * 1024
    if upload.size > max_bytes:
        raise PhotoError(_("%(name)s is larger than %(limit)s MB.") % {"name": name, "limit": settings.PHOTO_MAX_MB})
    raw = upload.read()
    if not raw:
        raise PhotoError(_("%(name)s is empty.") % {"name": name})
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoError(_("%(name)s is not a picture.") % {"name": name}) from None
    if fmt not in ACCEPTED_FORMATS:
        raise PhotoError(_("%(name)s is a %(format)s file; send a JPEG, PNG or WebP photo.") % {"name": name, "format": fmt})
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise PhotoError(_("%(name)s has too many pixels (%(w)s × %(h)s).") % {"name": name, "w": width, "h": height})
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            stored = _encode(image, settings.PHOTO_STORED_MAX_SIDE, 85)
            thumbnail = _encode(image, settings.PHOTO_THUMBNAIL_SIDE, 75)
            final_width, final_height = Image.open(io.BytesIO(stored)).size
    except (OSError, ValueError, Image.DecompressionBombError):
        raise PhotoError(_("%(name)s could not be read as a picture.") % {"name": name}) from None
    key = uuid.uuid4().hex
    folder = f"ledger/photos/{problem_id}"
    image_name = default_storage.save(f"{folder}/{key}.jpg", ContentFile(stored))
    thumbnail_name = default_storage.save(f"{folder}/{key}_thumb.jpg", ContentFile(thumbnail))
    return StoredPhoto(
        image_name=image_name,
        thumbnail_name=thumbnail_name,
        sha256=hashlib.sha256(stored).hexdigest(),
        width=final_width,
        height=final_height,
    )
