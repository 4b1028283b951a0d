"""Bulk assignment: many found problems to one unit with one deadline, all or nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger import services
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db
URL = "/ledger/problems/bulk-assign/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def post_data(problems, unit, days=5, versions=None):
    data = {"problems": [p.pk for p in problems], "unit": unit.pk,
            "deadline": (timezone.localdate() + timedelta(days=days)).isoformat()}
    for p in problems:
        data[f"version-{p.pk}"] = (versions or {}).get(p.pk, p.version)
    return data


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("actor", ["public", "unit_handler", "inspector", "leader"])
def test_roles_that_may_not_assign_get_403(city, login, actor):
    problem = record(city)
    client = login(getattr(city, actor))
    assert client.get(URL, {"problems": problem.pk}).status_code == 403
    assert client.post(URL, post_data([problem], city.office_a)).status_code == 403
    assert Problem.objects.get(pk=problem.pk).status == Status.FOUND


def test_the_page_lists_the_ticked_problems(city, login):
    a, b = record(city), record(city)
    html = login(city.district_lead).get(URL, {"problems": [a.pk, b.pk]}).content.decode()
    assert a.code in html and b.code in html


def test_district_lead_assigns_several_problems_at_once(city, login):
    a, b = record(city), record(city, point=city.points_a[1])
    response = login(city.district_lead).post(URL, post_data([a, b], city.office_a, days=4))
    assert response.status_code == 302
    deadline = timezone.localdate() + timedelta(days=4)
    for problem in (a, b):
        problem.refresh_from_db()
        assert (problem.status, problem.responsible_unit, problem.deadline) == (Status.ASSIGNED, city.office_a, deadline)


def test_one_refusal_assigns_nothing_and_says_why(city, login):
    fine = record(city)
    closed = problem_in(city, Status.CLOSED)
    response = login(city.district_lead).post(URL, post_data([fine, closed], city.office_a))
    assert response.status_code == 400
    html = response.content.decode()
    assert closed.code in html and "cannot be" in html
    assert Problem.objects.get(pk=fine.pk).status == Status.FOUND
    assert Problem.objects.get(pk=fine.pk).events.count() == 1


def test_a_problem_changed_meanwhile_is_refused(city, login):
    problem = record(city)
    stale = problem.version
    services.problem_assign(problem=problem, unit=city.office_a, by=city.hq)
    response = login(city.district_lead).post(
        URL, post_data([problem], city.city_department, versions={problem.pk: stale})
    )
    assert response.status_code == 400
    assert Problem.objects.get(pk=problem.pk).responsible_unit == city.office_a


def test_another_districts_problem_cannot_be_ticked(city, login):
    theirs = record(city, point=city.points_b[0], by=city.hq)
    client = login(city.district_lead)
    assert theirs.code not in client.get(URL, {"problems": theirs.pk}).content.decode()
    assert client.post(URL, post_data([theirs], city.office_a)).status_code == 400
    assert Problem.objects.get(pk=theirs.pk).status == Status.FOUND


def test_a_unit_outside_the_district_is_not_offered(city, login):
    problem = record(city)
    client = login(city.district_lead)
    assert client.post(URL, post_data([problem], city.office_b)).status_code == 400
    assert Problem.objects.get(pk=problem.pk).status == Status.FOUND
