"""The ledger page and list endpoint stay lean: few queries, the filter form's long lists
loaded on demand (not rendered with the page), no deep copy of the filters per request,
choice labels from one dict per language."""

import copy
import re
from unittest import mock
from urllib.parse import unquote

import pytest

from ledger.choices import Status
from ledger.filters import ProblemFilterSet
from ledger.models import Problem
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db
URL = "/ledger/problems/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def counted(html: str) -> str:
    """The page's count line ("3 个问题", "超过 1000 个问题")."""
    return re.search(r'id="ledger-count">(.*?)</', html, re.S).group(1).strip()


def options_of(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


@pytest.mark.parametrize(("who", "queries"), [("hq", 3), ("district_lead", 3)])
def test_ledger_page_takes_three_queries(city, login, who, queries, django_assert_num_queries):
    """The session, the user and the page's rows (the session is read from the cache where
    Redis is configured: one fewer, campaign/tests/test_sessions.py). The page holds every
    match, so they are counted on it (ledger.pagination.page_count); a list that runs on to a
    next page is counted by one more query (below). A district lead's district, named in the
    header, is kept (User.scope_label), as are the current campaign and the menu's counts
    (tasks, unread notifications: TASK_COUNTS_CACHE_SECONDS, NOTIFICATION_UNREAD_CACHE_SECONDS):
    a page in steady use. A chosen filter value adds one query (it is checked and labelled with
    the same row)."""
    user = city.hq if who == "hq" else city.users["district_lead"]
    for _ in range(3):
        problem_in(city, Status.ASSIGNED)
    client = login(user)
    client.get(URL)
    with django_assert_num_queries(queries):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<tr data-problem=", html)) == 3
    assert counted(html) == "3 个问题"
    with django_assert_num_queries(queries + 1):
        chosen = client.get(URL, {"district": city.district_a.pk}).content.decode()
    assert f'<option value="{city.district_a.pk}" selected>{city.district_a}</option>' in chosen


def test_a_list_that_runs_on_is_counted_by_its_page_query(city, login, monkeypatch, django_assert_num_queries):
    """Two to a page: the first page has a next one, so the matches are counted (at most
    COUNT_LIMIT) by the page's own query (ledger.pagination.BoundedCount); the second page too (it
    came from a cursor); a filter that leaves one problem is counted on its page. A search keeps
    its count apart (it may be slow to run twice), run only when its page runs on."""
    monkeypatch.setattr("ledger.views.problems.PER_PAGE", 2)
    for status in (Status.ASSIGNED, Status.ASSIGNED, Status.RECTIFYING):
        problem_in(city, status)
    client = login(city.hq)
    client.get(URL)
    with django_assert_num_queries(3):
        first = client.get(URL).content.decode()
    assert len(re.findall(r"<tr data-problem=", first)) == 2
    assert counted(first) == "3 个问题"
    cursor = unquote(re.search(r'href="\?cursor=([^"&]+)" rel="next"', first).group(1))
    with django_assert_num_queries(3):
        second = client.get(URL, {"cursor": cursor}).content.decode()
    assert len(re.findall(r"<tr data-problem=", second)) == 1
    assert counted(second) == "3 个问题"
    with django_assert_num_queries(3):
        one = client.get(URL, {"status": Status.RECTIFYING}).content.decode()
    assert counted(one) == "1 个问题"
    with django_assert_num_queries(4):  # and the chosen district, checked
        two = client.get(URL, {"status": Status.ASSIGNED, "district": city.district_a.pk}).content.decode()
    assert counted(two) == "2 个问题"
    code = Problem.objects.order_by("pk").first().code
    # A search reads the sample points whose name matches first. Its page runs on: the rows come
    # without a count ("more than" a page), which the page then asks problem_count for.
    with django_assert_num_queries(4):
        searched = client.get(URL, {"q": code[:4], "sort": "found", "cursor": ""}).content.decode()
    assert counted(searched) == "超过 2 个问题"
    count_url = re.search(r'data-count-url="([^"]+)"', searched).group(1).replace("&amp;", "&")
    assert count_url == f"/ledger/problems/count/?q={code[:4]}"
    with django_assert_num_queries(4):  # the session, the user, the sample points, the bounded count
        answer = client.get(count_url).json()
    assert answer == {"count": 3, "more": False, "text": "3 个问题"}
    # "Apply" on an empty filter form sends every field empty: nothing is searched, the page's
    # own query counts the list.
    with django_assert_num_queries(3):
        applied = client.get(URL, {"q": "", "district": "", "category": "", "status": ""}).content.decode()
    assert counted(applied) == "3 个问题" and "data-count-url" not in applied
    with django_assert_num_queries(4):
        found = client.get(URL, {"q": code}).content.decode()
    assert counted(found) == "1 个问题" and "data-count-url" not in found
    # Past the limit, the count says "more than" (on the page's query as apart).
    monkeypatch.setattr("ledger.views.problems.COUNT_LIMIT", 2)
    assert "超过 2 个问题" in counted(client.get(URL).content.decode())
    assert client.get(count_url).json() == {"count": 2, "more": True, "text": "超过 2 个问题"}


def test_an_empty_page_reached_by_a_cursor_still_counts_the_list(city, login):
    """A jump to a day before the first problem, newest first, shows no row; the list still
    has its problems, and the count says so (only a page read from the first row that holds
    every match is counted on the page)."""
    for _ in range(3):
        problem_in(city, Status.ASSIGNED)
    client = login(city.hq)
    html = client.get(URL, {"jump": "2001-01-01"}).content.decode()
    assert len(re.findall(r"<tr data-problem=", html)) == 0
    assert counted(html) == "3 个问题"
    html = client.get(URL, {"jump": "2001-01-01", "sort": "found"}).content.decode()
    assert len(re.findall(r"<tr data-problem=", html)) == 3
    assert counted(html) == "3 个问题"


def test_filter_form_renders_only_the_chosen_sample_point_and_searches_the_rest(city, login):
    chosen = city.points_a[1]
    html = login(city.hq).get(URL, {"sample_point": chosen.pk}).content.decode()
    assert options_of(html, "sample_point") == ["", str(chosen.pk)]
    assert f'<option value="{chosen.pk}" selected>{chosen.code} {chosen.name}</option>' in html
    select = re.search(r'<select name="sample_point"[^>]*>', html).group(0)
    assert 'data-search-select="/api/sample-points/"' in select
    assert 'data-label-fields="code,name"' in select
    for name in ("district", "responsible_unit", "team", "category", "problem_class"):
        assert options_of(html, name) == [""], name


def test_search_select_source_answers_only_what_the_user_may_see(city, login):
    client = login(city.users["district_lead"])
    other = city.points_b[0]
    answer = client.get("/api/sample-points/", {"search": other.name, "page_size": 20}).json()
    assert other.pk not in [row["id"] for row in answer["results"]]
    mine = city.points_a[0]
    answer = client.get("/api/sample-points/", {"search": mine.name, "page_size": 20}).json()
    assert mine.pk in [row["id"] for row in answer["results"]]


def test_filter_set_does_not_deep_copy_its_filters_per_request(city, rf):
    request = rf.get(URL)
    request.user = city.hq
    with mock.patch("django_filters.filterset.copy.deepcopy", wraps=copy.deepcopy) as deepcopy:
        filterset = ProblemFilterSet({"q": "活禽"}, request=request)
        filterset.qs  # noqa: B018 - builds the form and filters
    assert not [c for c in deepcopy.call_args_list if c.args and c.args[0] is ProblemFilterSet.base_filters]
    assert filterset.filters["sample_point"] is not ProblemFilterSet.base_filters["sample_point"]


def test_one_requests_scoped_choices_do_not_leak_into_the_next(city, rf):
    lead, hq = rf.get(URL), rf.get(URL)
    lead.user, hq.user = city.users["district_lead"], city.hq
    other_point = city.points_b[0]
    scoped = ProblemFilterSet({"sample_point": other_point.pk}, request=lead)
    assert not scoped.is_valid()  # another district's point is not a choice for the lead
    whole_city = ProblemFilterSet({"sample_point": other_point.pk, "q": "活禽"}, request=hq)
    assert whole_city.is_valid(), whole_city.errors
    assert whole_city.filters["q"].parent is whole_city  # the search method is this request's


def test_status_labels_follow_the_language(city, login):
    problem_in(city, Status.ASSIGNED)
    client = login(city.hq)
    english = client.get("/api/problems/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    chinese = client.get("/api/problems/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    assert english["status_label"] == "Assigned"
    assert english["status_label"] != chinese["status_label"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_list_endpoint_rows_say_what_the_generic_serializer_says(city, language):
    from django.utils import translation
    from rest_framework import serializers

    from ledger.api.serializers import ProblemListSerializer
    from ledger.models import Problem

    problem_in(city, Status.ASSIGNED)
    problem_in(city, Status.CLOSED, point=city.points_a[1])
    problem_in(city, Status.FOUND)
    rows = Problem.objects.select_related("category", "district", "sample_point", "responsible_unit", "team")
    with translation.override(language):
        serializer = ProblemListSerializer()
        for problem in rows:
            assert serializer.to_representation(problem) == serializers.ModelSerializer.to_representation(
                serializer, problem
            )


def test_a_page_without_filter_values_builds_no_filter_form_once_its_fields_are_kept(city, login):
    """The filter fields come from the memo (no filter value sent: a first page, a cursor, a
    sort; or only the search, which the fields leave out): the form is not built (django-filter's
    form deep-copies its 22 fields). A filter value not rendered before builds it, once; the page
    is the same either way, the search box included."""
    from ledger.views import problems as views

    client = login(city.hq)
    problem_in(city, Status.ASSIGNED)
    first = client.get(URL).content.decode()  # renders and keeps the filter fields
    client.get(URL, {"sort": "deadline"})  # data without a filter value: kept under their own key
    with mock.patch.object(views, "_filter_form", wraps=views._filter_form) as built:
        again = client.get(URL).content.decode()
        sorted_only = client.get(URL, {"sort": "deadline"}).content.decode()
        assert built.call_count == 0
        searched = client.get(URL, {"q": '<b>"x"'}).content.decode()
        assert built.call_count == 0
        severe = client.get(URL, {"severity": "serious"}).content.decode()
        assert built.call_count == 1
        severe_again = client.get(URL, {"severity": "serious"}).content.decode()
        assert built.call_count == 1
    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert unmasked.sub("", severe_again) == unmasked.sub("", severe)
    assert re.search(r'<option value="serious" selected>', severe)
    assert unmasked.sub("", again) == unmasked.sub("", first)
    assert 'id="id_q" value=""' in first and 'name="status"' in sorted_only
    assert 'value="&lt;b&gt;&quot;x&quot;"' in searched


def test_the_count_on_the_page_is_right_and_runs_only_with_a_row(city):
    """ledger.pagination.BoundedCount: the count a page's query carries is bounded_count's, on
    both databases; on PostgreSQL the database does not run it for a page without a row (an
    InitPlan runs when its value is first needed)."""
    from django.db import connection

    from ledger.pagination import COUNTED, BoundedCount, bounded_count, keyset_page
    from ledger.views.problems import DEFAULT_SORT, SORTS

    for status in (Status.ASSIGNED, Status.ASSIGNED, Status.RECTIFYING):
        problem_in(city, status)
    ordering = SORTS[DEFAULT_SORT][1]
    for matches, limit in ((Problem.objects.all(), 500), (Problem.objects.all(), 2),
                           (Problem.objects.filter(status=Status.RECTIFYING), 500)):
        page = keyset_page(matches.values("pk", "code", "found_at"), ordering, None, per_page=1,
                           count=(matches, limit))
        assert page.counted == bounded_count(matches, limit)
        assert all(COUNTED not in row for row in page.object_list)
    none = Problem.objects.filter(status=Status.CLOSED)
    assert keyset_page(none.values("pk", "found_at"), ordering, None, per_page=1, count=(none, 500)).counted is None
    if connection.vendor == "postgresql":
        query = none.values("pk").annotate(**{COUNTED: BoundedCount(none, 500)}).order_by("-found_at")[:51]
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "InitPlan" in plan and "Aggregate (never executed)" in plan, plan


def test_the_count_answers_only_what_the_user_may_see(city, login):
    """problem_count counts as the list does: the user's scope, the filters sent, a chosen
    district outside the scope as the list refuses it; staff only."""
    record(city)
    record(city)
    record(city, point=city.points_b[0])
    assert login(city.hq).get("/ledger/problems/count/").json() == {"count": 3, "more": False, "text": "3 个问题"}
    lead = login(city.users["district_lead"])
    assert city.users["district_lead"].district_id == city.district_a.pk
    assert lead.get("/ledger/problems/count/", HTTP_ACCEPT_LANGUAGE="en").json() == {
        "count": 2, "more": False, "text": "2 problems"}
    # Another district is not among the lead's choices: the list and the count refuse it alike.
    other = lead.get("/ledger/problems/count/", {"district": city.district_b.pk}).json()
    assert other["text"] == counted(lead.get(URL, {"district": city.district_b.pk}).content.decode())
    assert other["count"] == 2  # the choice refused, the list stays the lead's own two
    assert login(city.users["public"]).get("/ledger/problems/count/").status_code == 403
