"""My tasks: a unit's open problems grouped by what needs doing first."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ledger import services
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db
URL = "/ledger/my-tasks/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def groups(response) -> dict[str, list[str]]:
    html = response.content.decode()
    result = {}
    for key, body in re.findall(r'<section class="mb-4 task-group" id="tasks-([a-z_]+)">(.*?)</section>', html, re.S):
        result[key] = re.findall(r'data-problem="([^"]+)"', body)
    return result


def with_deadline(problem, days_from_today: int):
    # Services refuse past deadlines; the clock is moved instead by setting the date directly.
    Problem.objects.filter(pk=problem.pk).update(deadline=timezone.localdate() + timedelta(days=days_from_today))
    return Problem.objects.get(pk=problem.pk)


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_member_of_the_public_gets_403(city, login):
    assert login(city.public).get(URL).status_code == 403


def test_unit_handler_sees_their_problems_grouped(city, login):
    overdue = with_deadline(problem_in(city, Status.RECTIFYING), -2)
    due_soon = with_deadline(problem_in(city, Status.RECTIFYING), 2)
    rejected = problem_in(city, Status.CLOSING_APPLIED)
    rejected = services.problem_verify(problem=rejected, approved=False, note="不合格", by=city.district_lead)
    rejected = with_deadline(rejected, 10)
    new = with_deadline(problem_in(city, Status.ASSIGNED), 10)
    waiting = with_deadline(problem_in(city, Status.CLOSING_APPLIED), 10)
    closed = problem_in(city, Status.CLOSED)
    elsewhere = record(city, point=city.points_b[0], by=city.hq)
    found = groups(login(city.unit_handler).get(URL))
    assert found == {
        "overdue": [overdue.code],
        "due_soon": [due_soon.code],
        "rejected": [rejected.code],
        "to_acknowledge": [new.code],
        "others": [waiting.code],
    }
    shown = sum(found.values(), [])
    assert closed.code not in shown and elsewhere.code not in shown


def test_an_overdue_rejected_problem_is_listed_once_as_overdue(city, login):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    problem = services.problem_verify(problem=problem, approved=False, note="不合格", by=city.district_lead)
    with_deadline(problem, -1)
    assert groups(login(city.unit_handler).get(URL)) == {"overdue": [problem.code]}


def test_district_lead_also_sees_what_to_verify_and_assign(city, login):
    to_verify = with_deadline(problem_in(city, Status.CLOSING_APPLIED), 10)
    to_assign = problem_in(city, Status.FOUND)
    theirs = record(city, point=city.points_b[0], by=city.hq)
    found = groups(login(city.district_lead).get(URL))
    assert found["to_verify"] == [to_verify.code]
    assert found["to_assign"] == [to_assign.code]
    assert theirs.code not in sum(found.values(), [])


def test_queries_do_not_grow_with_the_tasks(city, login, django_assert_max_num_queries):
    client = login(city.unit_handler)
    problem_in(city, Status.ASSIGNED)
    with django_assert_max_num_queries(14) as few:
        client.get(URL)
    for _ in range(10):
        with_deadline(problem_in(city, Status.RECTIFYING), -1)
        problem_in(city, Status.ASSIGNED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(sum(groups(response).values(), [])) == 21
