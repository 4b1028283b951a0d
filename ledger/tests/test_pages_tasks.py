"""My tasks: everyone's work in the groups the apps register; a problem is in every group it
belongs to, and each group's count is what the ledger list it links to shows."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ledger import services
from ledger.choices import Status
from ledger.class_services import class_measure_set
from ledger.models import Problem
from ledger.task_groups import CLASS_GROUPS, GROUPS
from ledger.tests.factories import problem_in, record

LEDGER_GROUPS = {row[0] for row in GROUPS + CLASS_GROUPS}

pytestmark = pytest.mark.django_db
URL = "/ledger/my-tasks/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def groups(response) -> dict[str, list[str]]:
    """The problems shown in each group's section, by group key."""
    html = response.content.decode()
    result = {}
    for key, body in re.findall(r'<section class="mb-4 task-group" id="tasks-([a-z_]+)">(.*?)</section>', html, re.S):
        result[key] = re.findall(r'data-problem="([^"]+)"', body)
    return result


def counts(response) -> dict[str, tuple[int, str]]:
    """Each group's count and link, as the summary at the top of the page shows them."""
    html = response.content.decode()
    nav = re.search(r'<nav class="list-group mb-4" id="task-counts".*?</nav>', html, re.S).group(0)
    return {
        key: (int(count), url.replace("&amp;", "&"))
        for url, key, count in re.findall(
            r'href="([^"]+)" data-group="([a-z_]+)">.*?data-count="(\d+)"', nav, re.S
        )
    }


def with_deadline(problem, days_from_today: int):
    # Services refuse past deadlines; the clock is moved instead by setting the date directly.
    Problem.objects.filter(pk=problem.pk).update(deadline=timezone.localdate() + timedelta(days=days_from_today))
    return Problem.objects.get(pk=problem.pk)


def rejected_problem(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    return services.problem_verify(problem=problem, approved=False, note="不合格", by=city.district_lead)


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_member_of_the_public_gets_403(city, login):
    assert login(city.public).get(URL).status_code == 403


def test_unit_handler_sees_each_problem_in_every_group_it_belongs_to(city, login):
    overdue = with_deadline(problem_in(city, Status.RECTIFYING), -2)
    due_soon = with_deadline(problem_in(city, Status.RECTIFYING), 2)
    rejected = with_deadline(rejected_problem(city), 10)
    new = with_deadline(problem_in(city, Status.ASSIGNED), 10)
    waiting = with_deadline(problem_in(city, Status.CLOSING_APPLIED), 10)
    closed = problem_in(city, Status.CLOSED)
    elsewhere = record(city, point=city.points_b[0], by=city.hq)
    response = login(city.unit_handler).get(URL)
    assert groups(response) == {
        "to_acknowledge": [new.code],
        "rejected": [rejected.code],
        "to_rectify": [overdue.code, due_soon.code, rejected.code],
        "due_soon": [due_soon.code],
        "overdue": [overdue.code],
    }
    # The ledger's groups (other apps add their own groups for a unit handler).
    assert {key: count for key, (count, _url) in counts(response).items() if key in LEDGER_GROUPS} == {
        "to_acknowledge": 1, "rejected": 1, "to_rectify": 3, "due_soon": 1, "overdue": 1, "classes_to_apply": 0,
    }
    shown = sum(groups(response).values(), [])
    assert waiting.code not in shown and closed.code not in shown and elsewhere.code not in shown


def test_an_overdue_closing_application_counts_for_hq_under_verify_and_under_overdue(city, login):
    # The walk-through's defect: it was counted only as overdue, so "verify" said 1 too few.
    late = with_deadline(problem_in(city, Status.CLOSING_APPLIED), -40)
    on_time = with_deadline(problem_in(city, Status.CLOSING_APPLIED), 5)
    found = groups(login(city.hq).get(URL))
    assert found["to_verify"] == [late.code, on_time.code]
    assert found["overdue"] == [late.code]


def test_district_lead_sees_what_to_assign_verify_and_chase_in_their_district_only(city, login):
    to_verify = with_deadline(problem_in(city, Status.CLOSING_APPLIED), 10)
    to_assign = problem_in(city, Status.FOUND)
    late = with_deadline(problem_in(city, Status.RECTIFYING), -3)
    theirs = record(city, point=city.points_b[0], by=city.hq)
    found = groups(login(city.district_lead).get(URL))
    assert found["to_verify"] == [to_verify.code]
    assert found["to_assign"] == [to_assign.code]
    assert found["overdue"] == [late.code]
    assert theirs.code not in sum(found.values(), [])


@pytest.mark.parametrize("role", ["hq", "district_lead", "other_district_lead", "unit_handler", "inspector",
                                  "team_lead", "grid_chief", "road_chief"])
def test_every_group_counts_the_rows_of_the_ledger_list_it_links_to(city, login, role):
    with_deadline(problem_in(city, Status.CLOSING_APPLIED), -5)
    with_deadline(rejected_problem(city), -1)
    with_deadline(problem_in(city, Status.RECTIFYING), 3)
    problem_in(city, Status.ASSIGNED)
    problem_in(city, Status.FOUND)
    with_deadline(problem_in(city, Status.ASSIGNED, point=city.points_a[1]), -8)
    record(city, point=city.points_b[0], by=city.hq)
    client = login(city.users[role])
    found = counts(client.get(URL))
    assert found
    for key, (count, url) in found.items():
        if not url.startswith("/ledger/problems/?"):
            continue  # another app's group, tested in that app
        listed = client.get(url)
        assert listed.status_code == 200
        assert (listed.context["count"], listed.context["more"]) == (count, False), (role, key)


def test_previews_stop_at_five_and_link_to_all(city, login):
    for _ in range(7):
        problem_in(city, Status.FOUND)
    client = login(city.hq)
    client.cookies["django_language"] = "en"
    response = client.get(URL)
    assert len(groups(response)["to_assign"]) == 5
    assert counts(response)["to_assign"][0] == 7
    url = counts(response)["to_assign"][1].replace("&", "&amp;")
    assert f'<a href="{url}">All 7 »</a>' in response.content.decode()


def test_nothing_to_do_says_so(city, login):
    client = login(city.unit_handler)
    client.cookies["django_language"] = "en"
    response = client.get(URL)
    assert groups(response) == {}
    assert all(count == 0 for count, _url in counts(response).values())
    assert "Nothing open for you" in response.content.decode()


def test_queries_do_not_grow_with_the_tasks(city, login, django_assert_max_num_queries):
    client = login(city.unit_handler)
    problem_in(city, Status.ASSIGNED)
    with_deadline(rejected_problem(city), -1)
    with_deadline(problem_in(city, Status.RECTIFYING), 2)
    item = services.problem_class_create(code="C01", name="活禽宰杀", by=city.hq)  # a class to apply for
    class_measure_set(problem_class=item, cause="c", measure="m", unit=city.office_a,
                      deadline=timezone.localdate(), by=city.hq)
    with django_assert_max_num_queries(17) as few:
        response = client.get(URL)
    # every ledger group shows its rows
    assert all(count for key, (count, _url) in counts(response).items() if key in LEDGER_GROUPS)
    for _ in range(10):
        with_deadline(problem_in(city, Status.RECTIFYING), -1)
        problem_in(city, Status.ASSIGNED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert counts(response)["to_acknowledge"][0] == 11 and counts(response)["overdue"][0] == 11
