"""GET /api/field/offline/: the copy a phone keeps holds only what its person may see, in a
fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaign.choices import Role
from campaign.tests.factories import make_sample_point, make_user
from inspections import services as inspections
from inspections.choices import InspectionKind, Outcome
from inspections.tests.factories import MARKET_ITEMS, market_checklist
from ledger import services as ledger
from ledger.choices import Status
from ledger.tests.api_support import client_for
from ledger.tests.factories import problem_in, record

URL = "/api/field/offline/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def drawn_round(city, *, inspector, category, starts_in=0, quota=2, name="暗访"):
    today = timezone.localdate()
    inspection_round = inspections.round_create(
        name=name, kind=InspectionKind.UNANNOUNCED, starts_on=today + timedelta(days=starts_in),
        ends_on=today + timedelta(days=starts_in + 6), quotas={category: quota}, by=city.hq)
    inspections.round_draw(inspection_round=inspection_round, by=city.hq, seed=1)
    inspections.round_assign(inspection_round=inspection_round, inspectors=[inspector], by=city.hq)
    return inspection_round


def offline(user, **params):
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_an_inspector_gets_their_assigned_points_with_checklists_and_drafts(city):
    market_checklist(city)
    mine = drawn_round(city, inspector=city.inspector, category=city.market)
    other = make_user("other_inspector", Role.INSPECTOR, district=city.district_a)
    inspections.checklist_revise(category=city.restaurant, items=MARKET_ITEMS[:2], by=city.hq)
    drawn_round(city, inspector=other, category=city.restaurant, name="别人的")
    first, second = mine.points.order_by("draw_order")
    draft = inspections.inspection_start(sample_point=first.sample_point, kind=mine.kind, by=city.inspector,
                                         round_point=first)
    item = draft.checklist_version.items.get(code="M02")
    inspections.inspection_record_result(inspection=draft, item=item, outcome=Outcome.FAIL, note="摊位杂乱",
                                         by=city.inspector)
    bundle = offline(city.inspector)
    assert bundle["user"] == {"id": city.inspector.pk, "username": "inspector", "name": "inspector", "role": "inspector"}
    assert bundle["days"] == 3 and bundle["unit"] is None
    points = bundle["inspector"]["points"]
    assert sorted(p["round_point"] for p in points) == sorted([first.pk, second.pk])
    started = next(p for p in points if p["round_point"] == first.pk)
    assert started["round"]["id"] == mine.pk and started["round"]["starts_on"] == str(mine.starts_on)
    assert started["sample_point"]["id"] == first.sample_point_id
    assert started["inspection"] == {"id": draft.pk, "status": "draft",
                                     "results": [{"item": item.pk, "outcome": "fail", "note": "摊位杂乱"}]}
    checklist = started["checklist"]
    assert checklist["version"] == draft.checklist_version_id
    assert [i["code"] for i in checklist["items"]] == [i["code"] for i in MARKET_ITEMS]
    assert set(checklist["items"][0]) >= {"id", "code", "text", "section", "points", "veto", "order"}
    fresh = next(p for p in points if p["round_point"] == second.pk)
    assert fresh["inspection"] is None and fresh["checklist"]["version"] == draft.checklist_version_id


def test_a_submitted_point_and_a_round_beyond_the_days_asked_are_left_out(city):
    market_checklist(city)
    now = drawn_round(city, inspector=city.inspector, category=city.market, quota=1)
    later = drawn_round(city, inspector=city.inspector, category=city.market, starts_in=10, quota=1, name="下旬")
    point = now.points.get()
    done = inspections.inspection_start(sample_point=point.sample_point, kind=now.kind, by=city.inspector,
                                        round_point=point)
    for item in done.checklist_version.items.all():
        inspections.inspection_record_result(inspection=done, item=item, outcome=Outcome.PASS, by=city.inspector)
    inspections.inspection_submit(inspection=done, by=city.inspector)
    assert offline(city.inspector)["inspector"]["points"] == []
    points = offline(city.inspector, days=14)["inspector"]["points"]
    assert [p["round"]["id"] for p in points] == [later.pk]


def test_days_out_of_range_is_400_naming_it(city):
    for wrong in ("0", "15", "three"):
        response = client_for(city.inspector).get(URL, {"days": wrong})
        assert response.status_code == 400 and "days" in response.json()


def test_a_unit_handler_gets_only_their_units_open_tasks(city):
    assigned = problem_in(city, Status.ASSIGNED)
    rectifying = problem_in(city, Status.RECTIFYING)
    problem_in(city, Status.CLOSING_APPLIED)  # waits for verification, not for the unit
    rejected = problem_in(city, Status.CLOSING_APPLIED)
    rejected = ledger.problem_verify(problem=rejected, approved=False, note="仍有积水", by=city.district_lead)
    elsewhere = record(city, point=city.points_b[0])
    ledger.problem_assign(problem=elsewhere, unit=city.office_b, by=city.hq)
    bundle = offline(city.unit_handler)
    assert bundle["inspector"] is None
    tasks = {task["id"]: task for task in bundle["unit"]["tasks"]}
    assert set(tasks) == {assigned.pk, rectifying.pk, rejected.pk}
    assert tasks[assigned.pk]["can"] == {"acknowledge": True, "apply_close": False}
    assert tasks[rectifying.pk]["can"] == {"acknowledge": False, "apply_close": True}
    assert tasks[rejected.pk]["last_rejection"] == "仍有积水"
    assert tasks[assigned.pk]["last_rejection"] is None
    assert tasks[rejected.pk]["version"] == rejected.version
    photo = tasks[rejected.pk]["photos"][0]
    assert photo["thumbnail"].endswith(f"/ledger/photos/{rejected.photos.first().pk}/thumb/")
    assert tasks[assigned.pk]["sample_point"]["id"] == city.points_a[0].pk


def test_another_districts_people_and_other_roles_get_nothing(city):
    market_checklist(city)
    drawn_round(city, inspector=city.inspector, category=city.market, quota=1)
    problem_in(city, Status.ASSIGNED)
    inspector_b = make_user("inspector_b", Role.INSPECTOR, district=city.district_b)
    handler_b = make_user("handler_b", Role.UNIT_HANDLER, unit=city.office_b)
    assert offline(inspector_b)["inspector"] == {"points": []}
    assert offline(handler_b)["unit"] == {"tasks": []}
    for role in ("hq", "leader", "district_lead", "other_district_lead", "grid_chief"):
        bundle = offline(getattr(city, role))
        assert bundle["inspector"] is None and bundle["unit"] is None, role


def test_anonymous_and_the_public_are_refused(city):
    assert client_for(None).get(URL).status_code in (401, 403)
    assert client_for(city.public).get(URL).status_code == 403


def _queries(user) -> int:
    client = client_for(user)
    client.get(URL)  # the session and the user are loaded once per request either way
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_inspectors_copy_costs_the_same_queries_for_one_point_or_many(city):
    market_checklist(city)
    inspections.checklist_revise(category=city.restaurant, items=MARKET_ITEMS[:3], by=city.hq)
    one = drawn_round(city, inspector=city.inspector, category=city.market, quota=1).points.get()
    # A started point adds the results' query: start one in both cases.
    inspections.inspection_start(sample_point=one.sample_point, kind=one.round.kind, by=city.inspector,
                                 round_point=one)
    few = _queries(city.inspector)
    for _n in range(4):
        make_sample_point(district=city.district_a, category=city.restaurant)
    more = drawn_round(city, inspector=city.inspector, category=city.restaurant, quota=5, name="更多")
    started = more.points.first()
    inspections.inspection_start(sample_point=started.sample_point, kind=more.kind, by=city.inspector,
                                 round_point=started)
    assert len(offline(city.inspector)["inspector"]["points"]) == 1 + 5
    many = _queries(city.inspector)
    assert many == few, (few, many)
    assert many <= 8


def test_the_units_copy_costs_the_same_queries_for_one_task_or_many(city):
    problem_in(city, Status.RECTIFYING)
    few = _queries(city.unit_handler)
    for _n in range(4):
        problem_in(city, Status.ASSIGNED)
    problem_in(city, Status.CLOSING_APPLIED)
    many = _queries(city.unit_handler)
    assert many == few, (few, many)
    assert many <= 6
