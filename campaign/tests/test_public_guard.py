"""campaign.public_guard: the protections every public page uses (limits, proof of work,
mobile numbers, place, photos, page headers)."""

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation
from PIL import ExifTags, Image, TiffImagePlugin

from campaign import public_guard as guard
from campaign.geo import gcj02_to_wgs84, wgs84_to_gcj02
from campaign.models import PublicActionCount, User
from campaign.photos import PhotoError, photo_store
from campaign.public_guard.challenge import _SALT
from campaign.tests.factories import make_user
from campaign.throttling import client_address

pytestmark = pytest.mark.django_db

ADDRESS, OTHER_ADDRESS = "203.0.113.5", "198.51.100.7"
MOBILE = "13800138000"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PUBLIC_LIMITS = {"report": {"per_address": 3, "per_mobile": 2},
                              "survey": {"per_address": 1, "per_mobile": 1}}
    settings.PUBLIC_CHALLENGE_BITS = 8
    settings.PUBLIC_CHALLENGE_SOLUTIONS = 3
    settings.PUBLIC_CHALLENGE_FREE_PER_DAY = 1
    with translation.override("en"):  # messages are matched in English; zh-hans is tested below
        yield


# --- Limits ---------------------------------------------------------------------------------


def test_an_address_past_its_daily_limit_is_refused_with_the_limit_in_the_message():
    for _ in range(3):
        guard.limit_count("report", address=ADDRESS)
    with pytest.raises(guard.PublicLimitReached, match="limit of 3"):
        guard.limit_count("report", address=ADDRESS)
    with pytest.raises(guard.PublicLimitReached):
        guard.limit_check("report", address=ADDRESS)
    guard.limit_check("report", address=OTHER_ADDRESS)  # another address is not affected


def test_a_mobile_number_is_limited_across_addresses_however_it_is_typed():
    guard.limit_count("report", address=ADDRESS, mobile=MOBILE)
    guard.limit_count("report", address=OTHER_ADDRESS, mobile="+86 138-0013-8000")
    with pytest.raises(guard.PublicLimitReached, match="mobile number"):
        guard.limit_count("report", address="192.0.2.1", mobile="138 0013 8000")


def test_a_refused_action_counts_nothing_for_its_address_either():
    guard.limit_count("report", address=ADDRESS, mobile=MOBILE)
    guard.limit_count("report", address=ADDRESS, mobile=MOBILE)
    with pytest.raises(guard.PublicLimitReached):
        guard.limit_count("report", address=ADDRESS, mobile=MOBILE)
    assert guard.actions_today("report", address=ADDRESS) == 2


def test_an_action_whose_transaction_rolls_back_gives_its_count_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        guard.limit_count("report", address=ADDRESS)
        raise RuntimeError("the report could not be written")
    assert guard.actions_today("report", address=ADDRESS) == 0


def test_each_kind_of_action_has_its_own_limit():
    guard.limit_count("survey", address=ADDRESS)
    with pytest.raises(guard.PublicLimitReached):
        guard.limit_count("survey", address=ADDRESS)
    guard.limit_count("report", address=ADDRESS)
    assert guard.actions_today("report", address=ADDRESS) == 1


def test_a_kind_without_settings_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="rating"):
        guard.limit_count("rating", address=ADDRESS)


def test_addresses_and_numbers_are_stored_only_as_digests():
    guard.limit_count("report", address=ADDRESS, mobile=MOBILE)
    stored = " ".join(f"{row.kind} {row.key_digest}" for row in PublicActionCount.objects.all())
    assert ADDRESS not in stored and MOBILE not in stored
    assert guard.address_digest(ADDRESS) in stored and guard.mobile_digest(MOBILE) in stored


def test_yesterdays_counts_stay_and_older_ones_are_purged():
    today = timezone.localdate()
    for days in (0, 1, 2, 30):
        PublicActionCount.objects.create(kind="report", key_digest=f"d{days}", day=today - timedelta(days=days), count=1)
    assert guard.public_counts_purge() == 2
    assert set(PublicActionCount.objects.values_list("key_digest", flat=True)) == {"d0", "d1"}


def test_the_nightly_purge_is_scheduled_and_runs(settings):
    from campaign.tasks import public_action_counts_purge

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "campaign.tasks.public_action_counts_purge" in scheduled
    assert public_action_counts_purge.name == "campaign.tasks.public_action_counts_purge"
    PublicActionCount.objects.create(kind="report", key_digest="old", day=timezone.localdate() - timedelta(days=3))
    assert public_action_counts_purge() == 1


def test_the_address_counted_is_the_one_the_trusted_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ADDRESS}")
    guard.limit_count("report", address=client_address(request))
    assert guard.actions_today("report", address=ADDRESS) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_the_limit_together():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def attempt(_):
        try:
            with transaction.atomic():
                guard.limit_count("report", address=ADDRESS)
            return True
        except guard.PublicLimitReached:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert outcomes.count(True) == 3
    assert guard.actions_today("report", address=ADDRESS) == 3


# --- Proof of work --------------------------------------------------------------------------


def _leading_zero_bits(data: str) -> int:
    value = int.from_bytes(hashlib.sha256(data.encode()).digest(), "big")
    return 256 - value.bit_length()


def solve(token: str, bits: int = 8, solutions: int = 3, *, wrong: bool = False) -> str:
    """The answer the browser sends (``wrong``: the last nonce fails)."""
    nonces, nonce = [], 0
    while len(nonces) < solutions:
        if (_leading_zero_bits(f"{token}{nonce}") >= bits) != (wrong and len(nonces) == solutions - 1):
            nonces.append(str(nonce))
        nonce += 1
    return f"{token}/{','.join(nonces)}"


def test_a_solved_challenge_is_accepted_once():
    answer = solve(guard.challenge_issue("report"))
    guard.challenge_spend(guard.challenge_verify(answer, kind="report"))
    # Checked again (a second form sent with it), it is refused when the service spends it.
    with pytest.raises(guard.ChallengeRefused, match="already used"):
        guard.challenge_spend(guard.challenge_verify(answer, kind="report"))


def test_a_wrong_nonce_is_refused():
    with pytest.raises(guard.ChallengeRefused, match="not valid"):
        guard.challenge_verify(solve(guard.challenge_issue("report"), wrong=True), kind="report")


def test_too_few_or_repeated_solutions_are_refused():
    token, nonces = solve(guard.challenge_issue("report")).split("/")
    first, second, _third = nonces.split(",")
    for short in (f"{first},{second}", f"{first},{first},{second}", f"{first},{second},{second}"):
        with pytest.raises(guard.ChallengeRefused, match="not valid"):
            guard.challenge_verify(f"{token}/{short}", kind="report")


def test_an_expired_challenge_is_refused(settings, monkeypatch):
    answer = solve(guard.challenge_issue("report"))
    later = timezone.now().timestamp() + settings.PUBLIC_CHALLENGE_TTL_SECONDS + 5
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    with pytest.raises(guard.ChallengeRefused, match="expired"):
        guard.challenge_verify(answer, kind="report")


def test_a_challenge_for_another_kind_of_form_is_refused():
    with pytest.raises(guard.ChallengeRefused, match="not valid"):
        guard.challenge_verify(solve(guard.challenge_issue("survey")), kind="report")


@pytest.mark.parametrize("answer", ["", "just text", "abc/12", "abc/", "/123", "abc/1,2,x", "abc/1,,2"])
def test_garbage_is_refused(answer):
    with pytest.raises(guard.ChallengeRefused):
        guard.challenge_verify(answer, kind="report")


def test_a_challenge_made_easier_by_the_client_is_refused():
    from django.core import signing

    forged = signing.dumps({"k": "report", "b": 1, "n": 1, "s": "00", "t": 0}, salt="another salt")
    with pytest.raises(guard.ChallengeRefused):
        guard.challenge_verify(solve(forged, bits=1, solutions=1), kind="report")
    issued = signing.loads(guard.challenge_issue("report"), salt=_SALT)
    assert (issued["b"], issued["n"]) == (8, 3)


def test_the_challenge_is_asked_after_the_first_action_of_the_day(settings):
    assert not guard.challenge_required("report", address=ADDRESS)
    guard.limit_count("report", address=ADDRESS)
    assert guard.challenge_required("report", address=ADDRESS)
    assert not guard.challenge_required("report", address=OTHER_ADDRESS)
    settings.PUBLIC_CHALLENGE_FREE_PER_DAY = 0
    assert guard.challenge_required("report", address=OTHER_ADDRESS)


class ProofForm(forms.Form):
    proof = guard.ProofOfWorkField(kind="report")


def test_the_field_renders_a_challenge_only_when_required_and_never_an_answer_back():
    assert "data-pow-challenge" not in str(ProofForm())
    form = ProofForm({"proof": "an old answer/1"})
    form.fields["proof"].required = True
    html = str(form)
    assert "data-pow-challenge" in html and "an old answer" not in html
    assert "js/pow-solver.js" in str(form.media) and "js/public-guard.js" in str(form.media)


def test_the_field_cleans_to_a_solved_challenge_or_says_what_is_missing():
    form = ProofForm({})
    form.fields["proof"].required = True
    assert not form.is_valid()
    assert "has not finished" in form.errors["proof"][0]
    assert "Hidden field" not in str(form)  # the message stands beside the field, as written
    assert ProofForm({}).is_valid()
    form = ProofForm({"proof": solve(guard.challenge_issue("report"))})
    assert form.is_valid()
    assert isinstance(form.cleaned_data["proof"], guard.SolvedChallenge)


def test_refusals_speak_the_readers_language():
    with translation.override("zh-hans"):
        with pytest.raises(guard.ChallengeRefused) as refused:
            guard.challenge_verify("x/1", kind="report")
        assert "安全验证" in refused.value.messages[0]
        for _ in range(3):
            guard.limit_count("report", address=ADDRESS)
        with pytest.raises(guard.PublicLimitReached) as limited:
            guard.limit_count("report", address=ADDRESS)
        assert "明天" in limited.value.messages[0]


# --- Mobile numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["13800138000", "+86 138 0013 8000", "138-0013-8000", "0086 13800138000",
                                   "8613800138000", " 138 0013 8000 ", "＋８６ １３８ ００１３ ８０００"])
def test_a_mobile_number_is_accepted_however_it_is_typed(typed):
    assert guard.mobile_normalize(typed) == MOBILE


@pytest.mark.parametrize("typed", ["", "1380013800", "138001380001", "12800138000", "23800138000", "0731-88886666",
                                   "138 0013 800O", "+1 415 555 0100", "١٣٨٠٠١٣٨٠٠٠"])
def test_anything_but_a_mainland_mobile_is_refused_with_a_clear_message(typed):
    with pytest.raises(forms.ValidationError, match="mainland China mobile"):
        guard.mobile_normalize(typed)


def test_a_number_is_masked_for_everyone_but_moderators():
    assert guard.mobile_mask(MOBILE) == "138****8000"
    assert guard.mobile_mask("") == ""
    assert guard.mobile_shown(MOBILE, full=False) == "138****8000"
    assert guard.mobile_shown(MOBILE, full=True) == MOBILE
    html = engines["django"].from_string("{% load public_guard %}{{ n|mobile_mask }}").render({"n": MOBILE})
    assert html == "138****8000"


def test_the_digest_matches_the_same_number_and_does_not_reveal_it():
    assert guard.mobile_digest(MOBILE) == guard.mobile_digest(guard.mobile_normalize("+86 138 0013 8000"))
    assert guard.mobile_digest(MOBILE) != guard.mobile_digest("13900139000")
    assert MOBILE not in guard.mobile_digest(MOBILE)


def test_the_model_field_gives_forms_a_field_that_normalises():
    model_field = guard.MobileNumberField(blank=True)
    _name, path, _args, kwargs = model_field.deconstruct()
    assert path == "campaign.public_guard.mobile.MobileNumberField" and "max_length" not in kwargs
    field = model_field.formfield()
    assert field.clean("+86 138 0013 8000") == MOBILE
    with pytest.raises(forms.ValidationError):
        field.clean("12345")


# --- Place ----------------------------------------------------------------------------------

HENGYANG = (26.7, 112.3, 27.1, 112.9)  # south, west, north, east


def test_a_place_inside_the_city_passes_and_one_outside_is_refused_with_the_bounds(settings):
    settings.CITY_BOUNDS = HENGYANG
    assert guard.place_errors(26.9, 112.6) == []
    [message] = guard.place_errors(39.9, 116.4)  # Beijing
    assert "outside the city" in message and "26.7" in message


def test_a_gcj02_point_is_converted_before_the_bounds_are_checked(settings):
    inside = (26.7005, 112.6)  # 50 m inside the southern edge in WGS-84
    gcj = wgs84_to_gcj02(*inside)
    settings.CITY_BOUNDS = (26.7, 112.3, 27.1, 112.9)
    assert guard.place_to_wgs84(*gcj, gcj02=True) == pytest.approx(inside, abs=1e-5)
    assert guard.place_to_wgs84(*gcj, gcj02=True) == gcj02_to_wgs84(*gcj)
    assert guard.place_errors(*gcj, gcj02=True) == []
    # Near the edge, the shift decides: the same numbers read as WGS-84 lie elsewhere.
    assert guard.place_to_wgs84(*gcj) == gcj


@pytest.mark.parametrize(("lat", "lon"), [(None, 112.6), ("abc", "1"), (91, 112), (26.9, float("nan"))])
def test_a_place_without_valid_coordinates_is_refused(settings, lat, lon):
    settings.CITY_BOUNDS = HENGYANG
    assert "no valid coordinates" in guard.place_errors(lat, lon)[0]


def test_without_bounds_any_valid_place_passes(settings):
    settings.CITY_BOUNDS = None
    assert guard.place_errors(39.9, 116.4) == []


# --- Photos ---------------------------------------------------------------------------------


def photo_with_gps(*, lat_ref="N", lon_ref="E", taken="2026:12:01 09:30:00", offset="+08:00") -> bytes:
    rational = TiffImagePlugin.IFDRational
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: lat_ref, 2: (rational(26), rational(53), rational(3015, 100)),
                3: lon_ref, 4: (rational(112), rational(36), rational(36))})
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[36867] = taken
    if offset:
        details[36881] = offset
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_photos_gps_and_time_are_read_and_the_stored_jpeg_carries_no_metadata(media):
    raw = photo_with_gps()
    assert b"TestPhone" in raw
    stored = photo_store(SimpleUploadedFile("street.jpg", raw), folder="public/reports/1")
    assert stored.gps_latitude == pytest.approx(26 + 53 / 60 + 30.15 / 3600, abs=1e-6)
    assert stored.gps_longitude == pytest.approx(112 + 36 / 60 + 36 / 3600, abs=1e-6)
    assert stored.taken_at == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    assert stored.image_name.startswith("public/reports/1/")
    for name in (stored.image_name, stored.thumbnail_name):
        data = (media / name).read_bytes()
        assert b"Exif" not in data and b"TestPhone" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert dict(image.getexif()) == {}
            assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}


def test_south_and_west_are_negative_and_a_time_without_offset_is_the_citys(media):
    stored = photo_with_gps(lat_ref="S", lon_ref="W", offset=None)
    stored = photo_store(SimpleUploadedFile("a.jpg", stored), folder="x")
    assert stored.gps_latitude < 0 and stored.gps_longitude < 0
    assert timezone.localtime(stored.taken_at).hour == 9


def test_a_photo_without_metadata_has_no_place_or_time(media):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "PNG")
    stored = photo_store(SimpleUploadedFile("a.png", buffer.getvalue()), folder="x")
    assert (stored.gps_latitude, stored.gps_longitude, stored.taken_at) == (None, None, None)


def test_a_file_that_is_not_a_picture_is_refused(media):
    with pytest.raises(PhotoError, match="not a picture"):
        photo_store(SimpleUploadedFile("a.jpg", b"%PDF-1.4 not a photo"), folder="x")


# --- Public pages ---------------------------------------------------------------------------

pytestmark_urls = pytest.mark.urls("campaign.tests.public_guard_urls")


@pytestmark_urls
def test_a_public_form_is_never_kept_by_a_shared_cache_nor_indexed(client):
    response = client.get("/guarded/")
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control and "public" not in cache_control
    assert response.headers["X-Robots-Tag"] == "noindex"


@pytestmark_urls
def test_a_public_list_may_be_cached_by_proxies_for_anonymous_visitors_only(client):
    response = client.get("/list/")
    assert "public" in response.headers["Cache-Control"] and "max-age=300" in response.headers["Cache-Control"]
    assert "X-Robots-Tag" not in response.headers
    client.force_login(make_user("hq-reader", "hq"))
    signed_in = client.get("/list/")
    assert "public" not in signed_in.headers["Cache-Control"] and "private" in signed_in.headers["Cache-Control"]


@pytestmark_urls
def test_class_based_public_pages_get_the_same_headers_and_every_marked_route_is_listed(client):
    response = client.get("/class/")
    assert "no-store" in response.headers["Cache-Control"]
    routes = {path.route: path.page for path in guard.public_paths("campaign.tests.public_guard_urls")}
    assert set(routes) == {"/guarded/", "/list/", "/class/"}
    assert routes["/list/"] == guard.PublicPage(cache_seconds=300, index=True)


@pytestmark_urls
def test_a_double_tap_is_answered_with_the_first_outcome_and_a_reused_challenge_is_refused(client):
    page = client.get("/guarded/").content.decode()
    token = page.split('data-pow-challenge="', 1)[1].split('"', 1)[0]
    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
    sent = {"description": "垃圾", "key": key, "proof": solve(token)}
    assert "accepted 垃圾" in client.post("/guarded/", sent).content.decode()
    assert "already received 垃圾" in client.post("/guarded/", sent).content.decode()
    another_form = {**sent, "key": "6f1c2a52-6f1c-4a52-8f1c-2a526f1c2a52"}
    # The visitor's language (zh-hans by default).
    assert "此安全验证已使用过" in client.post("/guarded/", another_form).content.decode()
    assert User.objects.filter(username__startswith="guarded-").count() == 1


# --- Retries --------------------------------------------------------------------------------


def test_a_known_key_returns_what_was_made_without_creating_again():
    calls = []

    def create():
        calls.append(1)
        return User.objects.create(username="key-1")

    first, created = guard.idempotent_create(User, key="key-1", field="username", create=create)
    again, created_again = guard.idempotent_create(User, key="key-1", field="username", create=create)
    assert (created, created_again, again.pk, len(calls)) == (True, False, first.pk, 1)


def test_a_refusal_inside_create_leaves_nothing_behind():
    def create():
        User.objects.create(username="key-2")
        raise guard.PublicLimitReached("limit")

    with pytest.raises(guard.PublicLimitReached):
        guard.idempotent_create(User, key="key-2", field="username", create=create)
    assert not User.objects.filter(username="key-2").exists()


def test_the_key_field_is_a_fresh_hidden_uuid_per_form_shown():
    class KeyForm(forms.Form):
        key = guard.IdempotencyKeyField()

    first, second = str(KeyForm()), str(KeyForm())
    assert 'type="hidden"' in first and first != second
    assert not KeyForm({"key": "not a key"}).is_valid()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_twins_make_one_object_and_both_get_it():
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    both_checked = threading.Barrier(2)

    def submit(_):
        def create():
            made = User.objects.create(username="twin")
            time.sleep(0.3)  # the twin's insert waits on the unique key meanwhile
            return made

        try:
            with transaction.atomic():
                both_checked.wait(timeout=5)
                return guard.idempotent_create(User, key="twin", field="username", create=create)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(submit, range(2)))
    assert sorted(created for _made, created in outcomes) == [False, True]
    assert outcomes[0][0].pk == outcomes[1][0].pk
