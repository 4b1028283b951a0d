"""The special actions' API: actions with progress, objects with filters, loading from Excel
and the steps (multipart photos), through the same services and scopes as the pages."""

import io

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from programme.choices import TargetStatus
from programme.models import ActionTarget

from .actions_factories import add_target, make_action, photo_upload, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def api(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def action(city):
    action = make_action(city)
    add_target(city, action, name="甲区公厕")
    add_target(city, action, name="乙区公厕", district=city.district_b, unit=city.office_b)
    return action


def test_the_anonymous_and_the_public_are_refused(city, action):
    assert api().get("/api/actions/").status_code in (401, 403)
    assert api(city.public).get("/api/action-objects/").status_code == 403


def test_actions_come_with_the_progress_of_the_objects_the_reader_sees(city, action):
    answer = api(city.district_lead).get("/api/actions/").json()
    assert [(row["action"]["id"], row["progress"]["total"]) for row in answer] == [(action.pk, 1)]
    detail = api(city.hq).get(f"/api/actions/{action.pk}/").json()
    assert detail["figures"]["total"]["total"] == 2
    assert sorted(row["label"] for row in detail["figures"]["districts"]) == ["乙区", "甲区"]
    assert api(city.inspector).get(f"/api/actions/{action.pk}/").status_code == 404


def test_objects_are_filtered_and_scoped(city, action):
    names = [row["name"] for row in api(city.hq).get("/api/action-objects/", {"district": city.district_b.pk}).json()["results"]]
    assert names == ["乙区公厕"]
    names = [row["name"] for row in api(city.unit_handler).get("/api/action-objects/").json()["results"]]
    assert names == ["甲区公厕"]
    other = ActionTarget.objects.get(name="乙区公厕")
    assert api(city.unit_handler).get(f"/api/action-objects/{other.pk}/").status_code == 404


def test_hq_creates_an_action_and_loads_its_objects_all_or_nothing(city):
    created = api(city.hq).post("/api/actions/", {
        "name": "“五小”门店整治", "team": city.team.pk, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
    }, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api(city.leader).post("/api/actions/", {"name": "x"}, format="json").status_code == 403
    bad = io.BytesIO(workbook_bytes([["小餐馆", "甲区", "", "", "证照齐全", "甲街道办", ""],
                                     ["小餐馆", "甲区", "", "", "证照齐全", "甲街道办", ""]]))
    bad.name = "stores.xlsx"
    answer = api(city.hq).post(f"/api/actions/{pk}/load/", {"file": bad}, format="multipart")
    assert answer.status_code == 400
    assert [(e["row"], e["column"]) for e in answer.json()["errors"]] == [(3, "名称 Name")]
    assert ActionTarget.objects.count() == 0
    good = io.BytesIO(workbook_bytes([["小餐馆", "甲区", "", "", "证照齐全", "甲街道办", ""]]))
    good.name = "stores.xlsx"
    answer = api(city.hq).post(f"/api/actions/{pk}/load/", {"file": good, "dry_run": "true"}, format="multipart")
    assert answer.status_code == 200 and ActionTarget.objects.count() == 0
    good.seek(0)
    answer = api(city.hq).post(f"/api/actions/{pk}/load/", {"file": good}, format="multipart")
    assert answer.status_code == 201 and answer.json()["created_count"] == 1
    assert api(city.team_lead).post(f"/api/actions/{pk}/load/", {"file": good}, format="multipart").status_code == 403


def test_steps_through_the_api_with_photos_conflicts_and_refusals(city, action):
    target = ActionTarget.objects.get(name="甲区公厕")
    url = f"/api/action-objects/{target.pk}/step/"
    assert api(city.unit_handler).post(url, {"step": "start", "version": target.version},
                                       format="multipart").status_code == 400  # a before-photo is required
    assert api(city.unit_handler).post(url, {"step": "finish", "version": target.version, "photos": [photo_upload()]},
                                       format="multipart").status_code == 409  # not started
    answer = api(city.unit_handler).post(url, {"step": "start", "version": target.version,
                                               "photos": [photo_upload("before.jpg")]}, format="multipart")
    assert answer.status_code == 200, answer.json()
    target.refresh_from_db()
    assert api(city.unit_handler).post(url, {"step": "finish", "version": target.version},
                                       format="multipart").status_code == 400
    answer = api(city.unit_handler).post(url, {"step": "finish", "note": "完工", "version": target.version,
                                               "photos": [photo_upload()]}, format="multipart")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["status"] == TargetStatus.DONE and len(body["events"][-1]["photos"]) == 1
    version = body["version"]
    assert api(city.unit_handler).post(url, {"step": "verify", "version": version}, format="json").status_code == 403
    assert api(city.hq).post(url, {"step": "verify", "version": 1}, format="json").status_code == 409
    # The version is required: without it, a step is refused (400), never taken on an unseen state.
    answer = api(city.hq).post(url, {"step": "verify"}, format="json")
    assert answer.status_code == 400 and "version" in str(answer.json())
    assert api(city.hq).post(url, {"step": "verify", "version": version}, format="json").json()["status"] == (
        TargetStatus.VERIFIED)
    assert api(city.hq).post(url, {"step": "start", "version": version + 1, "photos": [photo_upload("before.jpg")]},
                             format="multipart").status_code == 409
    other = ActionTarget.objects.get(name="乙区公厕")
    assert api(city.unit_handler).post(f"/api/action-objects/{other.pk}/step/", {"step": "start", "version": 1},
                                       format="json").status_code == 404


def test_hq_picks_a_sample_point_through_the_api_and_a_deadline_outside_the_period_is_refused(city, action):
    point = city.points_a[0]
    url = f"/api/actions/{action.pk}/pick/"
    late = action.ends_on.replace(year=action.ends_on.year + 1).isoformat()
    answer = api(city.hq).post(url, {"sample_point": point.pk, "target_state": "达标", "deadline": late}, format="json")
    assert answer.status_code == 400 and "period" in answer.json()["detail"]
    answer = api(city.hq).post(url, {"sample_point": point.pk, "target_state": "达标"}, format="json")
    assert answer.status_code == 201 and answer.json()["unit"] == point.responsible_unit_id
    assert api(city.team_lead).post(url, {"sample_point": point.pk, "target_state": "x"},
                                    format="json").status_code == 403
