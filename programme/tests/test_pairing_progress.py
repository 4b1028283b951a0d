"""Progress per pair and per unit, computed by hand; the pages, the export and the task home
show the same figures."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from campaign import tasks_home
from programme.selectors.pairing import pairs_for, tasks_due, total_progress
from programme.services import pairing as services

from .pairing_factories import communities, done, pair, task

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 4, 15)


@pytest.fixture
def pairs(city):
    """Pair 1 (office A – 甲一社区): due 3-10 done 3-08, due 3-20 done late 3-25, due 4-01 planned
    (overdue), due 4-30 planned, one cancelled; visits 4-10 and 3-17 (last 30 days), 3-01 (last 90),
    1-05 (older). Pair 2 (office A – 甲二社区): due 3-01 done. Pair 3 (office B – 乙一社区): nothing."""
    places = communities(city)
    one = pair(city, unit=city.office_a, community=places["甲一社区"])
    done(city, task(city, one, due_on=dt.date(2025, 3, 10)), done_on=dt.date(2025, 3, 8))
    done(city, task(city, one, due_on=dt.date(2025, 3, 20)), done_on=dt.date(2025, 3, 25))
    task(city, one, due_on=dt.date(2025, 4, 1))
    task(city, one, due_on=dt.date(2025, 4, 30))
    services.pair_task_cancel(actor=city.hq, task=task(city, one, due_on=dt.date(2025, 4, 5)), reason="取消")
    for day in (dt.date(2025, 4, 10), dt.date(2025, 3, 17), dt.date(2025, 3, 1), dt.date(2025, 1, 5)):
        services.pair_visit_record(actor=city.unit_handler, pair=one, visited_on=day, visitors="王芳",
                                   work_done="走访")
    two = pair(city, unit=city.office_a, community=places["甲二社区"])
    done(city, task(city, two, due_on=dt.date(2025, 3, 1)), done_on=dt.date(2025, 3, 1))
    three = pair(city, unit=city.office_b, community=places["乙一社区"])
    return one, two, three


def figures(p):
    return (p.tasks_total, p.tasks_done, p.tasks_overdue, p.visits_30, p.visits_90, p.percent)


def test_each_pairs_progress_is_as_counted_by_hand(city, pairs):
    one, two, three = pairs
    rows = {p.pk: p for p in pairs_for(city.hq, today=TODAY)}
    assert figures(rows[one.pk]) == (4, 2, 1, 2, 3, 50)
    assert figures(rows[two.pk]) == (1, 1, 0, 0, 0, 100)
    assert figures(rows[three.pk]) == (0, 0, 0, 0, 0, 0)


def test_a_units_progress_sums_its_pairs(city, pairs):
    total = total_progress(pairs_for(city.hq, today=TODAY).filter(unit=city.office_a))
    assert (total.pairs, total.tasks_total, total.tasks_done, total.tasks_overdue, total.visits_30,
            total.visits_90, total.percent) == (2, 5, 3, 1, 2, 3, 60)


def test_the_tasks_due_are_the_overdue_and_those_due_within_a_week(city, pairs):
    assert [t.due_on for t in tasks_due(city.unit_handler, today=TODAY)] == [dt.date(2025, 4, 1)]
    assert [t.due_on for t in tasks_due(city.unit_handler, today=dt.date(2025, 4, 24))] == [
        dt.date(2025, 4, 1), dt.date(2025, 4, 30)]


def test_the_unit_handlers_task_home_counts_their_pair_tasks_due(city, pairs, login):
    # Against the real today (2026 and later): both planned tasks are overdue.
    assert tasks_home.counts(city.unit_handler, fresh=True)["pair_tasks_due"] == 2
    page = login(city.unit_handler).get("/programme/pairing/tasks/?due=soon")
    assert page.status_code == 200 and len(page.context["page"].object_list) == 2


def test_the_unit_page_and_the_list_show_the_progress(city, pairs, login):
    client = login(city.hq)
    unit_page = client.get(f"/programme/pairing/units/{city.office_a.pk}/")
    assert unit_page.status_code == 200
    assert unit_page.context["total"].tasks_done == 3 and unit_page.context["total"].tasks_total == 5
    listing = client.get("/programme/pairing/")
    body = listing.content.decode()
    assert "甲一社区" in body and "乙一社区" in body and 'class="progress"' in body


def test_the_list_page_has_a_pinned_number_of_queries(city, pairs, login, django_assert_max_num_queries):
    client = login(city.hq)
    client.get("/programme/pairing/")
    with django_assert_max_num_queries(12):
        client.get("/programme/pairing/")


def test_the_excel_export_holds_the_pairs_the_user_sees_with_their_progress(city, pairs, login):
    response = login(city.district_lead).get("/exports/pairs/")
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    communities_listed = [row[1] for row in rows if row and row[1] in ("甲一社区", "甲二社区", "乙一社区")]
    assert sorted(communities_listed) == ["甲一社区", "甲二社区"]  # district A's only


@pytest.mark.parametrize("role,shown", [("hq", True), ("unit_handler", True), ("district_lead", True),
                                        ("inspector", False)])
def test_the_menu_offers_pairing_to_whom_it_concerns(city, login, role, shown):
    body = login(getattr(city, role)).get("/").content.decode()
    home = login(getattr(city, role)).get("/", follow=True).content.decode()
    assert ('id="menu-pairing"' in body + home) == shown
