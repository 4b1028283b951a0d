"""The public red and black list (/public/): anyone may read it without signing in; it shows only
what HQ has published and nothing about a person; proxies may keep it (Cache-Control, ETag,
Last-Modified, 304); the Atom feed lists the published reports; both languages."""

import datetime as dt
import functools

import pytest
from defusedxml import ElementTree as ET
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from reports import public_board, services
from reports.choices import ReportKind, ReportStatus
from reports.models import Report
from reports.periods import last_finished

from .engine_support import broker_fixture, found_last_week, media_fixture  # noqa: F401 - fixtures

BOARD = reverse("public_board:board")
FEED = reverse("public_board:feed")
ATOM = "{http://www.w3.org/2005/Atom}"

# What a report's data holds for staff and the public must never see.
PERSONAL = ("张网格长", "李网格长", "王副市长", "13812345678", "王五", "handler_zhang", "hq")


def rate(numerator, denominator):
    return {"numerator": numerator, "denominator": denominator, "value": numerator / denominator}


def exposure_data():
    week = last_finished(ReportKind.WEEKLY_EXPOSURE)
    return {
        "kind": "weekly_exposure",
        "period": {"start": week.start.isoformat(), "end": week.end.isoformat(), "label": week.label},
        "rule": {"min_due": 3, "units": 5, "districts": 2, "problems": 10, "text": "stored rule"},
        "problem_lists": [{"key": "serious", "total": 1, "items": [{
            "id": 1, "code": "P-1", "description": "联系人王五 13812345678 反映垃圾堆放", "address": "甲路 8 号",
            "unit": "甲街道办", "photos": [{"url": "/ledger/photos/1/"}], "recorded_by": "handler_zhang"}]}],
        "red_list": {
            "districts": [{"id": 1, "position": 1, "name": "甲区", "name_en": "District A", "due": 4,
                           "closed_on_time": 4, "overdue": 0, "on_time_rate": rate(4, 4)}],
            "units": [{"id": 10, "position": 1, "name": "红榜街道办", "name_en": "Red Street Office", "due": 5,
                       "closed_on_time": 5, "overdue": 0, "on_time_rate": rate(5, 5)}]},
        "black_list": {
            "districts": [{"id": 2, "position": 1, "name": "乙区", "name_en": "District B", "due": 4,
                           "closed_on_time": 1, "overdue": 3, "on_time_rate": rate(1, 4)}],
            "units": [{"id": 11, "position": 1, "name": "黑榜街道办", "name_en": "Black Street Office", "due": 6,
                       "closed_on_time": 1, "overdue": 5, "on_time_rate": rate(1, 6)}]},
        "below_minimum": {"units": 0, "districts": 0},
    }


def comparison_data():
    month = last_finished(ReportKind.MONTHLY_COMPARISON)
    row = {"name_en": "", "due": 9, "previous_rank": None, "change": None, "team_ids": []}
    return {
        "kind": "monthly_comparison",
        "period": {"start": month.start.isoformat(), "end": month.end.isoformat(), "label": month.label},
        "previous_period": {"label": month.previous().label},
        "formula": {"weights": {"inspection_score": 30, "closure_rate": 20, "on_time_rate": 30, "rebound_rate": 10,
                                "rejection_rate": 10, "accountability": 0},
                    "min_due": 5, "districts_need_inspections": True, "points_per_record": 10, "text": "stored"},
        "districts": {"ranked": [{**row, "id": 2, "rank": 1, "name": "乙区", "name_en": "District B", "score": 91.25,
                                  "previous_rank": 2, "change": 1},
                                 {**row, "id": 1, "rank": 2, "name": "甲区", "name_en": "District A", "score": 70.5,
                                  "previous_rank": 1, "change": -1}],
                      "unranked": []},
        "units": {"ranked": [{**row, "id": 12, "rank": 1, "name": "榜首单位", "score": 88.0}], "unranked": []},
        "grids": [{"district": "甲区", "name": "甲一网格", "chief_name": "张网格长", "chiefs": ["张网格长"]}],
        "roads": [],
    }


def make(kind, *, published=True, data=None, version=1, district=None, at=None) -> Report:
    period = last_finished(kind)
    return Report.objects.create(
        kind=kind, period_start=period.start, period_end=period.end, version=version, status=ReportStatus.DONE,
        district=district, scope_key=Report.scope_key_for(district),
        data=data if data is not None else (exposure_data() if kind == ReportKind.WEEKLY_EXPOSURE
                                             else comparison_data()),
        published_at=(at or timezone.now()) if published else None,
    )


@pytest.fixture
def counts(monkeypatch):
    """This month's public-channel counts as public_reports.selectors would give them."""
    asked = []

    def fake(*, year, month):
        asked.append((year, month))
        return {"received": 42, "accepted": 30, "fixed": 21, "rewarded": 7}

    monkeypatch.setattr(public_board, "public_month_counts", fake)
    return asked


@pytest.fixture
def frozen(monkeypatch):
    """The board read at one moment for the whole test (its counts' window does not move)."""
    now = timezone.now() - dt.timedelta(seconds=2)  # what HQ publishes during the test is later
    monkeypatch.setattr(public_board, "public_board", functools.partial(public_board.public_board, now=now))
    return now


def window_start(now) -> float:
    return now.timestamp() // public_board.COUNTS_WINDOW_SECONDS * public_board.COUNTS_WINDOW_SECONDS


def text(response) -> str:
    return response.content.decode()


# --- Anyone may read it -------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "public", "unit_handler", "hq"])
def test_anyone_reads_the_board_signed_in_or_not(city, login, who):
    make(ReportKind.WEEKLY_EXPOSURE)
    response = login(city.users[who] if who else None).get(BOARD)
    assert response.status_code == 200
    assert "红榜街道办" in text(response) and "黑榜街道办" in text(response)


def test_the_board_shows_the_red_and_black_lists_the_rule_the_ranking_and_the_counts(city, client, counts):
    make(ReportKind.WEEKLY_EXPOSURE)
    make(ReportKind.MONTHLY_COMPARISON)
    page = text(client.get(BOARD, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    red = page.index('id="public-red-list"')
    black = page.index('id="public-black-list"')
    assert red < page.index("红榜街道办") < black < page.index("黑榜街道办")
    assert "100.0 %" in page and "16.7 %" in page  # the on-time rates
    # The rule as the exposure keeps its figures, in the reader's language.
    assert "按期结案率" in page and "3" in page
    assert 'id="public-comparison"' in page and "91.2" in page or "91.3" in page
    assert page.index("乙区", page.index('id="public-comparison"')) < page.index("甲区", page.index('id="public-comparison"'))
    today = timezone.localdate()
    assert counts == [(today.year, today.month)]
    for key, value in (("received", 42), ("accepted", 30), ("fixed", 21), ("rewarded", 7)):
        assert f'data-count="{key}">{value}<' in page


def test_the_counts_are_this_months_reports_and_never_the_reporters_details(city, client):
    from public_reports import services as public
    from public_reports.tests.factories import report as public_report

    first = public_report(city, reporter_name="李女士", mobile="13812345678", address="人民路12号")
    public_report(city, reporter_name="赵先生", mobile="13900001111")
    public.public_report_accept(report=first, by=city.hq)
    make(ReportKind.WEEKLY_EXPOSURE)
    page = text(client.get(BOARD))
    assert 'data-count="received">2<' in page and 'data-count="accepted">1<' in page
    for detail in ("李女士", "赵先生", "13812345678", "13900001111", "138****5678", "人民路12号", first.code,
                   "小区门口垃圾堆放"):
        assert detail not in page, detail


# --- Only what HQ published --------------------------------------------------------------------


def test_only_published_city_wide_reports_appear(city, client):
    make(ReportKind.WEEKLY_EXPOSURE, published=False)
    make(ReportKind.MONTHLY_COMPARISON, published=False)
    page = text(client.get(BOARD))
    assert "红榜街道办" not in page and "榜首单位" not in page
    assert 'id="public-no-exposure"' in page and 'id="public-no-comparison"' in page
    # A district's own report, even published, is not the city's board.
    make(ReportKind.WEEKLY_EXPOSURE, district=city.district_a, version=1)
    assert "红榜街道办" not in text(client.get(BOARD))


def test_a_newer_draft_leaves_the_published_version_on_the_board(city, client):
    published = exposure_data()
    published["red_list"]["units"][0]["name"] = "已发布单位"
    make(ReportKind.WEEKLY_EXPOSURE, data=published)
    make(ReportKind.WEEKLY_EXPOSURE, published=False, version=2)  # regenerated, not published
    page = text(client.get(BOARD))
    assert "已发布单位" in page and "红榜街道办" not in page


def test_hq_publishing_a_comparison_puts_it_on_the_board(city, client, broker):
    draft = make(ReportKind.MONTHLY_COMPARISON, published=False)
    assert "榜首单位" not in text(client.get(BOARD))
    services.report_publish(report=draft, by=city.hq)
    assert "榜首单位" in text(client.get(BOARD))


def test_no_persons_details_appear_on_the_board_the_report_page_or_the_feed(city, client):
    exposure = make(ReportKind.WEEKLY_EXPOSURE)
    comparison = make(ReportKind.MONTHLY_COMPARISON)
    pages = [client.get(BOARD), client.get(BOARD + "?lang=en"), client.get(FEED),
             client.get(reverse("public_board:report", args=[exposure.pk])),
             client.get(reverse("public_board:report", args=[comparison.pk]))]
    for response in pages:
        assert response.status_code == 200
        body = text(response)
        for detail in PERSONAL:
            assert detail not in body.replace("https://", "").replace("http://", ""), detail
        assert "/ledger/photos/" not in body and "甲路 8 号" not in body and "垃圾堆放" not in body


def test_no_persons_details_from_a_real_exposure_and_comparison(city, client, broker):
    """The real kinds, computed from a ledger whose problem names a person and a mobile number."""
    for point in (city.points_a[0], city.points_b[0]):
        problem = found_last_week(city, point=point)
        problem.description = "举报人王五 13812345678"
        problem.save(update_fields=["description"])
    for kind in (ReportKind.WEEKLY_EXPOSURE, ReportKind.MONTHLY_COMPARISON):
        report = services.report_request(kind=kind, period_start=last_finished(kind).start, requested_by=city.hq)
        report = services.report_run(report_id=report.pk)
        assert report.status == ReportStatus.DONE, report.failure
        services.report_publish(report=report, by=city.hq)
    for response in (client.get(BOARD), client.get(FEED)):
        body = text(response)
        for detail in (*PERSONAL, city.inspector.username, city.inspector.full_name):
            assert detail not in body, detail


def test_an_unpublished_or_district_report_page_is_404(city, client):
    draft = make(ReportKind.MONTHLY_COMPARISON, published=False)
    district = make(ReportKind.WEEKLY_EXPOSURE, district=city.district_a)
    assignment = make(ReportKind.WEEKLY_ASSIGNMENT, data={})
    for report in (draft, district, assignment):
        assert client.get(reverse("public_board:report", args=[report.pk])).status_code == 404


# --- Cacheable ---------------------------------------------------------------------------------


def test_the_board_is_cacheable_with_etag_and_last_modified(city, client, frozen):
    published_at = frozen  # in the counts' window: the publication dates the board
    make(ReportKind.WEEKLY_EXPOSURE, at=published_at)
    response = client.get(BOARD)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=300"} <= cache_control
    assert response["ETag"] and response["Last-Modified"] == http_date(published_at.timestamp())
    assert "Set-Cookie" not in response and not response.cookies
    assert "X-Robots-Tag" not in response  # indexable: the media and search engines may find it


def test_a_signed_in_visitor_gets_a_private_copy(city, login):
    """The same board, but a shared cache keeps no answer to a request that carries a session."""
    make(ReportKind.WEEKLY_EXPOSURE)
    response = login(city.hq).get(BOARD)
    assert response.status_code == 200 and "红榜街道办" in text(response)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_an_old_publication_dates_the_board_from_the_counts_window(city, client, frozen):
    """The counts move without a publication: a date-only revalidation gets them at most one
    window (Cache-Control's max-age) old."""
    make(ReportKind.WEEKLY_EXPOSURE, at=frozen - dt.timedelta(days=3))
    assert client.get(BOARD)["Last-Modified"] == http_date(window_start(frozen))


def test_a_matching_conditional_request_gets_304_until_hq_publishes_again(city, client, broker, frozen):
    make(ReportKind.WEEKLY_EXPOSURE, at=timezone.now() - dt.timedelta(hours=3))
    first = client.get(BOARD)
    again = client.get(BOARD, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and "max-age=300" in again["Cache-Control"]
    since = client.get(BOARD, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    draft = make(ReportKind.MONTHLY_COMPARISON, published=False)
    assert client.get(BOARD, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304  # a draft changes nothing
    services.report_publish(report=draft, by=city.hq)
    changed = client.get(BOARD, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert client.get(BOARD, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


def test_a_published_reports_page_is_cacheable_and_answers_304(city, client):
    exposure = make(ReportKind.WEEKLY_EXPOSURE, at=timezone.now() - dt.timedelta(hours=1))
    page = reverse("public_board:report", args=[exposure.pk])
    first = client.get(page)
    assert first.status_code == 200 and "public" in first["Cache-Control"]
    assert first["Last-Modified"] == http_date(exposure.published_at.timestamp())
    assert client.get(page, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(page, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_new_counts_change_the_etag(city, client, monkeypatch):
    make(ReportKind.WEEKLY_EXPOSURE)
    first = client.get(BOARD)
    monkeypatch.setattr(public_board, "public_month_counts",
                        lambda *, year, month: {"received": 1, "accepted": 0, "fixed": 0, "rewarded": 0})
    assert client.get(BOARD, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_languages_have_their_own_etag(city, client):
    make(ReportKind.WEEKLY_EXPOSURE)
    chinese = client.get(BOARD + "?lang=zh-hans")
    english = client.get(BOARD + "?lang=en")
    assert chinese["ETag"] != english["ETag"]
    assert client.get(BOARD + "?lang=en", HTTP_IF_NONE_MATCH=chinese["ETag"]).status_code == 200


def test_the_board_costs_a_fixed_number_of_queries(city, client, django_assert_max_num_queries):
    make(ReportKind.WEEKLY_EXPOSURE)
    make(ReportKind.MONTHLY_COMPARISON)
    # The campaign, the latest exposure, the latest comparison, the counts (public_reports: two).
    with django_assert_max_num_queries(5):
        response = client.get(BOARD)
    assert response.status_code == 200


def test_writes_are_refused(city, client):
    assert client.post(BOARD).status_code == 405


# --- Both languages, print, feed ---------------------------------------------------------------


def test_the_board_and_the_feed_carry_the_campaigns_name(city, client):
    from campaign.models import Campaign

    Campaign.objects.create(name="开封市创建国家卫生城市", city="开封", kind="creating")
    make(ReportKind.WEEKLY_EXPOSURE)
    assert "<title>创卫红黑榜 · 开封市创建国家卫生城市</title>" in text(client.get(BOARD))
    root = ET.fromstring(client.get(FEED).content)
    assert root.find(f"{ATOM}title").text == "开封市创建国家卫生城市：创卫红黑榜"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "开封市创建国家卫生城市"


def test_chinese_first_and_english_on_request(city, client):
    make(ReportKind.WEEKLY_EXPOSURE)
    make(ReportKind.MONTHLY_COMPARISON)
    chinese = client.get(BOARD, HTTP_ACCEPT_LANGUAGE="")
    assert chinese["Content-Language"] == "zh-hans"
    page = text(chinese)
    assert '<html lang="zh-hans">' in page and "红榜" in page and "黑榜" in page and "红榜街道办" in page
    english = client.get(BOARD + "?lang=en")
    assert english["Content-Language"] == "en"
    page = text(english)
    assert '<html lang="en">' in page and "Red list" in page and "Black list" in page
    assert "Red Street Office" in page and "on-time closure rate" in page
    assert client.get(BOARD, HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


def test_the_page_prints_on_a4_without_a_cdn(city, client):
    page = text(client.get(BOARD))
    assert "/static/css/public_board.css" in page
    assert "https://" not in page and "http://" not in page.replace('xmlns="http://', "")
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/public_board.css"), encoding="utf-8").read()
    assert "@page { size: A4" in css and "@media print" in css


def test_the_feed_is_atom_with_one_entry_per_published_report(city, client):
    make(ReportKind.WEEKLY_EXPOSURE, at=timezone.now() - dt.timedelta(days=1))
    make(ReportKind.MONTHLY_COMPARISON)
    make(ReportKind.WEEKLY_EXPOSURE, published=False, version=2)
    make(ReportKind.WEEKLY_ASSIGNMENT, data={})
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "public" in response["Cache-Control"]
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    # RFC 4287: a feed has an id, a title, an updated time and an author (for its entries too).
    for required in ("id", "title", "updated", "author/{http://www.w3.org/2005/Atom}name"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for required in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    newest = entries[0]
    assert "Monthly comparison" in newest.find(f"{ATOM}title").text or "月" in newest.find(f"{ATOM}title").text
    link = newest.find(f"{ATOM}link").get("href")
    assert client.get(link.split("testserver", 1)[-1]).status_code == 200
    assert "榜首单位" in newest.find(f"{ATOM}summary").text


def test_the_feed_in_english(city, client):
    make(ReportKind.WEEKLY_EXPOSURE)
    root = ET.fromstring(client.get(FEED + "?lang=en").content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text.startswith("Weekly exposure")
    assert "Red Street Office" in entry.find(f"{ATOM}summary").text
