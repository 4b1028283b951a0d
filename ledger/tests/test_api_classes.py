"""Problem classes over the REST API: counts of the problems each user may see, the class's
problems, and who may open a class."""

import pytest
from django.urls import reverse

from ledger import services
from ledger.choices import Status
from ledger.models import ProblemClass
from ledger.tests.api_support import client_for, user_of
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def drainage(city):
    """A class with two open problems in district A, one closed in A and one open in B."""
    problem_class = services.problem_class_create(code="PC-01", name="市场排水不畅", category=city.market, by=city.hq)
    problems = [
        record(city), record(city), problem_in(city, Status.CLOSED),
        record(city, by=city.hq, point=city.points_b[0]),
    ]
    for problem in problems:
        services.problem_classify(problem=problem, problem_class=problem_class, by=city.hq)
    return problem_class, problems


def list_url():
    return reverse("problemclass-list")


def detail_url(pk):
    return reverse("problemclass-detail", args=[pk])


@pytest.mark.parametrize(("role", "total", "still_open"), [
    ("hq", 4, 3), ("leader", 4, 3), ("district_lead", 3, 2), ("other_district_lead", 1, 1),
    ("unit_handler", 3, 2), ("inspector", 3, 2),
])
def test_class_list_counts_the_problems_each_user_may_see(city, drainage, role, total, still_open):
    services.problem_class_create(code="PC-00", name="空类", by=city.hq)
    response = client_for(user_of(city, role)).get(list_url())
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert (rows["PC-01"]["problem_count"], rows["PC-01"]["open_count"]) == (total, still_open)
    if role in ("unit_handler", "inspector"):
        # An empty city-wide class is out of their scope (not their unit's, none of their problems).
        assert "PC-00" not in rows
    else:
        assert (rows["PC-00"]["problem_count"], rows["PC-00"]["open_count"]) == (0, 0)


@pytest.mark.parametrize(("role", "expected"), [(None, 401), ("public", 403)])
def test_class_list_needs_a_member_of_staff(city, drainage, role, expected):
    assert client_for(user_of(city, role)).get(list_url()).status_code == expected
    assert client_for(user_of(city, role)).get(detail_url(drainage[0].pk)).status_code == expected


def test_class_detail_lists_only_the_problems_the_user_may_see(city, drainage):
    problem_class, problems = drainage
    body = client_for(city.district_lead).get(detail_url(problem_class.pk)).json()
    assert {p["code"] for p in body["problems"]} == {p.code for p in problems[:3]}
    assert body["category"] == city.market.pk
    body = client_for(city.hq).get(detail_url(problem_class.pk)).json()
    assert len(body["problems"]) == 4


def test_class_list_costs_a_bounded_number_of_queries(city, drainage, django_assert_max_num_queries):
    for n in range(10):
        services.problem_class_create(code=f"PC-1{n}", name=f"类{n}", by=city.hq)
    client = client_for(city.district_lead)
    with django_assert_max_num_queries(4):
        response = client.get(list_url())
    assert len(response.json()["results"]) == 11


@pytest.mark.parametrize(("role", "expected"), [
    ("hq", 201), ("district_lead", 201), ("team_lead", 201),
    ("leader", 403), ("unit_handler", 403), ("inspector", 403), ("public", 403), (None, 401),
])
def test_opening_a_class_answers_by_role(city, role, expected):
    response = client_for(user_of(city, role)).post(
        list_url(), {"code": "PC-09", "name": "油烟直排", "description": "统一安装净化器"}, format="json"
    )
    assert response.status_code == expected, response.content
    assert ProblemClass.objects.filter(code="PC-09").exists() == (expected == 201)
    if expected == 201:
        body = response.json()
        assert (body["created_by"], body["problem_count"], body["open_count"]) == (role, 0, 0)


def test_a_class_code_is_taken_once(city, drainage):
    response = client_for(city.hq).post(list_url(), {"code": "PC-01", "name": "again"}, format="json")
    assert response.status_code == 400
    assert "PC-01" in response.json()["detail"]
    assert ProblemClass.objects.count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_class_cannot_be_changed_or_deleted_over_the_api(city, drainage, method):
    response = getattr(client_for(city.hq), method)(detail_url(drainage[0].pk), {"name": "x"}, format="json")
    assert response.status_code == 405
