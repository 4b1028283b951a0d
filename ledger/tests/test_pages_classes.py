"""Problem classes: list with counts, a class with its problems, opening one, adding problems."""

import re

import pytest
from django.utils import timezone

from ledger import services
from ledger.choices import Status
from ledger.class_services import class_measure_set
from ledger.models import Problem, ProblemClass
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def poultry(city):
    return services.problem_class_create(code="C01", name="活禽宰杀", category=city.market, by=city.hq)


@pytest.mark.parametrize("url", ["/ledger/classes/", "/ledger/classes/new/"])
def test_anonymous_is_sent_to_login(client, city, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_member_of_the_public_gets_403(city, login, poultry):
    client = login(city.public)
    assert client.get("/ledger/classes/").status_code == 403
    assert client.get(f"/ledger/classes/{poultry.pk}/").status_code == 403


def test_the_list_counts_problems_and_those_still_open(city, login, poultry):
    for status in (Status.CLOSED, Status.RECTIFYING, Status.FOUND):
        services.problem_classify(problem=problem_in(city, status), problem_class=poultry, by=city.hq)
    html = login(city.hq).get("/ledger/classes/").content.decode()
    row = re.search(r'<tr data-class="C01">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'class="num class-total">3<', row)
    assert re.search(r'class="num class-open">2<', row)


def test_a_district_lead_counts_only_their_districts_problems(city, login, poultry):
    services.problem_classify(problem=record(city), problem_class=poultry, by=city.hq)
    html = login(city.other_district_lead).get("/ledger/classes/").content.decode()
    row = re.search(r'<tr data-class="C01">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'class="num class-total">0<', row)


def test_hq_opens_a_class(city, login):
    response = login(city.hq).post("/ledger/classes/new/", {"code": "C02", "name": "垃圾满溢", "category": city.market.pk})
    item = ProblemClass.objects.get(code="C02")
    assert response.status_code == 302 and response["Location"] == f"/ledger/classes/{item.pk}/"


def test_a_taken_code_is_a_form_error(city, login, poultry):
    response = login(city.hq).post("/ledger/classes/new/", {"code": "C01", "name": "again"})
    assert response.status_code == 400
    assert ProblemClass.objects.count() == 1


@pytest.mark.parametrize("actor", ["unit_handler", "inspector", "leader"])
def test_roles_that_may_not_classify_cannot_open_a_class(city, login, actor):
    client = login(getattr(city, actor))
    assert client.get("/ledger/classes/new/").status_code == 403
    assert client.post("/ledger/classes/new/", {"code": "C09", "name": "x"}).status_code == 403
    assert not ProblemClass.objects.filter(code="C09").exists()


def test_district_lead_puts_problems_in_a_class_by_code(city, login, poultry):
    a, b = record(city), record(city)
    client = login(city.district_lead)
    response = client.post(f"/ledger/classes/{poultry.pk}/", {"codes": f"{a.code}, {b.code}"})
    assert response.status_code == 302
    assert set(Problem.objects.filter(problem_class=poultry).values_list("code", flat=True)) == {a.code, b.code}
    html = client.get(f"/ledger/classes/{poultry.pk}/").content.decode()
    assert a.code in html and b.code in html


def test_another_districts_problem_code_is_unknown_and_nothing_is_added(city, login, poultry):
    mine = record(city)
    theirs = record(city, point=city.points_b[0], by=city.hq)
    response = login(city.district_lead).post(f"/ledger/classes/{poultry.pk}/", {"codes": f"{mine.code} {theirs.code}"})
    assert response.status_code == 400
    assert theirs.code in response.content.decode()
    assert not Problem.objects.filter(problem_class=poultry).exists()


def test_the_class_page_shows_only_visible_problems(city, login, poultry):
    mine, theirs = record(city), record(city, point=city.points_b[0], by=city.hq)
    for problem in (mine, theirs):
        services.problem_classify(problem=problem, problem_class=poultry, by=city.hq)
    html = login(city.district_lead).get(f"/ledger/classes/{poultry.pk}/").content.decode()
    assert mine.code in html and theirs.code not in html


def test_a_unit_handler_may_read_a_class_but_not_add_to_it(city, login, poultry):
    problem = problem_in(city, Status.ASSIGNED)
    client = login(city.unit_handler)
    assert client.get(f"/ledger/classes/{poultry.pk}/").status_code == 404  # not their unit's class
    class_measure_set(problem_class=poultry, cause="c", measure="m", unit=city.office_a,
                      deadline=timezone.localdate(), by=city.hq)
    assert client.get(f"/ledger/classes/{poultry.pk}/").status_code == 200
    assert client.post(f"/ledger/classes/{poultry.pk}/", {"codes": problem.code}).status_code == 403
    assert Problem.objects.get(pk=problem.pk).problem_class is None
