"""Reading and recording problems over the REST API: who sees what, the ledger's filters,
cursor pagination, bounded queries, token auth, and that nothing is changed except by actions."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campaign.services.structure import api_token_get_or_create
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.api_support import (
    ROLES,
    client_for,
    not_a_picture,
    problem_url,
    problems_url,
    stored_files,
    user_of,
)
from ledger.tests.factories import jpeg_upload, problem_in, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def listed_codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


# --- Who sees what -------------------------------------------------------------------------------

SEES_DISTRICT_A_PROBLEM = {
    "hq": 200, "leader": 200, "team_lead": 200, "district_lead": 200, "unit_handler": 200, "inspector": 200,
    "grid_chief": 200,  # recorded at A's market, in their grid
    "road_chief": 404,  # not on their road
    "other_district_lead": 404, "public": 403, None: 401,
}


@pytest.mark.parametrize(("role", "expected"), SEES_DISTRICT_A_PROBLEM.items())
def test_problem_detail_answers_by_role_and_scope(city, role, expected):
    problem = record(city)
    response = client_for(user_of(city, role)).get(problem_url(problem))
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["code"] == problem.code


@pytest.mark.parametrize("role", [*ROLES, None])
def test_problem_list_holds_exactly_the_problems_the_user_may_see(city, role):
    in_a = record(city)
    in_b = record(city, by=city.hq, point=city.points_b[0])
    response = client_for(user_of(city, role)).get(problems_url())
    if role in (None, "public"):
        assert response.status_code == (401 if role is None else 403)
        return
    expected = {p.code for p in Problem.objects.visible_to(user_of(city, role))}
    assert set(listed_codes(response)) == expected
    # The scoping is not vacuous: the whole city sees both, district leads one each.
    if role in ("hq", "leader"):
        assert expected == {in_a.code, in_b.code}
    if role == "other_district_lead":
        assert expected == {in_b.code}
    if role in ("district_lead", "unit_handler", "inspector", "team_lead", "grid_chief"):
        assert expected == {in_a.code}
    if role == "road_chief":
        assert expected == set()


def test_detail_shows_events_photos_allowed_actions_and_version(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    body = client_for(city.district_lead).get(problem_url(problem)).json()
    assert body["status"] == "closing_applied"
    assert body["version"] == problem.version == 4
    assert [e["action"] for e in body["events"]] == ["record", "assign", "acknowledge", "apply_close"]
    apply_close = body["events"][-1]
    assert apply_close["actor"] == "unit_handler"
    assert (apply_close["from"], apply_close["to"]) == ("rectifying", "closing_applied")
    assert apply_close["note"] == "已封闭并清洗"
    [photo] = apply_close["photos"]
    assert photo["url"].endswith(f"/ledger/photos/{photo['id']}/")
    assert photo["thumbnail_url"].endswith(f"/ledger/photos/{photo['id']}/thumb/")
    assert [p["id"] for p in body["photos"]] == [photo["id"]]
    assert sorted(body["allowed_actions"]) == ["approve", "reject"]
    # The applicant's unit may not verify its own rectification.
    assert client_for(city.unit_handler).get(problem_url(problem)).json()["allowed_actions"] == []


def test_detail_costs_a_bounded_number_of_queries(city, django_assert_max_num_queries):
    problem = problem_in(city, Status.CLOSED)
    client = client_for(city.hq)
    with django_assert_max_num_queries(6):
        response = client.get(problem_url(problem))
    assert len(response.json()["events"]) == 5


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_problem_cannot_be_overwritten_or_deleted(city, method):
    problem = record(city)
    response = getattr(client_for(city.hq), method)(problem_url(problem), {"description": "x"}, format="json")
    assert response.status_code == 405
    assert Problem.objects.get(pk=problem.pk).description == problem.description


# --- Recording -----------------------------------------------------------------------------------

RECORDS = {
    "hq": 201, "district_lead": 201, "inspector": 201, "team_lead": 201,
    "leader": 403, "unit_handler": 403, "grid_chief": 403, "road_chief": 403, "public": 403, None: 401,
    # The other district's lead cannot even name district A's sample point.
    "other_district_lead": 400,
}


@pytest.mark.parametrize(("role", "expected"), RECORDS.items())
def test_recording_a_problem_answers_by_role(city, role, expected):
    point = city.points_a[0]
    payload = {"description": "摊位周边污水横流", "category": point.category_id, "sample_point": point.pk,
               "source": "routine"}
    response = client_for(user_of(city, role)).post(problems_url(), payload, format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        body = response.json()
        problem = Problem.objects.get(pk=body["id"])
        assert problem.found_by == user_of(city, role)
        assert (problem.district, problem.responsible_unit) == (city.district_a, city.office_a)
        assert [e["action"] for e in body["events"]] == ["record"]
    else:
        assert not Problem.objects.exists()


def test_recording_with_before_photos_attaches_them_to_the_record_event(city):
    point = city.points_a[0]
    payload = {"description": "垃圾桶满溢", "category": point.category_id, "sample_point": point.pk,
               "source": "unannounced", "severity": "serious",
               "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.png")]}
    response = client_for(city.inspector).post(problems_url(), payload, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["severity"] == "serious"
    assert len(body["events"][0]["photos"]) == 2
    assert {p.kind for p in Problem.objects.get(pk=body["id"]).photos.all()} == {"before"}


def test_recording_without_sample_point_needs_a_district(city):
    payload = {"description": "道路积水", "category": city.standard.pk, "source": "media"}
    client = client_for(city.hq)
    response = client.post(problems_url(), payload, format="json")
    assert response.status_code == 400
    assert "district" in response.json()
    response = client.post(problems_url(), {**payload, "district": city.district_b.pk, "address": "乙路1号"},
                           format="json")
    assert response.status_code == 201, response.content
    assert response.json()["district"] == city.district_b.pk


def test_recording_with_a_non_picture_is_refused_and_stores_nothing(city, tmp_path):
    point = city.points_a[0]
    payload = {"description": "x", "category": point.category_id, "sample_point": point.pk, "source": "routine",
               "photos": [jpeg_upload("good.jpg"), not_a_picture("bad.jpg")]}
    response = client_for(city.hq).post(problems_url(), payload, format="multipart")
    assert response.status_code == 400
    assert "not a picture" in response.json()["detail"]
    assert not Problem.objects.exists()
    assert stored_files(tmp_path) == []


# --- Token auth ----------------------------------------------------------------------------------


def test_a_token_reads_and_acts_on_the_ledger(city):
    problem = problem_in(city, Status.ASSIGNED)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_get_or_create(user=city.unit_handler)}")
    assert listed_codes(client.get(problems_url())) == [problem.code]
    response = client.post(f"{problem_url(problem)}acknowledge/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rectifying"


def test_a_wrong_token_is_refused(city):
    record(city)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(problems_url()).status_code in (401, 403)


# --- Filters -------------------------------------------------------------------------------------


def test_list_filters_by_status_overdue_district_and_chinese_text(city):
    found = record(city, description="活禽宰杀区未封闭")
    assigned = problem_in(city, Status.ASSIGNED)
    late = problem_in(city, Status.RECTIFYING)
    # Time travel: the deadline passed (services refuse a past deadline when assigning).
    Problem.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    in_b = record(city, by=city.hq, point=city.points_b[1], description="后厨卫生差，餐具未消毒")
    client = client_for(city.hq)

    assert listed_codes(client.get(problems_url(), {"status": "assigned"})) == [assigned.code]
    assert set(listed_codes(client.get(problems_url(), {"status": ["found", "assigned"]}))) == {
        found.code, assigned.code, in_b.code}
    assert listed_codes(client.get(problems_url(), {"overdue": "true"})) == [late.code]
    overdue_rows = client.get(problems_url(), {"overdue": "true"}).json()["results"]
    assert overdue_rows[0]["days_overdue"] == 3
    assert listed_codes(client.get(problems_url(), {"district": city.district_b.pk})) == [in_b.code]
    assert listed_codes(client.get(problems_url(), {"q": "餐具"})) == [in_b.code]
    # The sample point's name is searched too.
    assert listed_codes(client.get(problems_url(), {"q": "乙小餐馆"})) == [in_b.code]


def test_filtering_by_a_district_the_user_may_not_see_is_refused(city):
    record(city)
    response = client_for(city.district_lead).get(problems_url(), {"district": city.district_b.pk})
    assert response.status_code == 400
    assert "district" in response.json()


# --- Pagination and cost -------------------------------------------------------------------------


def test_cursor_pagination_walks_every_problem_once_without_a_count(city):
    base = timezone.now() - timedelta(days=1)
    # Several problems share a found_at, so the cursor must break ties without losing any.
    problems = [record(city, by=city.hq, found_at=base - timedelta(minutes=i // 3)) for i in range(23)]
    client = client_for(city.hq)
    seen, url, pages = [], problems_url() + "?page_size=5", 0
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [row["code"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    expected = [p.code for p in sorted(problems, key=lambda p: (p.found_at, p.pk), reverse=True)]
    assert seen == expected


def test_page_size_is_fifty_by_default_and_more_than_two_hundred_is_refused(city):
    base = timezone.now() - timedelta(hours=1)
    for i in range(51):
        record(city, by=city.hq, found_at=base - timedelta(seconds=i))
    client = client_for(city.hq)
    first = client.get(problems_url()).json()
    assert len(first["results"]) == 50 and first["next"]
    assert len(client.get(problems_url(), {"page_size": 200}).json()["results"]) == 51
    assert client.get(problems_url(), {"page_size": 1000}).status_code == 400


@pytest.mark.parametrize("filters", [{}, {"district": "A", "status": "found", "q": "市场"}])
def test_list_queries_do_not_grow_with_the_page(city, django_assert_max_num_queries, filters):
    if "district" in filters:
        filters = {**filters, "district": city.district_a.pk}
    client = client_for(city.hq)
    for _ in range(3):
        record(city)
    with django_assert_max_num_queries(5) as few:
        client.get(problems_url(), filters)
    for _ in range(40):
        record(city, point=city.points_a[1])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(problems_url(), filters)
    assert response.status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in few.captured_queries)
