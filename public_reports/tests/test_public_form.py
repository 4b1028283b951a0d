"""The reporting form at /report/: a resident without an account, on a phone, in Chinese or
English; every bad input answered next to its field, a retry never a second report."""

import hashlib
import html
import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import ExifTags, Image

from campaign.geo import wgs84_to_gcj02
from campaign.public_guard import challenge_issue
from public_reports import services
from public_reports.models import PublicReport

from .factories import public_category

pytestmark = pytest.mark.django_db

URL = "/report/"
INSIDE = ("31.230000", "121.470000")


@pytest.fixture(autouse=True)
def public_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITY_BOUNDS = (30.6, 120.8, 31.9, 122.1)
    settings.PUBLIC_CHALLENGE_BITS = 6
    settings.PUBLIC_LIMITS = {"report": {"per_address": 10, "per_mobile": 5}}


@pytest.fixture
def garbage(city):
    category = public_category(city)
    category.hint = "路边、小区内垃圾堆放未清运"
    category.save()
    return category


def jpeg(name="photo.jpg", size=(640, 480), gps=None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    exif = Image.Exif()
    if gps is not None:
        exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (float(gps[0]), 0.0, 0.0), 3: "E", 4: (float(gps[1]), 0.0, 0.0)}
    Image.new("RGB", size, (120, 90, 60)).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def form_data(category, **overrides):
    data = {
        "public_category": str(category.pk), "photos": [jpeg()],
        "latitude": INSIDE[0], "longitude": INSIDE[1], "accuracy": "12", "place_source": "gps",
        "address": "", "description": "小区门口垃圾堆放三天无人清运", "reporter_name": "李女士",
        "reporter_mobile": "138 0013 8000", "consent": "on", "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post(client, data, language="zh-hans", **extra):
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE=language, **extra)


def solved(kind="report", bits=6) -> str:
    """An answer to an easy challenge (its difficulty is signed into it)."""
    with override_settings(PUBLIC_CHALLENGE_BITS=bits, PUBLIC_CHALLENGE_SOLUTIONS=1):
        token = challenge_issue(kind)
    for nonce in range(1_000_000):
        digest = hashlib.sha256(f"{token}{nonce}".encode()).digest()
        if int.from_bytes(digest, "big") >> (256 - bits) == 0:
            return f"{token}/{nonce}"
    raise AssertionError("no nonce")


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- The page ----------------------------------------------------------------------------------


def test_the_form_opens_without_an_account_in_chinese_with_the_categories_and_their_hints(client, garbage):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="zh-hans"' in page
    assert "垃圾乱堆" in page and "路边、小区内垃圾堆放未清运" in page
    assert 'accept="image/*"' in page and 'capture="environment"' in page and "multiple" in page
    assert 'name="idempotency_key"' in page
    # A public page: no staff menu, never kept by a shared cache, not indexed.
    assert "logout" not in page and "main-menu" not in page
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_the_form_speaks_english_through_the_language_switch(client, garbage):
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    page = client.get(URL).content.decode()
    assert 'lang="en"' in page and "Use my location" in page and "Send the report" in page
    assert "garbage" in page  # the category's English name


def test_the_page_is_small_and_loads_only_local_files(client, garbage):
    response = client.get(URL)
    page = response.content.decode()
    assert len(response.content) < 20_000
    assert "bootstrap" not in page and "http://" not in page.replace(response.wsgi_request.build_absolute_uri("/"), "")
    assert page.count("<script") == 1 and "js/public-report.js" in page
    assert "<script>" not in page and " style=" not in page  # CSP: no inline script or style


def test_a_map_picker_is_offered_only_when_a_tile_server_is_configured(client, garbage, settings):
    assert "data-pick-map" not in client.get(URL).content.decode()
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    page = client.get(URL).content.decode()
    assert "data-pick-map" in page and "vendor/leaflet/leaflet.js" in page


# --- A report made --------------------------------------------------------------------------------


def test_a_resident_reports_with_a_photo_and_gets_the_tracking_code_and_the_follow_link(client, garbage, settings):
    response = post(client, form_data(garbage, photos=[jpeg(gps=(31, 121))]))
    assert response.status_code == 200
    report = PublicReport.objects.get()
    page = response.content.decode()
    assert report.code in page
    assert f"/report/track/{report.code}/?k={report.follow_secret}" in page
    assert (str(report.latitude), str(report.longitude), report.location_accuracy_m) == ("31.230000", "121.470000", 12)
    assert report.reporter_mobile == "13800138000" and report.consent_at is not None
    assert report.public_category == garbage and report.channel == "web"
    photo = report.photos.get()
    with Image.open(Path(settings.MEDIA_ROOT) / photo.image.name) as stored:
        assert not stored.getexif()  # metadata (and the GPS tag) removed


def test_the_same_form_sent_twice_returns_the_same_report(client, garbage):
    data = form_data(garbage)
    first = post(client, data)
    data["photos"] = [jpeg()]
    again = post(client, data)
    report = PublicReport.objects.get()
    assert report.code in first.content.decode() and report.code in again.content.decode()
    assert report.photos.count() == 1


def test_a_retry_after_the_first_report_of_the_day_needs_no_security_check(client, garbage):
    data = form_data(garbage)
    post(client, data)
    data["photos"] = [jpeg()]
    again = post(client, {**data, "proof": ""})
    assert again.status_code == 200 and PublicReport.objects.count() == 1


def test_without_its_own_position_the_place_comes_from_the_photo(client, garbage):
    post(client, form_data(garbage, latitude=None, longitude=None, place_source=None, accuracy=None,
                           photos=[jpeg(gps=(31, 121))]))
    report = PublicReport.objects.get()
    assert (float(report.latitude), float(report.longitude)) == (31.0, 121.0)
    assert report.location_accuracy_m is None


def test_an_address_alone_is_a_place(client, garbage):
    post(client, form_data(garbage, latitude=None, longitude=None, place_source=None, address="人民路12号"))
    report = PublicReport.objects.get()
    assert report.latitude is None and report.address == "人民路12号"


def test_a_point_picked_on_a_gcj02_map_is_stored_in_wgs84(client, garbage, settings):
    settings.MAP_TILE_CRS = "gcj02"
    lat, lon = wgs84_to_gcj02(31.23, 121.47)
    post(client, form_data(garbage, latitude=f"{lat:.8f}", longitude=f"{lon:.8f}", place_source="map"))
    report = PublicReport.objects.get()
    assert abs(float(report.latitude) - 31.23) < 2e-6 and abs(float(report.longitude) - 121.47) < 2e-6
    assert report.location_accuracy_m is None


# --- Bad input --------------------------------------------------------------------------------------


def _error_near(response, field_id: str) -> str:
    page = html.unescape(response.content.decode())
    start = page.index(f'id="{field_id}"')
    return page[start:start + 1500]


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Add at least one photo of the problem."),
    ("zh-hans", "请至少添加一张问题照片。"),
])
def test_a_report_without_a_photo_is_refused_next_to_the_photo_field(client, garbage, language, message):
    response = post(client, form_data(garbage, photos=None), language=language)
    assert response.status_code == 400
    assert message in _error_near(response, "field-photos")
    assert not PublicReport.objects.exists()


@pytest.mark.parametrize(("language", "message"), [("en", "is not a picture"), ("zh-hans", "不是图片")])
def test_a_file_that_is_not_an_image_is_refused(client, garbage, language, message, settings):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = post(client, form_data(garbage, photos=[fake]), language=language)
    assert response.status_code == 400
    assert message in _error_near(response, "field-photos")
    assert not PublicReport.objects.exists() and media_files(settings) == []


def test_a_photo_too_large_is_refused(client, garbage, settings):
    settings.PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 10), content_type="image/jpeg")
    response = post(client, form_data(garbage, photos=[big]), language="en")
    assert "is larger than 1 MB" in _error_near(response, "field-photos")
    assert not PublicReport.objects.exists()


def test_more_than_three_photos_are_refused(client, garbage):
    response = post(client, form_data(garbage, photos=[jpeg(f"{n}.jpg") for n in range(4)]), language="en")
    assert "Send at most 3 photos." in _error_near(response, "field-photos")


@pytest.mark.parametrize(("language", "message"), [("en", "outside the city"), ("zh-hans", "不在本市范围")])
def test_a_place_outside_the_city_is_refused_and_the_photos_just_stored_are_removed(
        client, garbage, settings, language, message):
    response = post(client, form_data(garbage, latitude="39.900000", longitude="116.400000"), language=language)
    assert response.status_code == 400
    assert message in _error_near(response, "field-place")
    assert not PublicReport.objects.exists() and media_files(settings) == []


def test_a_photo_taken_outside_the_city_without_another_place_is_refused(client, garbage):
    response = post(client, form_data(garbage, latitude=None, longitude=None, place_source=None,
                                      photos=[jpeg(gps=(39, 116))]), language="en")
    assert "outside the city" in _error_near(response, "field-place")


def test_a_report_without_any_place_is_refused(client, garbage):
    response = post(client, form_data(garbage, latitude=None, longitude=None, place_source=None), language="en")
    assert "Give the place" in _error_near(response, "field-place")
    assert not PublicReport.objects.exists()


@pytest.mark.parametrize(("language", "message"), [("en", "mainland China mobile number"), ("zh-hans", "手机号")])
def test_a_number_that_is_not_a_mobile_number_is_refused(client, garbage, language, message):
    response = post(client, form_data(garbage, reporter_mobile="0371-12345"), language=language)
    assert response.status_code == 400
    assert message in _error_near(response, "field-mobile")


def test_a_report_without_consent_or_category_or_description_is_refused(client, garbage):
    response = post(client, form_data(garbage, consent=None, public_category=None, description=""), language="en")
    assert "Accept the rules to send a report." in _error_near(response, "field-consent")
    assert "Choose what kind of problem it is." in _error_near(response, "field-category")
    assert "Describe what you saw." in _error_near(response, "field-description")


# --- Limits and the security check ---------------------------------------------------------------


def test_the_second_report_of_the_day_from_an_address_needs_the_security_check(client, garbage):
    post(client, form_data(garbage))
    page = client.get(URL).content.decode()
    assert "data-pow-challenge" in page and "js/pow-solver.js" in page
    missing = post(client, form_data(garbage, reporter_mobile="13900139000"), language="en")
    assert missing.status_code == 400
    assert "security check has not finished" in _error_near(missing, "field-proof")
    sent = post(client, form_data(garbage, reporter_mobile="13900139000", proof=solved()))
    assert sent.status_code == 200 and PublicReport.objects.count() == 2


def test_a_security_check_answer_is_used_once(client, garbage):
    post(client, form_data(garbage))
    answer = solved()
    post(client, form_data(garbage, proof=answer))
    again = post(client, form_data(garbage, proof=answer), language="en")
    assert "already used" in again.content.decode()
    assert PublicReport.objects.count() == 2


def test_a_mobile_number_at_its_daily_limit_is_refused_next_to_it(client, garbage, settings):
    settings.PUBLIC_LIMITS = {"report": {"per_address": 10, "per_mobile": 1}}
    settings.PUBLIC_CHALLENGE_FREE_PER_DAY = 10
    post(client, form_data(garbage))
    response = post(client, form_data(garbage), language="en")
    assert response.status_code == 400
    assert "This mobile number has reached today's limit of 1" in _error_near(response, "field-mobile")
    assert PublicReport.objects.count() == 1
    other = post(client, form_data(garbage, reporter_mobile="13900139000"))
    assert other.status_code == 200 and PublicReport.objects.count() == 2


@pytest.mark.parametrize(("language", "message"), [("en", "This network has reached today's limit of 1"),
                                                   ("zh-hans", "今天提交此表单的次数已达上限")])
def test_an_address_at_its_daily_limit_is_told_so_before_filling_the_form(client, garbage, settings, language, message):
    settings.PUBLIC_LIMITS = {"report": {"per_address": 1, "per_mobile": 5}}
    post(client, form_data(garbage))
    page = html.unescape(client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode())
    assert message in page and "data-report-form" not in page
    refused = post(client, form_data(garbage, reporter_mobile="13900139000", proof=solved()), language=language)
    assert refused.status_code == 400 and PublicReport.objects.count() == 1


def test_reports_from_other_addresses_are_counted_apart(client, garbage, settings):
    settings.PUBLIC_LIMITS = {"report": {"per_address": 1, "per_mobile": 5}}
    post(client, form_data(garbage), REMOTE_ADDR="203.0.113.1")
    response = post(client, form_data(garbage, reporter_mobile="13900139000"), REMOTE_ADDR="203.0.113.2")
    assert response.status_code == 200 and PublicReport.objects.count() == 2


def test_the_rules_page_is_public(client):
    response = client.get(reverse("public_reports:rules"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "Rules of the reporting platform" in response.content.decode()


def test_a_twin_refused_by_the_limits_while_its_first_copy_committed_gets_the_report(client, garbage, monkeypatch):
    """The first copy of a form commits (and uses the day's last slot) while this copy is
    checked: the resident is answered with their report, not with "today's limit"."""
    from public_reports.views import public as public_views

    data = form_data(garbage)

    def first_copy_commits_meanwhile(form, address):
        services.public_report_submit(public_category=garbage, description="twin", consent=True,
                                      address="人民路", idempotency_key=form.cleaned_data["idempotency_key"].hex)
        form.add_error(None, "today's limit is reached")

    monkeypatch.setattr(public_views, "_check_limits", first_copy_commits_meanwhile)
    response = post(client, data)
    report = PublicReport.objects.get()
    assert response.status_code == 200 and report.code in response.content.decode()
