"""The tracking page /report/track/<code>/: anyone with the code follows the report's stage
(never seeing who reported it or which staff handled it) and, once a moderator has accepted or
merged it, its moderated description, place and photos; only the follow link's holder sees
their own report in full, the note to them, rates the result and sees the reward. Lookups are
throttled per client address so sequential codes cannot be walked through."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger import services as ledger
from ledger.tests.factories import jpeg_upload, stored_photo
from public_reports import services
from public_reports.choices import RejectReason, ReviewState
from public_reports.models import PublicReport, RewardRule

from .factories import public_category, report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_names(city):
    """Staff with names that must never reach a public page."""
    names = {"hq": "韩总部审核员", "unit_handler": "温整改专员", "district_lead": "邓区级验收员"}
    for key, name in names.items():
        user = city.users[key]
        user.full_name = name
        user.save()
    return list(names.values())


def track_url(r, secret=None):
    url = reverse("public_reports:track", args=[r.code])
    return f"{url}?k={secret}" if secret is not None else url


def page_of(client, url, language="zh-hans"):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    return response, html.unescape(response.content.decode())


def _after_photo(problem_id):
    from ledger.photos import photo_store

    return photo_store(jpeg_upload("after.jpg", color=(10, 200, 10)), problem_id=problem_id)


def _closed(city, r):
    accepted = services.public_report_accept(report=r, by=city.hq, unit=city.office_a)
    problem = ledger.problem_acknowledge(problem=accepted.problem, by=city.unit_handler)
    problem = ledger.problem_apply_close(problem=problem, note="已清运", photos=[_after_photo(problem.pk)],
                                         by=city.unit_handler)
    ledger.problem_verify(problem=problem, approved=True, note="现场核实", by=city.district_lead)
    return PublicReport.objects.get(pk=r.pk)


def test_a_received_report_shows_its_stage_and_nothing_about_the_reporter(client, city):
    r = report(city, reporter_name="李秀英", mobile="13812345678")
    response, page = page_of(client, track_url(r))
    assert response.status_code == 200
    assert 'data-stage="received"' in page
    assert r.code in page and "小区门口垃圾堆放三天无人清运" not in page
    for private in ("李秀英", "13812345678", "138****5678", r.follow_secret):
        assert private not in page
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"


def test_an_accepted_report_follows_its_problems_status_without_staff_names(client, city, staff_names):
    r = services.public_report_accept(report=report(city), by=city.hq, unit=city.office_a, note="已转交属地")
    _response, page = page_of(client, track_url(r), language="en")
    assert 'data-stage="rectifying"' in page and "Assigned" in page
    ledger.problem_acknowledge(problem=r.problem, by=city.unit_handler)
    _response, page = page_of(client, track_url(r, r.follow_secret), language="en")
    assert "In rectification" in page and "已转交属地" in page
    for name in staff_names:
        assert name not in page


def test_a_closed_report_shows_the_after_photo_and_never_a_hidden_report_photo(client, city, staff_names):
    shown, hidden = stored_photo(), stored_photo()
    r = report(city, photos=[shown, hidden])
    hidden_row = r.photos.get(image=hidden.image_name)
    services.public_report_edit(report=r, by=city.hq, hide_photo_ids=[hidden_row.pk])
    r = _closed(city, r)
    response, page = page_of(client, track_url(r))
    assert 'data-stage="closed"' in page
    after = r.problem.photos.get(kind="after")
    after_url = reverse("public_reports:track_after_thumb", args=[r.code, after.pk])
    assert after_url in page
    assert client.get(after_url)["Content-Type"] == "image/jpeg"
    shown_row = r.photos.get(image=shown.image_name)
    assert reverse("public_reports:track_report_thumb", args=[r.code, shown_row.pk]) in page
    hidden_url = reverse("public_reports:track_report_thumb", args=[r.code, hidden_row.pk])
    assert hidden_url not in page
    assert client.get(hidden_url).status_code == 404
    # A photo of another problem is not reachable through this code.
    other = _closed(city, report(city))
    other_after = other.problem.photos.get(kind="after")
    assert client.get(reverse("public_reports:track_after_photo", args=[r.code, other_after.pk])).status_code == 404
    for name in staff_names:
        assert name not in page


def test_the_after_photo_is_not_shown_before_rectification(client, city):
    r = services.public_report_accept(report=report(city), by=city.hq, unit=city.office_a)
    _response, page = page_of(client, track_url(r))
    assert 'id="after-photos"' not in page


@pytest.mark.parametrize(("language", "label"), [("en", "Not found on site"), ("zh-hans", "现场未发现")])
def test_a_rejected_report_shows_the_reason_to_anyone_and_the_note_to_the_reporter(client, city, language, label):
    r = services.public_report_reject(report=report(city), by=city.hq, reason=RejectReason.NOT_FOUND,
                                      note="现场核查时已清理")
    _response, page = page_of(client, track_url(r), language=language)
    assert 'data-stage="rejected"' in page and label in page and "现场核查时已清理" not in page
    assert "小区门口垃圾堆放三天无人清运" not in page and "人民路12号" not in page
    _response, page = page_of(client, track_url(r, r.follow_secret), language=language)
    assert label in page and "现场核查时已清理" in page


def test_a_merged_report_says_it_was_already_known(client, city):
    first = services.public_report_accept(report=report(city), by=city.hq)
    later = services.public_report_merge(report=report(city), by=city.hq, into_report=first)
    _response, page = page_of(client, track_url(later), language="en")
    assert "already known" in page and first.code in page


def test_an_imported_report_shows_the_official_reply_to_the_link_holder_until_published(client, city):
    submitted = services.public_report_submit(
        public_category=None, description="小区垃圾没人管", consent=False, channel="imported",
        official_reply="经核查，已安排环卫人员清运。", imported_ref="msg-1")
    r = submitted.report
    _response, page = page_of(client, track_url(r, r.follow_secret))
    assert "经核查，已安排环卫人员清运。" in page and 'id="official-reply"' in page
    _response, page = page_of(client, track_url(r))
    assert "经核查" not in page and 'id="official-reply"' not in page


def test_the_code_is_found_from_the_lookup_form_in_any_case(client, city):
    r = report(city)
    response = client.get(reverse("public_reports:track_lookup"), {"code": f" {r.code.lower()} "})
    assert response.status_code == 302 and response["Location"] == track_url(r)


@pytest.mark.parametrize(("language", "message"), [("en", "No report has this tracking code."),
                                                   ("zh-hans", "没有这个查询码的举报")])
def test_an_unknown_code_is_answered_clearly(client, city, language, message):
    response = client.get(reverse("public_reports:track_lookup"), {"code": "JB-2026-999999"},
                          HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and message in html.unescape(response.content.decode())
    assert client.get("/report/track/JB-2026-999999/").status_code == 404


# --- Rating and the reward ----------------------------------------------------------------------------


def rate(client, r, secret, satisfied="1", comment="", language="en"):
    return client.post(reverse("public_reports:track_rate", args=[r.code]),
                       {"k": secret, "satisfied": satisfied, "comment": comment}, HTTP_ACCEPT_LANGUAGE=language)


def test_only_the_follow_link_offers_the_rating_once_the_problem_is_closed(client, city):
    r = report(city)
    _response, page = page_of(client, track_url(r, r.follow_secret), language="en")
    assert "You can rate the result once the problem is closed." in page and 'id="rating-form"' not in page
    r = _closed(city, r)
    _response, page = page_of(client, track_url(r))
    assert 'id="rating' not in page
    _response, page = page_of(client, track_url(r, "guess"))
    assert 'id="rating' not in page
    _response, page = page_of(client, track_url(r, r.follow_secret))
    assert 'id="rating-form"' in page


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Only the reporter, with the link given when reporting, may rate this report."),
    ("zh-hans", "只有持有举报时所给链接的举报人才能评价"),
])
def test_rating_without_the_secret_is_refused(client, city, language, message):
    r = _closed(city, report(city))
    for secret in ("", "guess"):
        response = rate(client, r, secret, language=language)
        assert response.status_code == 403 and message in html.unescape(response.content.decode())
    r.refresh_from_db()
    assert r.satisfied is None


def test_the_reporter_rates_once_and_an_unsatisfied_rating_goes_to_review(client, city):
    r = _closed(city, report(city))
    response = rate(client, r, r.follow_secret, satisfied="0", comment="垃圾只清了一半")
    assert response.status_code == 302 and response["Location"].startswith(track_url(r, r.follow_secret))
    r.refresh_from_db()
    assert (r.satisfied, r.rating_comment, r.review_state) == (False, "垃圾只清了一半", ReviewState.PENDING)
    again = rate(client, r, r.follow_secret, satisfied="1")
    assert again.status_code == 400 and "already been rated" in html.unescape(again.content.decode())
    _response, page = page_of(client, track_url(r, r.follow_secret), language="en")
    assert "You were not satisfied" in page
    _response, public = page_of(client, track_url(r))
    assert "垃圾只清了一半" not in public


def test_a_rating_without_a_choice_is_answered_next_to_it(client, city):
    r = _closed(city, report(city))
    response = rate(client, r, r.follow_secret, satisfied="")
    assert response.status_code == 400 and "Choose satisfied or not satisfied." in response.content.decode()


def test_the_reward_state_is_shown_to_the_link_holder_only(client, city):
    RewardRule.objects.create(amount=Decimal("50"))
    r = _closed(city, report(city))
    services.rewards_create_due()
    _response, page = page_of(client, track_url(r, r.follow_secret), language="en")
    assert 'data-reward-status="pending"' in page and "50.00" in page
    _response, public = page_of(client, track_url(r))
    assert "data-reward-status" not in public
    reward = services.reward_approve(reward=r.reward, by=city.hq)
    services.reward_pay(reward=reward, by=city.hq, payment_reference="BANK-1")
    _response, page = page_of(client, track_url(r, r.follow_secret))
    assert 'data-reward-status="paid"' in page and "已发放" in page and "BANK-1" not in page


def test_a_report_photo_of_another_report_is_not_served(client, city):
    one = report(city, photos=[stored_photo()])
    other = report(city, photos=[stored_photo()])
    photo = other.photos.get()
    url = reverse("public_reports:track_report_photo", args=[one.code, photo.pk])
    assert client.get(url, {"k": one.follow_secret}).status_code == 404
    assert client.get(reverse("public_reports:track_report_photo", args=[other.code, photo.pk]),
                      {"k": other.follow_secret}).status_code == 200



def test_the_tracking_page_reads_a_fixed_number_of_queries(client, city, django_assert_max_num_queries):
    r = _closed(city, report(city, photos=[stored_photo(), stored_photo()]))
    with django_assert_max_num_queries(4):
        response = client.get(track_url(r, r.follow_secret))
    assert response.status_code == 200


def test_the_form_page_reads_a_fixed_number_of_queries(client, city, django_assert_max_num_queries):
    public_category(city)
    with django_assert_max_num_queries(5):
        assert client.get("/report/").status_code == 200


def test_a_signed_in_moderator_sees_the_public_page_without_the_reporters_details(login, city):
    r = report(city, reporter_name="李秀英", mobile="13812345678")
    for user in (city.hq, city.district_lead, city.unit_handler, city.users["public"]):
        page = html.unescape(login(user).get(track_url(r)).content.decode())
        assert r.code in page and "李秀英" not in page and "13812345678" not in page and "138****5678" not in page


# --- What a code alone shows (review of issue 10) ---------------------------------------------------

PRIVATE_TEXT = "楼下王建国家门口垃圾没人清，电话13912345678"


def test_a_code_alone_never_shows_what_a_received_report_says(client, city):
    r = report(city, description=PRIVATE_TEXT, address="幸福小区5栋302室", photos=[stored_photo()])
    photo = r.photos.get()
    for language in ("en", "zh-hans"):
        response, page = page_of(client, track_url(r), language=language)
        assert response.status_code == 200 and 'data-stage="received"' in page
        for private in ("王建国", "13912345678", "幸福小区5栋302室", f"/report-photo/{photo.pk}/"):
            assert private not in page
        assert 'id="report-unpublished"' in page
    for secret in ("", "guess", "k" * 43):
        _response, page = page_of(client, track_url(r, secret))
        assert "王建国" not in page and "幸福小区" not in page


def test_the_link_holder_sees_their_own_report_in_full(client, city):
    r = report(city, description=PRIVATE_TEXT, address="幸福小区5栋302室", photos=[stored_photo()])
    photo = r.photos.get()
    _response, page = page_of(client, track_url(r, r.follow_secret))
    assert PRIVATE_TEXT in page and "幸福小区5栋302室" in page
    thumb = reverse("public_reports:track_report_thumb", args=[r.code, photo.pk])
    assert f"{thumb}?k={r.follow_secret}" in page
    assert 'id="report-unpublished"' not in page
    r = services.public_report_reject(report=r, by=city.hq, reason=RejectReason.NOT_FOUND, note="请补充照片")
    _response, page = page_of(client, track_url(r, r.follow_secret))
    assert PRIVATE_TEXT in page and "请补充照片" in page


def test_after_acceptance_anyone_reads_the_moderated_description_and_the_place(client, city):
    r = report(city, description=PRIVATE_TEXT, address="幸福小区5栋", photos=[stored_photo()])
    r = services.public_report_edit(report=r, by=city.hq, description="小区楼下垃圾堆放无人清运")
    r = services.public_report_accept(report=r, by=city.hq, unit=city.office_a, note="已转交属地")
    _response, page = page_of(client, track_url(r))
    assert "小区楼下垃圾堆放无人清运" in page and "幸福小区5栋" in page
    assert "王建国" not in page and "13912345678" not in page and "已转交属地" not in page
    photo = r.photos.get()
    assert reverse("public_reports:track_report_thumb", args=[r.code, photo.pk]) in page
    assert client.get(reverse("public_reports:track_report_thumb", args=[r.code, photo.pk])).status_code == 200


def test_a_merged_report_is_published_like_an_accepted_one(client, city):
    first = services.public_report_accept(report=report(city), by=city.hq)
    later = services.public_report_merge(report=report(city, address="幸福小区5栋"), by=city.hq, into_report=first)
    _response, page = page_of(client, track_url(later))
    assert "小区门口垃圾堆放三天无人清运" in page and "幸福小区5栋" in page


@pytest.mark.parametrize("size", ["track_report_photo", "track_report_thumb"])
def test_a_photo_of_an_unmoderated_report_is_served_only_with_the_follow_secret(client, city, size):
    r = report(city, photos=[stored_photo()])
    url = reverse(f"public_reports:{size}", args=[r.code, r.photos.get().pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"k": "guess"}).status_code == 404
    answer = client.get(url, {"k": r.follow_secret})
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    rejected = services.public_report_reject(report=r, by=city.hq, reason=RejectReason.NOT_FOUND)
    assert client.get(url).status_code == 404
    assert client.get(url, {"k": rejected.follow_secret}).status_code == 200


def test_a_hidden_photo_is_not_served_even_with_the_follow_secret(client, city):
    r = report(city, photos=[stored_photo()])
    photo = r.photos.get()
    services.public_report_edit(report=r, by=city.hq, hide_photo_ids=[photo.pk])
    url = reverse("public_reports:track_report_photo", args=[r.code, photo.pk])
    assert client.get(url, {"k": r.follow_secret}).status_code == 404


# --- The throttle ------------------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(settings):
    settings.PUBLIC_TRACKING_RATE = "3/minute"


@pytest.mark.parametrize(("language", "message"), [("en", "Too many tracking pages"), ("zh-hans", "查询过于频繁")])
def test_walking_through_codes_is_answered_429_after_the_limit(client, city, three_a_minute, language, message):
    r = report(city)
    for n in range(3):
        assert client.get(f"/report/track/JB-2026-{900000 + n:06d}/", HTTP_ACCEPT_LANGUAGE=language).status_code == 404
    refused = client.get(track_url(r), HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 429 and message in html.unescape(refused.content.decode())
    assert int(refused["Retry-After"]) >= 1 and "no-store" in refused["Cache-Control"]
    assert client.get(reverse("public_reports:track_lookup"), {"code": r.code}).status_code == 429
    assert client.get("/report/track/JB-2026-000009/").status_code == 429  # an unknown code the same
    # Another address is not refused.
    assert client.get(track_url(r), REMOTE_ADDR="10.9.9.9").status_code == 200


def test_the_link_holder_is_never_throttled(client, city, three_a_minute):
    r = report(city)
    for _n in range(6):
        assert client.get(track_url(r, r.follow_secret)).status_code == 200
    assert client.get(track_url(r)).status_code == 429
    assert client.get(track_url(r, "guess")).status_code == 429


def test_rating_posts_count_against_the_throttle(client, city, three_a_minute):
    r = report(city)
    for _n in range(3):
        assert rate(client, r, "guess").status_code == 403
    assert rate(client, r, "guess").status_code == 429


def test_the_empty_lookup_form_is_not_counted(client, city, three_a_minute):
    for _n in range(5):
        assert client.get(reverse("public_reports:track_lookup")).status_code == 200


def test_a_declined_reward_reads_as_no_reward_without_an_amount(client, city):
    RewardRule.objects.create(amount=Decimal("50"))
    r = _closed(city, report(city))
    services.rewards_create_due()
    services.reward_decline(reward=r.reward, by=city.hq, note="举报人为责任单位工作人员")
    _response, page = page_of(client, track_url(r, r.follow_secret), language="en")
    assert 'data-reward-status="declined"' in page and "No reward is due" in page
    assert "50.00" not in page and "责任单位工作人员" not in page
