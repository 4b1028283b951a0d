"""strip_metadata: a JPEG or PNG loses what identifies the device, the person and the place
(EXIF with GPS, XMP, IPTC, comments, text chunks) and keeps every pixel and byte of the image
data as it was; the materials archive stores images through it."""

import io

import pytest
from django.utils import translation
from PIL import Image, PngImagePlugin

from campaign.photos import PhotoError, strip_metadata


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"          # Make
    exif[0x0110] = "Model X"             # Model
    exif[0x0112] = orientation
    exif[0x0132] = "2026:12:01 09:30:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 14.0, 5.5)
    gps[3], gps[4] = "E", (121.0, 28.0, 1.25)
    return exif


def jpeg(orientation: int = 1) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    for x in range(0, 64, 4):
        image.putpixel((x, 10), (0, 0, 255))
    out = io.BytesIO()
    xmp = b"<x:xmpmeta><rdf:Description exif:GPSLatitude='31,14.09N'/></x:xmpmeta>"
    image.save(out, format="JPEG", quality=90, exif=gps_exif(orientation), comment=b"scanned by Zhang San",
               xmp=xmp)
    return out.getvalue()


def scan_data(data: bytes) -> bytes:
    """The compressed image: from the start-of-scan marker on."""
    return data[data.index(b"\xff\xda"):]


def test_a_jpeg_loses_gps_device_time_xmp_and_comment_and_keeps_its_image_data_byte_for_byte():
    original = jpeg()
    assert b"PhoneMaker" in original and b"Zhang San" in original and b"xmpmeta" in original
    stripped = strip_metadata(original, kind="jpeg")
    for secret in (b"PhoneMaker", b"Model X", b"Zhang San", b"xmpmeta", b"2026:12:01", b"Exif"):
        assert secret not in stripped
    assert scan_data(stripped) == scan_data(original)
    with Image.open(io.BytesIO(stripped)) as image, Image.open(io.BytesIO(original)) as before:
        assert image.getexif().get_ifd(0x8825) == {}
        assert "comment" not in image.info
        assert image.tobytes() == before.tobytes()


def test_a_turned_jpeg_keeps_only_its_orientation_so_the_scan_still_shows_upright():
    stripped = strip_metadata(jpeg(orientation=6), kind="jpeg")
    with Image.open(io.BytesIO(stripped)) as image:
        exif = image.getexif()
        assert dict(exif) == {0x0112: 6}
        assert exif.get_ifd(0x8825) == {}
    assert b"PhoneMaker" not in stripped


def test_a_png_loses_its_text_time_and_exif_chunks_and_keeps_its_pixels():
    image = Image.new("RGBA", (20, 10), (10, 200, 30, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San")
    info.add_itxt("Location", "上海市静安区", lang="zh")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, exif=gps_exif())
    original = out.getvalue()
    assert b"Zhang San" in original and b"eXIf" in original
    stripped = strip_metadata(original, kind="png")
    assert b"Zhang San" not in stripped and b"eXIf" not in stripped and b"iTXt" not in stripped
    with Image.open(io.BytesIO(stripped)) as after, Image.open(io.BytesIO(original)) as before:
        assert after.tobytes() == before.tobytes()
        assert after.text == {}


@pytest.mark.parametrize(("data", "kind", "message"), [
    (b"\xff\xd8\xff\xe1\x00", "jpeg", "not a whole JPEG"),
    (b"\xff\xd8\xff\xe1\xff\xff" + b"x" * 10, "jpeg", "not a whole JPEG"),
    (b"GIF89a", "jpeg", "not a whole JPEG"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x01\x00IHDR", "png", "not a whole PNG"),
])
def test_a_cut_or_malformed_file_is_refused_with_its_name(data, kind, message):
    with translation.override("en"), pytest.raises(PhotoError, match=rf"^scan\.{kind} is {message} file\.$"):
        strip_metadata(data, kind=kind, name=f"scan.{kind}")


def test_a_progressive_jpeg_loses_comments_between_its_scans_and_keeps_every_scan():
    image = Image.new("RGB", (64, 64))
    for x in range(64):
        for y in range(64):
            image.putpixel((x, y), (x * 4, y * 4, (x + y) * 2))
    out = io.BytesIO()
    image.save(out, format="JPEG", progressive=True, quality=90, exif=gps_exif())
    original = out.getvalue()
    # A comment slipped between two scans (after the second start-of-scan's data).
    second_scan = original.index(b"\xff\xda", original.index(b"\xff\xda") + 2)
    comment = b"\xff\xfe" + (len(b"between scans: Zhang San") + 2).to_bytes(2, "big") + b"between scans: Zhang San"
    tampered = original[:second_scan] + comment + original[second_scan:]
    stripped = strip_metadata(tampered, kind="jpeg")
    assert b"Zhang San" not in stripped and b"PhoneMaker" not in stripped
    assert stripped.count(b"\xff\xda") == original.count(b"\xff\xda") > 1
    with Image.open(io.BytesIO(stripped)) as after, Image.open(io.BytesIO(original)) as before:
        assert after.tobytes() == before.tobytes()


def test_a_second_picture_or_data_after_the_end_of_image_is_dropped():
    first, second = jpeg(), jpeg(orientation=8)  # a phone's multi-picture file: two JPEGs in a row
    stripped = strip_metadata(first + second + b"trailing: GPS 31.2N", kind="jpeg")
    assert stripped.endswith(b"\xff\xd9") and stripped.count(b"\xff\xd8") == 1
    assert b"PhoneMaker" not in stripped and b"trailing" not in stripped
    assert scan_data(stripped) == scan_data(first)


def test_the_icc_profile_is_kept_and_other_app2_data_dropped():
    profile = b"ICC_PROFILE\x00\x01\x01" + b"p" * 40
    mpf = b"MPF\x00" + b"m" * 20
    base = jpeg()
    segments = b"".join(b"\xff\xe2" + (len(payload) + 2).to_bytes(2, "big") + payload for payload in (profile, mpf))
    stripped = strip_metadata(base[:2] + segments + base[2:], kind="jpeg")
    assert profile in stripped and b"MPF\x00" not in stripped
