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


# --- Metadata stripped without touching the pixels ---------------------------------------------
# Scanned evidence (the materials archive) must keep every pixel as scanned, so it is not
# re-encoded like a photo; only what identifies the device, the person or the place goes. JPEG:
# APP1 (EXIF, XMP), APP12/APP13 (IPTC, Photoshop), the other application segments except JFIF
# (APP0), the ICC colour profile (APP2) and Adobe's (APP14, needed to decode CMYK), and comments
# (also between the scans of a progressive JPEG), and whatever follows the end-of-image marker (a
# second, embedded picture of a "multi-picture" phone JPEG, with its own EXIF);
# an EXIF orientation other than "upright" is kept as a minimal EXIF block of that one tag, so
# the scan still shows the right way up. PNG: the text, time and EXIF chunks.

_JPEG_KEPT_APPS = {0xE0, 0xEE}  # JFIF, Adobe; APP2 only when it is the ICC profile
_PNG_DROPPED_CHUNKS = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}


def _jpeg_orientation(segment: bytes) -> int:
    """The orientation tag of an APP1 EXIF payload, 1 when absent or unreadable."""
    if not segment.startswith(b"Exif\x00\x00"):
        return 1
    try:
        exif = Image.Exif()
        exif.load(segment[6:])
        value = int(exif.get(0x0112, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block only loses the orientation
        return 1
    return value if 1 <= value <= 8 else 1


def _scan_end(data: bytes, position: int) -> int:
    """Where the entropy-coded data starting at ``position`` ends: the first marker that is not
    a stuffed zero (FF 00) or a restart (FF D0-D7)."""
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            return len(data)
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1 if following == 0xFF else 2
            continue
        return position


def _strip_jpeg(data: bytes, name: str) -> bytes:
    broken = PhotoError(_("%(name)s is not a whole JPEG file.") % {"name": name})
    if not data.startswith(b"\xff\xd8"):
        raise broken
    kept: list[bytes] = [b"\xff\xd8"]
    orientation = 1
    position = 2
    while True:
        if position + 2 > len(data) or data[position] != 0xFF:
            raise broken
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of image: whatever follows (a second picture, appended data) goes
            kept.append(b"\xff\xd9")
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            kept.append(data[position:position + 2])
            position += 2
            continue
        if position + 4 > len(data):
            raise broken
        length = int.from_bytes(data[position + 2:position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            raise broken
        segment = data[position:end]
        if marker == 0xDA:  # a scan: its header, then its compressed data as is
            scan_end = _scan_end(data, end)
            kept.append(data[position:scan_end])
            if scan_end >= len(data):
                raise broken  # no end-of-image marker
            position = scan_end
            continue
        if marker == 0xE1:
            orientation = max(orientation, _jpeg_orientation(segment[4:]))
        elif marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\x00":
            kept.append(segment)  # the colour profile (other APP2 data, e.g. MPF, goes)
        elif marker == 0xFE or (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEPT_APPS):
            pass
        else:
            kept.append(segment)
        position = end
    if orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        payload = exif.tobytes()
        app1 = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
        after_jfif = 2 if len(kept) > 1 and kept[1].startswith(b"\xff\xe0") else 1  # after SOI (and JFIF)
        kept.insert(after_jfif, app1)
    return b"".join(kept)


def _strip_png(data: bytes, name: str) -> bytes:
    signature = b"\x89PNG\r\n\x1a\n"
    broken = PhotoError(_("%(name)s is not a whole PNG file.") % {"name": name})
    if not data.startswith(signature):
        raise broken
    kept = [signature]
    position = len(signature)
    while position < len(data):
        if position + 12 > len(data):
            raise broken
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        end = position + 12 + length
        if end > len(data):
            raise broken
        if kind not in _PNG_DROPPED_CHUNKS:
            kept.append(data[position:end])
        position = end
        if kind == b"IEND":
            break
    return b"".join(kept)


def strip_metadata(data: bytes, *, kind: str, name: str = "") -> bytes:
    """``data`` (a JPEG or PNG file) without its identifying metadata and with every pixel as it
    was (nothing decoded or re-encoded); PhotoError when the file is cut short or malformed."""
    name = name or _("photo")
    if kind == "jpeg":
        return _strip_jpeg(data, name)
    if kind == "png":
        return _strip_png(data, name)
    raise ValueError(f"strip_metadata: unknown kind {kind!r}")
