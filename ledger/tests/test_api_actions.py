"""The ledger's workflow over the REST API: every action by every role, the whole flow from
recording to verified closing, refused moves (409), bad input (400), and two verifications at once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from ledger import services
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.api_support import (
    action_url,
    client_for,
    not_a_picture,
    problem_url,
    problems_url,
    stored_files,
    user_of,
)
from ledger.tests.factories import jpeg_upload, problem_in, record


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, problem, name, payload=None, *, multipart=False):
    return client.post(action_url(problem, name), payload or {}, format="multipart" if multipart else "json")


# --- The permission matrix -----------------------------------------------------------------------

# action -> (state it starts from, payload, multipart?, roles that may take it)
ACTIONS = {
    "assign": (Status.FOUND, lambda c: {"unit": c.office_a.pk}, False, {"hq", "district_lead"}),
    "acknowledge": (Status.ASSIGNED, lambda c: {}, False, {"hq", "unit_handler"}),
    "apply-close": (Status.RECTIFYING, lambda c: {"note": "已清理", "photos": [jpeg_upload()]}, True,
                    {"hq", "unit_handler"}),
    "verify": (Status.CLOSING_APPLIED, lambda c: {"approved": True, "note": "现场核实"}, False,
               {"hq", "district_lead", "inspector"}),
    "invalidate": (Status.FOUND, lambda c: {"reason": "不属于问题"}, False, {"hq", "district_lead"}),
    "rebound": (Status.CLOSED, lambda c: {"description": "又出现了"}, False, {"hq", "district_lead", "inspector"}),
    "classify": (Status.FOUND, lambda c: {"problem_class": c.problem_class.pk}, False,
                 {"hq", "district_lead", "team_lead"}),
}
EVERYONE = ["hq", "leader", "team_lead", "district_lead", "other_district_lead", "unit_handler", "inspector",
            "public", None]


def expected_status(action: str, role: str | None) -> int:
    if role is None:
        return 401
    if role == "public":
        return 403
    if role == "other_district_lead":
        return 404  # district A's problem does not exist for district B
    if role in ACTIONS[action][3]:
        return 201 if action == "rebound" else 200
    return 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_answers_by_role_and_scope(city, tmp_path, action, role):
    city.problem_class = services.problem_class_create(code="PC-01", name="市场排水", by=city.hq)
    state, payload, multipart, _roles = ACTIONS[action]
    problem = problem_in(city, state)
    files_before, events_before = stored_files(tmp_path), problem.events.count()
    response = post(client_for(user_of(city, role)), problem, action, payload(city), multipart=multipart)
    expected = expected_status(action, role)
    assert response.status_code == expected, response.content
    stored = Problem.objects.get(pk=problem.pk)
    if expected in (200, 201):
        assert stored.events.count() == events_before + 1
    else:
        assert stored.version == problem.version
        assert stored.events.count() == events_before
        assert Problem.objects.count() == 1  # no rebound recorded
        # A refused apply-close leaves none of its uploaded photos behind.
        assert stored_files(tmp_path) == files_before
        if expected == 403 and role != "public":
            assert response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_actions_only_take_post(city, method):
    problem = problem_in(city, Status.FOUND)
    response = getattr(client_for(city.hq), method)(action_url(problem, "invalidate"), {"reason": "x"}, format="json")
    assert response.status_code == 405
    assert Problem.objects.get(pk=problem.pk).status == Status.FOUND


# --- The whole flow ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_problem_goes_from_recording_to_verified_closing_through_the_api(city):
    inspector, lead, handler = (client_for(u) for u in (city.inspector, city.district_lead, city.unit_handler))
    point = city.points_a[0]
    response = inspector.post(problems_url(), {
        "description": "市场排水沟堵塞", "category": point.category_id, "sample_point": point.pk,
        "source": "routine", "photos": [jpeg_upload("before.jpg")],
    }, format="multipart")
    assert response.status_code == 201, response.content
    problem = Problem.objects.get(pk=response.json()["id"])
    assert response.json()["allowed_actions"] == []  # the inspector does not assign

    deadline = timezone.localdate() + timezone.timedelta(days=5)
    body = post(lead, problem, "assign", {"unit": city.office_a.pk, "deadline": deadline.isoformat(),
                                          "version": 1}).json()
    assert (body["status"], body["deadline"], body["version"]) == ("assigned", deadline.isoformat(), 2)
    assert "reassign" in body["allowed_actions"]

    body = post(handler, problem, "acknowledge", {"version": 2, "note": "收到"}).json()
    assert (body["status"], body["allowed_actions"]) == ("rectifying", ["apply_close"])

    response = post(handler, problem, "apply-close", {"note": "已疏通并清洗", "version": 3,
                                                      "photos": [jpeg_upload("after1.jpg"), jpeg_upload("after2.jpg")]},
                    multipart=True)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closing_applied"

    response = post(lead, problem, "verify", {"approved": True, "note": "现场核实已整改", "version": 4})
    assert response.status_code == 200, response.content

    body = handler.get(problem_url(problem)).json()
    assert body["status"] == "closed" and body["closed_at"]
    events = body["events"]
    assert [(e["action"], e["actor"], e["from"], e["to"]) for e in events] == [
        ("record", "inspector", "", "found"),
        ("assign", "district_lead", "found", "assigned"),
        ("acknowledge", "unit_handler", "assigned", "rectifying"),
        ("apply_close", "unit_handler", "rectifying", "closing_applied"),
        ("approve", "district_lead", "closing_applied", "closed"),
    ]
    assert events[1]["data"]["unit_name"] == city.office_a.name
    assert events[3]["note"] == "已疏通并清洗"
    assert [len(e["photos"]) for e in events] == [1, 0, 0, 2, 0]
    assert {p["kind"] for p in body["photos"]} == {"before", "after"}
    # The photo URLs lead to the pages' photo views, which serve only those who may see the problem.
    after = events[3]["photos"][0]
    for url in (after["url"], after["thumbnail_url"]):
        assert handler.get(url).status_code == 200
        assert client_for(city.other_district_lead).get(url).status_code == 404


@pytest.mark.django_db
def test_a_rejected_closing_goes_back_to_the_unit_with_the_reason(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    client = client_for(city.inspector)
    assert post(client, problem, "verify", {"approved": False}).status_code == 400  # a reason is needed
    body = post(client, problem, "verify", {"approved": False, "note": "仍有积水"}).json()
    assert (body["status"], body["rejection_count"], body["last_rejection_reason"]) == ("rectifying", 1, "仍有积水")


@pytest.mark.django_db
def test_a_rebound_answers_the_new_problem_linked_to_the_closed_one(city):
    original = problem_in(city, Status.CLOSED)
    response = post(client_for(city.inspector), original, "rebound",
                    {"description": "市场又见污水", "photos": [jpeg_upload()]}, multipart=True)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] != original.pk
    assert (body["status"], body["rebound_of"], body["rebound_of_code"]) == ("found", original.pk, original.code)
    assert len(body["events"][0]["photos"]) == 1
    original.refresh_from_db()
    assert original.status == Status.CLOSED
    assert original.events.last().action == "rebound"


@pytest.mark.django_db
def test_a_duplicate_is_invalidated_with_a_link_to_its_original_by_code(city):
    original = record(city)
    duplicate = record(city)
    body = post(client_for(city.district_lead), duplicate, "invalidate",
                {"reason": "重复上报", "duplicate_of": original.code}).json()
    assert (body["status"], body["duplicate_of"], body["invalid_reason"]) == ("invalid", original.pk, "重复上报")


@pytest.mark.django_db
def test_a_duplicate_cannot_point_at_a_problem_the_user_may_not_see(city):
    in_b = record(city, by=city.hq, point=city.points_b[0])
    problem = record(city)
    response = post(client_for(city.district_lead), problem, "invalidate", {"reason": "重复", "duplicate_of": in_b.pk})
    assert response.status_code == 400
    assert "duplicate_of" in response.json()
    assert Problem.objects.get(pk=problem.pk).status == Status.FOUND


@pytest.mark.django_db
def test_classify_puts_a_problem_in_a_class_and_null_takes_it_out(city):
    problem_class = services.problem_class_create(code="PC-02", name="占道经营", by=city.hq)
    problem = record(city)
    client = client_for(city.team_lead)
    body = post(client, problem, "classify", {"problem_class": problem_class.pk}).json()
    assert body["problem_class"] == problem_class.pk
    body = post(client, problem, "classify", {"problem_class": None}).json()
    assert body["problem_class"] is None
    assert [e["action"] for e in body["events"]][-2:] == ["classify", "classify"]


# --- Refused moves -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verifying_a_problem_that_is_only_found_is_a_conflict(city):
    problem = problem_in(city, Status.FOUND)
    response = post(client_for(city.district_lead), problem, "verify", {"approved": True})
    assert response.status_code == 409
    assert "cannot be verified" in response.json()["detail"]
    assert Problem.objects.get(pk=problem.pk).status == Status.FOUND


@pytest.mark.django_db
def test_acting_on_a_stale_version_is_a_conflict(city):
    problem = problem_in(city, Status.FOUND)
    lead = client_for(city.district_lead)
    assert post(lead, problem, "assign", {"unit": city.office_a.pk, "version": 1}).status_code == 200
    # Someone still looking at version 1 tries to invalidate it.
    response = post(lead, problem, "invalidate", {"reason": "不属于问题", "version": 1})
    assert response.status_code == 409
    assert "changed" in response.json()["detail"]
    assert Problem.objects.get(pk=problem.pk).status == Status.ASSIGNED


@pytest.mark.django_db
def test_applying_to_close_without_a_photo_is_refused(city):
    problem = problem_in(city, Status.RECTIFYING)
    response = post(client_for(city.unit_handler), problem, "apply-close", {"note": "已整改"}, multipart=True)
    assert response.status_code == 400
    assert "photo" in response.json()["detail"]
    assert Problem.objects.get(pk=problem.pk).status == Status.RECTIFYING


@pytest.mark.django_db
def test_applying_to_close_with_a_file_that_is_not_a_picture_is_refused_and_keeps_nothing(city, tmp_path):
    problem = problem_in(city, Status.RECTIFYING)
    response = post(client_for(city.unit_handler), problem, "apply-close",
                    {"note": "已整改", "photos": [jpeg_upload("ok.jpg"), not_a_picture("fake.jpg")]}, multipart=True)
    assert response.status_code == 400
    assert "fake.jpg is not a picture" in response.json()["detail"]
    assert Problem.objects.get(pk=problem.pk).status == Status.RECTIFYING
    assert stored_files(tmp_path) == []


@pytest.mark.django_db
def test_apply_close_takes_photos_sent_as_photos_brackets(city):
    problem = problem_in(city, Status.RECTIFYING)
    response = post(client_for(city.unit_handler), problem, "apply-close",
                    {"note": "已整改", "photos[]": [jpeg_upload("a.jpg")]}, multipart=True)
    assert response.status_code == 200, response.content
    assert len(response.json()["photos"]) == 1


@pytest.mark.django_db
def test_assigning_to_a_unit_of_another_district_is_refused(city):
    problem = problem_in(city, Status.FOUND)
    response = post(client_for(city.district_lead), problem, "assign", {"unit": city.office_b.pk})
    assert response.status_code == 400
    assert "unit" in response.json()
    assert Problem.objects.get(pk=problem.pk).status == Status.FOUND


@pytest.mark.django_db
def test_assigning_with_a_deadline_in_the_past_is_refused(city):
    problem = problem_in(city, Status.FOUND)
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    response = post(client_for(city.hq), problem, "assign", {"unit": city.office_a.pk, "deadline": yesterday})
    assert response.status_code == 400
    assert response.json()["detail"]


# --- Two people at the same moment ---------------------------------------------------------------


def run_at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_verifications_at_once_through_the_api_one_wins_and_one_gets_409(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    lead, inspector = client_for(city.district_lead), client_for(city.inspector)
    responses = run_at_once(
        lambda: post(lead, problem, "verify", {"approved": True, "note": "ok"}),
        lambda: post(inspector, problem, "verify", {"approved": False, "note": "不合格"}),
    )
    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [200, 409], responses
    stored = Problem.objects.get(pk=problem.pk)
    winner = next(r for r in responses if r.status_code == 200).json()
    assert stored.status == winner["status"]
    assert stored.events.filter(action__in=["approve", "reject"]).count() == 1
