"""Everyone's work finds them: where each role lands, the task counts in the menu (kept per
person, forgotten when they act), and the inspections' and reports' groups, each counting the
rows of the list it links to."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign import tasks_home
from campaign.tests.factories import PASSWORD
from inspections.tests.factories import this_weeks_round
from ledger.choices import Status
from ledger.tests.factories import problem_in
from reports.choices import ReportKind, ReportStatus
from reports.models import Report

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("campaign:overview")
TASKS = reverse("ledger:my_tasks")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def menu(response) -> dict:
    """The menu's task counts by group key, and its total ("" when it shows none)."""
    html = response.content.decode()
    body = re.search(r'<li class="nav-item dropdown" id="task-menu">(.*?)</ul>', html, re.S)
    if body is None:
        return {}
    found = {key: int(n) for key, n in re.findall(r'data-group="([a-z_]+)">.*?<span[^>]*>(\d+)</span>', body.group(1),
                                                  re.S)}
    total = re.search(r'id="task-menu-total">(\d+)<', html)
    found["total"] = int(total.group(1)) if total else 0
    return found


# --- Landing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "home"), [
    ("hq", TASKS), ("district_lead", TASKS), ("unit_handler", TASKS), ("inspector", TASKS), ("team_lead", TASKS),
    ("leader", reverse("reports:dashboard")),
])
def test_each_role_lands_on_its_own_work_after_signing_in_and_on_the_front_page(client, city, role, home):
    signed_in = client.post(reverse("login"), {"username": city.users[role].username, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    assert client.get("/")["Location"] == home


def test_the_front_page_sends_the_anonymous_to_sign_in_and_refuses_the_public(client, city, login):
    assert client.get("/")["Location"].startswith("/login/")
    assert login(city.public).get("/").status_code == 403


def test_the_overview_is_still_one_click_away(city, login):
    response = login(city.hq).get(OVERVIEW)
    assert response.status_code == 200
    assert f'href="{OVERVIEW}"' in response.content.decode()


# --- The menu ------------------------------------------------------------------------------------


def test_the_menu_shows_each_group_with_its_count_and_a_total_of_what_to_act_on(city, login):
    problem_in(city, Status.ASSIGNED)
    late = problem_in(city, Status.RECTIFYING)
    type(late).objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    found = menu(login(city.unit_handler).get(OVERVIEW))
    assert found["to_acknowledge"] == 1 and found["to_rectify"] == 1 and found["overdue"] == 1
    # The total adds the groups that never share a problem: overdue is one of them already.
    assert found["total"] == 2


def test_leaders_have_no_task_menu(city, login):
    assert menu(login(city.leader).get(OVERVIEW)) == {}


def test_a_page_costs_no_query_more_for_the_menu_once_its_counts_are_kept(
        city, login, monkeypatch, django_assert_max_num_queries):
    problem_in(city, Status.ASSIGNED)
    client = login(city.unit_handler)
    with monkeypatch.context() as without:
        without.setattr(tasks_home, "_groups", {})
        with django_assert_max_num_queries(100) as bare:
            client.get(OVERVIEW)
        budget = len(bare.captured_queries)  # read now: the next request clears Django's query log
    client.get(OVERVIEW)  # counts the groups once and keeps them
    for _ in range(5):
        problem_in(city, Status.ASSIGNED)
    with django_assert_max_num_queries(budget):
        response = client.get(OVERVIEW)
    assert menu(response)["to_acknowledge"] == 1  # kept: at most TASK_COUNTS_CACHE_SECONDS old


def test_counting_every_group_for_the_menu_is_one_query(city, login, django_assert_num_queries):
    user = city.hq
    assert len(tasks_home.groups_for(user)) >= 4
    with django_assert_num_queries(1):
        tasks_home.counts(user)


def test_acting_forgets_the_actors_counts_and_the_task_home_counts_afresh(city, login):
    problem = problem_in(city, Status.ASSIGNED)
    unit = login(city.unit_handler)
    assert menu(unit.get(OVERVIEW))["to_acknowledge"] == 1
    acted = unit.post(reverse("ledger:problem_act", args=[problem.pk, "acknowledge"]),
                      {"acknowledge-version": problem.version, "acknowledge-note": ""})
    assert acted.status_code == 302
    found = menu(unit.get(OVERVIEW))
    assert found["to_acknowledge"] == 0 and found["to_rectify"] == 1


def test_another_persons_counts_stay_kept_until_they_expire_and_the_menu_says_how_old(city, client, settings):
    client.cookies["django_language"] = "en"
    client.force_login(city.district_lead)
    problem = problem_in(city, Status.FOUND)
    assert menu(client.get(OVERVIEW))["to_assign"] == 1
    problem_in(city, Status.FOUND)  # someone else records another
    page = client.get(OVERVIEW)
    assert menu(page)["to_assign"] == 1
    assert f"Counted in the last {settings.TASK_COUNTS_CACHE_SECONDS} seconds." in page.content.decode()
    assert menu(client.get(TASKS))["to_assign"] == 2  # the task home counts afresh and keeps that
    assert problem.pk


def test_with_no_keeping_every_page_counts(city, login, settings):
    settings.TASK_COUNTS_CACHE_SECONDS = 0
    client = login(city.district_lead)
    assert menu(client.get(OVERVIEW))["to_assign"] == 0
    problem_in(city, Status.FOUND)
    assert menu(client.get(OVERVIEW))["to_assign"] == 1


def test_a_broken_cache_still_shows_the_counts(city, login, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "set", "delete"):
        monkeypatch.setattr(cache, name, broken)
    problem_in(city, Status.FOUND)
    response = login(city.hq).get(OVERVIEW)
    assert response.status_code == 200 and menu(response)["to_assign"] == 1


# --- The inspections' and reports' groups ---------------------------------------------------------


@pytest.fixture
def drawn_round(city):
    return this_weeks_round(city)


def test_an_inspectors_round_points_count_what_the_inspections_page_lists_and_move_on_when_started(
        city, login, drawn_round):
    client = login(city.inspector)
    home = client.get(TASKS)
    numbers = tasks_home.counts(city.inspector)
    assert numbers["round_points"] == 2 and numbers["inspection_drafts"] == 0
    listed = client.get(reverse("inspections:inspection_list")).content.decode()
    section = re.search(r'id="my-round-points">(.*?)</section>', listed, re.S).group(1)
    assert len(re.findall(r"data-round-point=", section)) == 2
    assert len(re.findall(r'id="tasks-round_points".*?data-round-point="(\d+)"', home.content.decode(), re.S)) == 1
    point = drawn_round.points.first()
    started = client.post(reverse("inspections:inspection_start"), {
        "round_point": point.pk, "point": point.sample_point_id, "kind": "unannounced",
    })
    assert started.status_code == 302
    found = menu(client.get(OVERVIEW))
    assert found["round_points"] == 1 and found["inspection_drafts"] == 1


def test_hq_counts_the_exposures_waiting_to_be_published_as_the_filtered_reports_list_shows_them(city, login):
    today = timezone.localdate()
    for weeks, published in ((1, None), (2, None), (3, timezone.now())):
        start = today - timedelta(days=today.weekday() + 7 * weeks)
        Report.objects.create(kind=ReportKind.WEEKLY_EXPOSURE, period_start=start, period_end=start + timedelta(days=6),
                              status=ReportStatus.DONE, published_at=published)
    client = login(city.hq)
    found = menu(client.get(OVERVIEW))
    assert found["to_publish"] == 2
    url = tasks_home._groups["to_publish"].url(city.hq)
    assert len(re.findall(r"<tr data-report=", client.get(url).content.decode())) == 2
    waiting = Report.objects.filter(published_at__isnull=True).first()
    assert client.post(reverse("reports:report_publish", args=[waiting.pk]), {"confirmed": "yes"}).status_code == 302
    assert menu(client.get(OVERVIEW))["to_publish"] == 1


def test_the_groups_per_role_follow_the_registry(city):
    """tasks_home.groups_for keeps each role's groups, but not past a change of the registry
    (a test swapping it, a group registered again)."""
    before = tasks_home.groups_for(city.unit_handler)
    assert before
    saved = tasks_home._groups
    try:
        tasks_home._groups = {}
        assert tasks_home.groups_for(city.unit_handler) == []
    finally:
        tasks_home._groups = saved
    assert tasks_home.groups_for(city.unit_handler) == before
