"""Uploaded photos, checked and re-encoded: the one photo path of every app (the ledger's
evidence, the public's reports).

A photo is checked by content (not by name), limited in bytes and pixels, turned upright,
re-encoded as JPEG *without any metadata* (no EXIF, no GPS tags, no maker notes), thumbnailed and
written to storage under ``folder`` -- before the caller's transaction, so no file I/O happens
inside it. The photo's own GPS position and time taken are read first and returned, so a
public form may offer them as the place and time; the stored file never carries them.
"""

import hashlib
import io
import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}

_GPS_LATITUDE_REF, _GPS_LATITUDE, _GPS_LONGITUDE_REF, _GPS_LONGITUDE = 1, 2, 3, 4
_DATETIME, _DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 306, 36867, 36881


class PhotoError(ValueError):
    """An upload that is not an acceptable photo; the message says why, for the user."""


@dataclass(frozen=True)
class StoredPhoto:
    image_name: str
    thumbnail_name: str
    sha256: str
    width: int
    height: int
    # Read from the upload's EXIF before it was stripped (WGS-84, as phones record it); None
    # when the photo did not carry them.
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    taken_at: datetime | None = None


def _degrees(value, ref) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(result):
        return None
    ref = ref.decode("ascii", "ignore") if isinstance(ref, bytes) else str(ref or "")
    return -result if ref.strip().upper() in ("S", "W") else result


def _gps_position(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    latitude = _degrees(gps.get(_GPS_LATITUDE), gps.get(_GPS_LATITUDE_REF))
    longitude = _degrees(gps.get(_GPS_LONGITUDE), gps.get(_GPS_LONGITUDE_REF))
    if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    if latitude == 0 and longitude == 0:  # what some cameras write without a fix
        return None, None
    return round(latitude, 7), round(longitude, 7)


def _taken_at(exif: Image.Exif) -> datetime | None:
    details = exif.get_ifd(ExifTags.IFD.Exif)
    stamp = details.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(stamp, str):
        return None
    try:
        taken = datetime.strptime(stamp.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str):
        try:
            return datetime.strptime(f"{stamp.strip()[:19]} {offset.strip()}", "%Y:%m:%d %H:%M:%S %z")
        except ValueError:
            pass
    # Without an offset, the camera's clock is taken to be the city's.
    return timezone.make_aware(taken)


def _encode(image: Image.Image, max_side: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No exif= argument: the JPEG is written without any metadata.
    copy.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def photo_store(upload, *, folder: str, label: str = "") -> StoredPhoto:
    """Validate one uploaded file and store the re-encoded photo and its thumbnail under
    ``folder`` of the default storage; PhotoError (a message for the user) when it is refused."""
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
            try:
                exif = image.getexif()
                latitude, longitude = _gps_position(exif)
                taken_at = _taken_at(exif)
            except Exception:  # noqa: BLE001 - broken metadata only loses the metadata, not the photo
                latitude = longitude = taken_at = None
            image = ImageOps.exif_transpose(image).convert("RGB")
            stored = _encode(image, settings.PHOTO_STORED_MAX_SIDE, 85)
            thumbnail = _encode(image, settings.PHOTO_THUMBNAIL_SIDE, 75)
            final_width, final_height = Image.open(io.BytesIO(stored)).size
    except (OSError, ValueError, Image.DecompressionBombError):
        raise PhotoError(_("%(name)s could not be read as a picture.") % {"name": name}) from None
    key = uuid.uuid4().hex
    folder = folder.strip("/")
    image_name = default_storage.save(f"{folder}/{key}.jpg", ContentFile(stored))
    thumbnail_name = default_storage.save(f"{folder}/{key}_thumb.jpg", ContentFile(thumbnail))
    return StoredPhoto(
        image_name=image_name,
        thumbnail_name=thumbnail_name,
        sha256=hashlib.sha256(stored).hexdigest(),
        width=final_width,
        height=final_height,
        gps_latitude=latitude,
        gps_longitude=longitude,
        taken_at=taken_at,
    )
