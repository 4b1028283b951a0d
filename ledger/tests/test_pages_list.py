"""The ledger page: scoping, filters, Chinese search, sorting, keyset pages, bounded queries."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ledger import services
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db
URL = "/ledger/problems/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def codes_on(response) -> list[str]:
    return re.findall(r'<tr data-problem="([^"]+)"', response.content.decode())


def next_link(response, rel: str) -> str | None:
    """The URL of the next (rel="next") or previous (rel="prev") page, or None."""
    match = re.search(rf'href="([^"]+)" rel="{rel}"', response.content.decode())
    if not match:
        return None
    link = match.group(1).replace("&amp;", "&")
    return URL + link if link.startswith("?") else link


def make_overdue(problem, days: int) -> Problem:
    # The services refuse a deadline in the past, so time is moved instead: the deadline is
    # set as if the problem had been assigned ``days`` + 7 days ago.
    Problem.objects.filter(pk=problem.pk).update(deadline=timezone.localdate() - timedelta(days=days))
    return Problem.objects.get(pk=problem.pk)


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_member_of_the_public_may_not_open_the_ledger(city, login):
    assert login(city.public).get(URL).status_code == 403


def test_district_lead_sees_only_their_districts_problems(city, login):
    mine = record(city)
    theirs = record(city, point=city.points_b[0], by=city.hq)
    codes = codes_on(login(city.district_lead).get(URL))
    assert mine.code in codes
    assert theirs.code not in codes


def test_district_filter_offers_only_the_users_district(city, login):
    html = login(city.district_lead).get(URL).content.decode()
    assert "District A" in html or "甲区" in html
    assert "乙区" not in html and "乙街道办" not in html


def test_hq_sees_the_whole_city(city, login):
    mine = record(city)
    theirs = record(city, point=city.points_b[0], by=city.hq)
    codes = codes_on(login(city.hq).get(URL))
    assert {mine.code, theirs.code} <= set(codes)


def test_chinese_search_finds_live_poultry(city, login):
    poultry = record(city, description="活禽宰杀区未封闭")
    other = record(city, description="垃圾桶满溢")
    codes = codes_on(login(city.hq).get(URL, {"q": "活禽"}))
    assert codes == [poultry.code]
    assert other.code not in codes


def test_status_filter_takes_several_states(city, login):
    found = problem_in(city, Status.FOUND)
    assigned = problem_in(city, Status.ASSIGNED)
    closed = problem_in(city, Status.CLOSED)
    codes = codes_on(login(city.hq).get(URL, {"status": ["found", "assigned"]}))
    assert set(codes) == {found.code, assigned.code}
    assert closed.code not in codes


def test_overdue_filter_and_badge_show_the_days_overdue(city, login, en):
    late = make_overdue(problem_in(city, Status.RECTIFYING), 4)
    on_time = problem_in(city, Status.RECTIFYING)
    response = login(city.hq).get(URL, {"overdue": "true"})
    assert codes_on(response) == [late.code]
    assert on_time.code not in codes_on(response)
    assert 'data-days="4"' in response.content.decode()
    assert "Overdue 4 days" in response.content.decode()


def test_a_closed_problem_past_its_deadline_is_not_overdue(city, login):
    closed = make_overdue(problem_in(city, Status.CLOSED), 10)
    assert codes_on(login(city.hq).get(URL, {"overdue": "true"})) == []
    assert closed.days_overdue == 0


def test_sorting_by_days_overdue_puts_the_most_overdue_first(city, login):
    a = make_overdue(problem_in(city, Status.ASSIGNED), 2)
    b = make_overdue(problem_in(city, Status.ASSIGNED), 9)
    c = problem_in(city, Status.FOUND)
    codes = codes_on(login(city.hq).get(URL, {"sort": "overdue"}))
    assert codes.index(b.code) < codes.index(a.code) < codes.index(c.code)


def test_sorting_by_deadline_keeps_problems_without_one_last(city, login):
    later = problem_in(city, Status.ASSIGNED)
    sooner = make_overdue(problem_in(city, Status.ASSIGNED), 1)
    none = problem_in(city, Status.FOUND)
    codes = codes_on(login(city.hq).get(URL, {"sort": "deadline"}))
    assert codes == [sooner.code, later.code, none.code]


def test_found_date_range_filters(city, login):
    old = record(city, found_at=timezone.now() - timedelta(days=30))
    new = record(city)
    since = (timezone.localdate() - timedelta(days=3)).isoformat()
    codes = codes_on(login(city.hq).get(URL, {"found_from": since}))
    assert new.code in codes and old.code not in codes


@pytest.mark.parametrize("sort", ["-found", "found", "deadline", "-deadline", "overdue"])
def test_keyset_pages_walk_every_problem_once_forwards_and_back(city, login, sort):
    start = timezone.now() - timedelta(days=10)
    for i in range(120):
        # Pairs found at the same moment test the tie-break on id.
        problem = record(city, found_at=start + timedelta(hours=i // 2), by=city.hq)
        if i % 3 == 0:
            services.problem_assign(problem=problem, unit=city.office_a, by=city.hq,
                                    deadline=timezone.localdate() + timedelta(days=i % 7))
        if i % 5 == 0 and i % 3 == 0:
            make_overdue(problem, i % 4 + 1)
    client = login(city.hq)
    url, pages, seen = f"{URL}?sort={sort}", [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(url)
        seen.extend(codes_on(response))
        url = next_link(response, "next")
    assert len(pages) == 3
    assert len(seen) == len(set(seen)) == 120
    # And back from the last page to the first, page by page, the same rows in the same order.
    back = []
    url = next_link(client.get(pages[-1]), "prev")
    while url:
        response = client.get(url)
        back = codes_on(response) + back
        url = next_link(response, "prev")
    assert back == seen[: len(back)]
    assert len(back) == 100


def test_found_order_is_newest_first(city, login):
    first = record(city, found_at=timezone.now() - timedelta(days=2))
    second = record(city, found_at=timezone.now() - timedelta(days=1))
    assert codes_on(login(city.hq).get(URL)) == [second.code, first.code]


def test_a_forged_cursor_shows_the_first_page(city, login):
    problem = record(city)
    response = login(city.hq).get(URL, {"cursor": "not-a-cursor"})
    assert response.status_code == 200
    assert codes_on(response) == [problem.code]


def test_the_count_stops_at_its_limit(city, login, monkeypatch, en):
    monkeypatch.setattr("ledger.views.problems.COUNT_LIMIT", 3)
    for _ in range(5):
        record(city)
    html = login(city.hq).get(URL).content.decode()
    assert "More than 3 problems" in html


def test_queries_per_page_do_not_grow_with_the_rows(city, login, django_assert_max_num_queries):
    client = login(city.team_lead)
    for _ in range(3):
        problem_in(city, Status.ASSIGNED)
    # The search looks up the matching sample points first: one query more than a plain page.
    with django_assert_max_num_queries(15) as few:
        client.get(URL, {"sort": "overdue", "q": "活禽"})
    for _ in range(30):
        problem_in(city, Status.RECTIFYING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"sort": "overdue", "q": "活禽"})
    assert len(codes_on(response)) == 33


def test_hq_gets_tick_boxes_for_bulk_assignment_and_a_unit_handler_does_not(city, login):
    problem = record(city)
    assert f'name="problems" value="{problem.pk}"' in login(city.hq).get(URL).content.decode()
    services.problem_assign(problem=problem, unit=city.office_a, by=city.hq)
    assert 'name="problems"' not in login(city.unit_handler).get(URL).content.decode()
