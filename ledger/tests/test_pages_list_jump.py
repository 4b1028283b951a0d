"""The ledger's jump to a date: a date positions the keyset cursor at that found date (no
OFFSET, no full count), newest or oldest first, and the pages around it follow on."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from ledger.tests.factories import record

pytestmark = pytest.mark.django_db
URL = "/ledger/problems/"
DAYS = 120
PER_DAY = 3


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def spread(city):
    """PER_DAY problems found on each of DAYS days before today (their codes by day)."""
    today = timezone.localdate()
    by_day = {}
    for back in range(1, DAYS + 1):
        day = today - timedelta(days=back)
        for hour in (8, 12, 23):
            found = timezone.make_aware(datetime.combine(day, time(hour, 59)))
            by_day.setdefault(day, []).append(record(city, by=city.hq, found_at=found).code)
    return by_day


def codes_on(response) -> list[str]:
    return re.findall(r'<tr data-problem="([^"]+)"', response.content.decode())


def test_a_jump_newest_first_starts_with_the_last_problem_found_that_day(city, login, spread,
                                                                         django_assert_max_num_queries):
    client = login(city.hq)
    client.get(URL)  # the session's and the user's first reads are not the page's
    day = timezone.localdate() - timedelta(days=77)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"jump": day.isoformat()})
    codes = codes_on(response)
    assert len(codes) == 50
    # Newest first: that day's three problems (23:59, 12:59, 8:59), then the days before it.
    assert codes[:3] == list(reversed(spread[day]))
    assert codes[3:6] == list(reversed(spread[day - timedelta(days=1)]))
    assert 'rel="prev"' in response.content.decode() and 'rel="next"' in response.content.decode()


def test_a_jump_oldest_first_starts_with_the_first_problem_found_that_day(city, login, spread):
    day = timezone.localdate() - timedelta(days=40)
    codes = codes_on(login(city.hq).get(URL, {"jump": day.isoformat(), "sort": "found"}))
    assert codes[:3] == spread[day]
    assert codes[3:6] == spread[day + timedelta(days=1)]


def test_the_page_before_a_jump_holds_the_newer_problems(city, login, spread):
    client = login(city.hq)
    day = timezone.localdate() - timedelta(days=77)
    html = client.get(URL, {"jump": day.isoformat()}).content.decode()
    previous = re.search(r'href="\?([^"]+)" rel="prev"', html).group(1).replace("&amp;", "&")
    codes = codes_on(client.get(f"{URL}?{previous}"))
    assert codes[-3:] == list(reversed(spread[day + timedelta(days=1)]))


def test_a_jump_keeps_the_filters_and_a_bad_date_shows_the_first_page(city, login, spread):
    client = login(city.hq)
    day = timezone.localdate() - timedelta(days=10)
    assert codes_on(client.get(URL, {"jump": day.isoformat(), "q": "no-such-text"})) == []
    newest = spread[timezone.localdate() - timedelta(days=1)][-1]
    assert codes_on(client.get(URL, {"jump": "2026-02-31"}))[0] == newest
