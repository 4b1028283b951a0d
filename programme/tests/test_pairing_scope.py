"""Who sees and does what: HQ all (and writes pairs), leaders read all, a district lead their
district's pairs, a unit handler their own unit's (and records its tasks done and visits). Out of
scope is a 404, on the pages and in the API."""

import datetime as dt

import pytest

from campaign.choices import Role
from campaign.tests.factories import make_user
from ledger.tests.factories import jpeg_upload
from programme.choices import PairTaskStatus
from programme.models import PairTask

from .pairing_factories import communities, pair, task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pairs(city):
    places = communities(city)
    in_a = pair(city, unit=city.office_a, community=places["甲一社区"])
    in_b = pair(city, unit=city.office_b, community=places["乙一社区"])
    return in_a, in_b, task(city, in_a, due_on=dt.date(2025, 3, 1)), task(city, in_b, due_on=dt.date(2025, 3, 1))


SEES_A = {"hq": True, "leader": True, "district_lead": True, "other_district_lead": False, "unit_handler": True,
          "inspector": False, "team_lead": False, "grid_chief": False}


@pytest.mark.parametrize("role,sees", SEES_A.items())
def test_the_pair_page_is_a_404_out_of_scope(city, pairs, login, role, sees):
    in_a, in_b, _ta, _tb = pairs
    client = login(getattr(city, role))
    assert client.get(f"/programme/pairing/{in_a.pk}/").status_code == (200 if sees else 404)
    # District B's pair: those who see the whole city and district B's lead.
    sees_b = role in ("hq", "leader", "other_district_lead")
    assert client.get(f"/programme/pairing/{in_b.pk}/").status_code == (200 if sees_b else 404)


def test_anonymous_goes_to_sign_in(pairs, client):
    assert client.get("/programme/pairing/").status_code == 302


def test_the_list_holds_only_the_pairs_in_scope(city, pairs, login):
    in_a, in_b, _ta, _tb = pairs
    listed = {p.pk for p in login(city.district_lead).get("/programme/pairing/").context["page"]}
    assert listed == {in_a.pk}
    listed = {p.pk for p in login(city.leader).get("/programme/pairing/").context["page"]}
    assert listed == {in_a.pk, in_b.pk}


def test_a_unit_handler_records_their_own_task_done_with_photos_on_the_page(city, pairs, login):
    in_a, _in_b, task_a, task_b = pairs
    client = login(city.unit_handler)
    response = client.post(f"/programme/pairing/tasks/{task_a.pk}/done/", {
        "done_on": "2025-02-28", "note": "完成楼道清理", "photos": [jpeg_upload()], "expected_status": "planned"})
    assert response.status_code == 302
    task_a.refresh_from_db()
    assert task_a.status == PairTaskStatus.DONE and task_a.photos.count() == 1
    # Another unit's task: not found.
    assert client.post(f"/programme/pairing/tasks/{task_b.pk}/done/", {
        "done_on": "2025-02-28", "note": "x"}).status_code == 404
    assert PairTask.objects.get(pk=task_b.pk).status == PairTaskStatus.PLANNED


def test_a_missing_note_is_shown_on_the_field(city, pairs, login):
    _in_a, _in_b, task_a, _tb = pairs
    page = login(city.unit_handler).post(f"/programme/pairing/tasks/{task_a.pk}/done/", {"done_on": "2025-02-28"})
    assert page.status_code == 200 and page.context["tasks"][0].done_form.errors["note"]


@pytest.mark.parametrize("role", ["leader", "district_lead", "unit_handler"])
def test_only_hq_sets_pairs_and_tasks_up(city, pairs, login, role):
    in_a, _in_b, task_a, _tb = pairs
    client = login(getattr(city, role))
    assert client.get("/programme/pairing/new/").status_code == 404
    assert client.post(f"/programme/pairing/{in_a.pk}/tasks/", {
        "title": "x", "kind": "activity", "due_on": "2025-05-01"}).status_code == 404
    assert client.post(f"/programme/pairing/tasks/{task_a.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert in_a.tasks.count() == 1


def test_hq_pairs_a_unit_with_a_community_on_the_page(city, pairs, login):
    places = {c.name: c for c in in_scope_communities(city)}
    response = login(city.hq).post("/programme/pairing/new/", {
        "unit": city.city_department.pk, "community": places["甲二社区"].pk, "starts_on": "2025-01-01"})
    assert response.status_code == 302
    assert city.city_department.pairs.get().community == places["甲二社区"]


def in_scope_communities(city):
    from campaign.models import Community

    return Community.objects.visible_to(city.hq)


def test_a_unit_handler_records_a_visit_and_the_leader_cannot(city, pairs, login):
    in_a, _in_b, _ta, _tb = pairs
    data = {"visited_on": "2025-02-01", "visitors": "王芳", "work_done": "检查卫生"}
    assert login(city.unit_handler).post(f"/programme/pairing/{in_a.pk}/visits/", data).status_code == 302
    assert login(city.leader).post(f"/programme/pairing/{in_a.pk}/visits/", data).status_code == 404
    assert in_a.visits.count() == 1


# --- API ------------------------------------------------------------------------------------------


def test_the_api_lists_and_reads_in_scope_only(city, pairs, login):
    in_a, in_b, _task_a, task_b = pairs
    client = login(city.district_lead)
    assert {row["id"] for row in client.get("/api/pairs/").json()["results"]} == {in_a.pk}
    assert client.get(f"/api/pairs/{in_b.pk}/").status_code == 404
    assert client.get(f"/api/pair-tasks/{task_b.pk}/").status_code == 404
    communities = client.get("/api/communities/").json()["results"]
    assert {row["district"] for row in communities} == {city.district_a.pk}
    assert login(city.inspector).get("/api/pairs/").status_code == 403


def test_the_api_records_through_the_services(city, pairs, login):
    in_a, in_b, task_a, task_b = pairs
    client = login(city.unit_handler)
    response = client.post(f"/api/pair-tasks/{task_a.pk}/complete/",
                           {"done_on": "2025-02-20", "note": "完成"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    again = client.post(f"/api/pair-tasks/{task_a.pk}/complete/", {"done_on": "2025-02-20", "note": "完成"},
                        content_type="application/json")
    assert again.status_code == 409
    assert client.post(f"/api/pair-tasks/{task_b.pk}/complete/", {"done_on": "2025-02-20", "note": "x"},
                       content_type="application/json").status_code == 404
    visit = client.post("/api/pair-visits/", {"pair": in_a.pk, "visited_on": "2025-02-21", "visitors": "王芳",
                                               "work_done": "走访", "photos": [jpeg_upload()]})
    assert visit.status_code == 201 and len(visit.json()["photos"]) == 1
    refused = client.post("/api/pair-visits/", {"pair": in_a.pk, "visited_on": "2025-01-01", "visitors": "",
                                                 "work_done": "走访"}, content_type="application/json")
    assert refused.status_code == 400 and "visitors" in refused.json()
    # Pairs and tasks are HQ's to set up.
    assert client.post("/api/pairs/", {"unit": city.office_a.pk, "community": in_a.community_id,
                                       "starts_on": "2025-01-01"},
                       content_type="application/json").status_code == 403
    hq = login(city.hq)
    created = hq.post("/api/pair-tasks/", {"pair": in_b.pk, "title": "健康讲座", "due_on": "2025-05-01"},
                      content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "planned"


def test_another_units_handler_sees_none_of_these_pairs(city, pairs, login):
    other = make_user("other_unit", Role.UNIT_HANDLER, unit=city.city_department)
    assert login(other).get("/api/pairs/").json()["results"] == []
    assert login(other).get(f"/programme/pairing/units/{city.office_a.pk}/").status_code == 404

