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


# --- Each to its suggested unit, back to the filtered list, batch verification -------------------

LIST = "/ledger/problems/"


def test_the_page_shows_each_problems_suggested_unit(city, login):
    a, b = record(city), record(city, point=city.points_b[0])
    html = login(city.hq).get(URL, {"problems": [a.pk, b.pk]}).content.decode()
    assert html.count("data-suggested>甲街道办<") == 1 and html.count("data-suggested>乙街道办<") == 1


def test_hq_assigns_each_problem_to_its_suggested_unit_and_returns_to_the_filtered_list(city, login):
    a, b = record(city), record(city, point=city.points_b[0])
    data = {"problems": [a.pk, b.pk], "mode": "suggested", "deadline": "", "note": "",
            f"version-{a.pk}": a.version, f"version-{b.pk}": b.version, "back": "status=found&q=市场"}
    response = login(city.hq).post(URL, data)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=found&q=%E5%B8%82%E5%9C%BA"
    assert Problem.objects.get(pk=a.pk).responsible_unit == city.office_a
    assert Problem.objects.get(pk=b.pk).responsible_unit == city.office_b
    assert {e.action for e in Problem.objects.get(pk=b.pk).events.all()} >= {"assign"}


def test_a_problem_without_a_suggested_unit_refuses_the_batch(city, login):
    from campaign.models import SamplePoint

    SamplePoint.objects.filter(pk=city.points_a[1].pk).update(responsible_unit=None)
    a, b = record(city), record(city, point=city.points_a[1])
    data = {"problems": [a.pk, b.pk], "mode": "suggested", f"version-{a.pk}": a.version,
            f"version-{b.pk}": b.version}
    response = login(city.district_lead).post(URL, data)
    assert response.status_code == 400
    assert "No unit is suggested" in response.content.decode()
    assert Problem.objects.get(pk=a.pk).status == Status.FOUND


def test_the_back_parameter_is_only_a_query_string(city, login):
    a = record(city)
    data = {**post_data([a], city.office_a), "back": "https://evil.example/?x=1"}
    response = login(city.district_lead).post(URL, data)
    assert response["Location"].startswith(f"{LIST}?")


def test_the_list_posts_the_ticked_problems_to_the_assignment_page(city, login):
    a = record(city)
    client = login(city.hq)
    html = client.get(LIST, {"status": "found"}).content.decode()
    assert 'data-select-all="problems"' in html and 'name="back" value="status=found"' in html
    response = client.post(URL, {"problems": [a.pk], "step": "choose", "back": "status=found"})
    assert response.status_code == 200 and a.code in response.content.decode()
    assert Problem.objects.get(pk=a.pk).status == Status.FOUND


def test_hq_verifies_a_batch_and_is_told_which_were_refused(city, login):
    applied = [problem_in(city, Status.CLOSING_APPLIED) for _ in range(2)]
    rectifying = problem_in(city, Status.RECTIFYING)
    ticked = [*applied, rectifying]
    data = {"problems": [p.pk for p in ticked], "back": "status=closing_applied"}
    data.update({f"version-{p.pk}": p.version for p in ticked})
    client = login(city.hq)
    response = client.post("/ledger/problems/bulk-verify/", data, follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}?status=closing_applied"
    html = response.content.decode()
    assert "2 verified, 1 refused:" in html and rectifying.code in html
    for problem in applied:
        problem = Problem.objects.get(pk=problem.pk)
        assert problem.status == Status.CLOSED and problem.events.filter(action="approve").count() == 1
    assert Problem.objects.get(pk=rectifying.pk).status == Status.RECTIFYING


@pytest.mark.parametrize("actor", ["district_lead", "inspector", "unit_handler", "leader"])
def test_only_hq_verifies_in_batches(city, login, actor):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    response = login(getattr(city, actor)).post("/ledger/problems/bulk-verify/", {"problems": [problem.pk]})
    assert response.status_code == 403
    assert Problem.objects.get(pk=problem.pk).status == Status.CLOSING_APPLIED
