"""An inspection over the REST API from draft to submission: every answer saved as given, a
failed item with a real JPEG photo, submission scoring it and putting the failure in the
ledger (assigned to the point's unit, with the photo as its before-photo), then locked."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from campaign.services.structure import api_token_get_or_create
from inspections.choices import InspectionStatus, Outcome
from inspections.models import Inspection, ItemResult, ResultPhoto
from inspections.tests.factories import inspect, market_checklist
from ledger.choices import PhotoKind, Source, Status
from ledger.models import Problem
from ledger.tests.api_support import client_for, not_a_picture, stored_files
from ledger.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db

INSPECTIONS = reverse("inspection-list")


@pytest.fixture
def checklist(city):
    return market_checklist(city)


def detail_url(inspection_id: int) -> str:
    return reverse("inspection-detail", args=[inspection_id])


def results_url(inspection_id: int) -> str:
    return reverse("inspection-results", args=[inspection_id])


def photos_url(inspection_id: int, item_id: int) -> str:
    return reverse("inspection-result-photos", args=[inspection_id, item_id])


def submit_url(inspection_id: int) -> str:
    return reverse("inspection-submit", args=[inspection_id])


def start(api, point, **extra) -> dict:
    response = api.post(INSPECTIONS, {"sample_point": point.pk, "kind": "unannounced", **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_an_inspector_runs_an_inspection_from_draft_to_the_ledger(city, checklist):
    api = client_for(city.inspector)
    point = city.points_a[0]
    draft = start(api, point, latitude="30.900100", longitude="121.450200", location_accuracy_m=12)
    assert draft["status"] == InspectionStatus.DRAFT and draft["score"] is None
    assert draft["checklist_version"] == checklist.number
    assert [item["code"] for item in draft["items"]] == ["M01", "M02", "M03", "M04", "M05"]
    assert all(item["result"] is None for item in draft["items"]) and draft["answered"] == 0
    items = {item["code"]: item["id"] for item in draft["items"]}

    # Each answer is saved as it is given; M02 fails with a note.
    for code, item_id in items.items():
        outcome = Outcome.FAIL if code == "M02" else Outcome.PASS
        note = "摊位杂物堆放" if code == "M02" else ""
        response = api.post(results_url(draft["id"]), {"item": item_id, "outcome": outcome, "note": note},
                            format="json")
        assert response.status_code == 200, response.content
        assert response.json()["outcome"] == outcome
    assert ItemResult.objects.filter(inspection=draft["id"]).count() == 5

    # A real JPEG taken for the failed item.
    response = api.post(photos_url(draft["id"], items["M02"]), {"photos": [jpeg_upload("stall.jpg")]},
                        format="multipart")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["outcome"] == Outcome.FAIL and answer["note"] == "摊位杂物堆放"  # the answer is kept
    assert len(answer["photos"]) == 1 and answer["photos"][0]["width"] == 64
    photo = ResultPhoto.objects.get()
    served = api.get(answer["photos"][0]["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert client_for(city.other_district_lead).get(answer["photos"][0]["url"]).status_code == 404

    # Resuming shows every answer and the photo.
    resumed = api.get(detail_url(draft["id"])).json()
    assert resumed["answered"] == 5
    failed = next(item for item in resumed["items"] if item["code"] == "M02")
    assert failed["result"]["outcome"] == Outcome.FAIL and len(failed["result"]["photos"]) == 1

    response = api.post(submit_url(draft["id"]), {"note": "整体良好"}, format="json")
    assert response.status_code == 200, response.content
    submitted = response.json()
    assert submitted["status"] == InspectionStatus.SUBMITTED
    assert submitted["score"] == "95.0"  # 100 minus M02's 5 points
    assert submitted["submitted_at"] and submitted["ended_at"]
    assert len(submitted["findings"]) == 1
    finding = submitted["findings"][0]
    assert finding["outcome"] == "new"

    problem = Problem.objects.get(pk=finding["problem"])
    assert finding["code"] == problem.code
    assert submitted["problems"] == [{"id": problem.pk, "code": problem.code, "status": problem.status}]
    assert problem.sample_point == point and problem.category == city.market
    assert problem.district == city.district_a
    assert problem.status == Status.ASSIGNED and problem.responsible_unit == city.office_a
    assert problem.source == Source.UNANNOUNCED_VISIT
    assert problem.source_ref == f"inspection:{draft['id']}"
    assert problem.finding_key == "MKT:M02"
    assert "摊位杂物堆放" in problem.description
    before = list(problem.photos.all())
    assert [p.kind for p in before] == [PhotoKind.BEFORE]
    assert before[0].image.name == photo.image.name  # the very photo taken in the field

    # Locked: no more answers, no more photos, no second submission.
    again = api.post(results_url(draft["id"]), {"item": items["M01"], "outcome": Outcome.FAIL}, format="json")
    assert again.status_code == 409
    assert "submitted" in again.json()["detail"]
    more_photos = api.post(photos_url(draft["id"], items["M01"]), {"photos": [jpeg_upload()]}, format="multipart")
    assert more_photos.status_code == 409
    assert api.post(submit_url(draft["id"]), {}, format="json").status_code == 409
    assert ItemResult.objects.get(inspection=draft["id"], item=items["M01"]).outcome == Outcome.PASS


def test_a_refused_photo_upload_leaves_no_file_behind(city, checklist, settings):
    api = client_for(city.inspector)
    draft = start(api, city.points_a[0])
    item = draft["items"][0]["id"]
    api.post(results_url(draft["id"]), {"item": item, "outcome": Outcome.FAIL}, format="json")
    response = api.post(photos_url(draft["id"], item), {"photos": [jpeg_upload("ok.jpg"), not_a_picture("x.jpg")]},
                        format="multipart")
    assert response.status_code == 400
    assert "not a picture" in response.json()["detail"]
    assert stored_files(settings.MEDIA_ROOT) == []
    assert not ResultPhoto.objects.exists()


def test_photos_with_the_answer_in_one_multipart_request(city, checklist):
    api = client_for(city.inspector)
    draft = start(api, city.points_a[0])
    item = draft["items"][1]["id"]
    response = api.post(results_url(draft["id"]),
                        {"item": item, "outcome": Outcome.FAIL, "note": "脏", "photos": [jpeg_upload(), jpeg_upload()]},
                        format="multipart")
    assert response.status_code == 200, response.content
    assert len(response.json()["photos"]) == 2


def test_photos_for_an_unanswered_item_need_an_outcome(city, checklist):
    api = client_for(city.inspector)
    draft = start(api, city.points_a[0])
    item = draft["items"][0]["id"]
    refused = api.post(photos_url(draft["id"], item), {"photos": [jpeg_upload()]}, format="multipart")
    assert refused.status_code == 400
    assert not ItemResult.objects.exists()
    taken = api.post(photos_url(draft["id"], item), {"photos": [jpeg_upload()], "outcome": "fail"},
                     format="multipart")
    assert taken.status_code == 201
    assert taken.json()["outcome"] == Outcome.FAIL


def test_an_answer_can_be_changed_until_submission(city, checklist):
    api = client_for(city.inspector)
    draft = start(api, city.points_a[0])
    item = draft["items"][0]["id"]
    api.post(results_url(draft["id"]), {"item": item, "outcome": "fail"}, format="json")
    api.post(results_url(draft["id"]), {"item": item, "outcome": "pass"}, format="json")
    assert ItemResult.objects.get(inspection=draft["id"], item=item).outcome == Outcome.PASS


def test_submitting_with_unanswered_items_is_refused_and_names_them(city, checklist):
    api = client_for(city.inspector)
    draft = start(api, city.points_a[0])
    api.post(results_url(draft["id"]), {"item": draft["items"][0]["id"], "outcome": "pass"}, format="json")
    response = api.post(submit_url(draft["id"]), {}, format="json")
    assert response.status_code == 400
    assert "M02" in response.json()["detail"]
    assert Inspection.objects.get(pk=draft["id"]).status == InspectionStatus.DRAFT


@pytest.mark.parametrize(("payload", "field"), [
    ({"outcome": "maybe"}, "outcome"),
    ({"item": None}, "item"),
])
def test_bad_result_input_is_a_400(city, checklist, payload, field):
    api = client_for(city.inspector)
    draft = start(api, city.points_a[0])
    body = {"item": draft["items"][0]["id"], "outcome": "pass", **payload}
    response = api.post(results_url(draft["id"]), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_an_item_of_another_checklist_is_refused(city, checklist):
    from inspections import services

    services.checklist_revise(category=city.restaurant, by=city.hq, items=[
        {"code": "R01", "text_zh": "后厨整洁", "points": 5},
    ])
    other_item = city.restaurant.checklist.current_version.items.get()
    api = client_for(city.inspector)
    draft = start(api, city.points_a[0])
    response = api.post(results_url(draft["id"]), {"item": other_item.pk, "outcome": "pass"}, format="json")
    assert response.status_code == 400
    photos = api.post(photos_url(draft["id"], other_item.pk), {"photos": [jpeg_upload()]}, format="multipart")
    assert photos.status_code == 404


def test_a_category_without_checklist_cannot_be_inspected(city, checklist):
    response = client_for(city.inspector).post(INSPECTIONS, {"sample_point": city.points_a[1].pk, "kind": "routine"},
                                               format="json")
    assert response.status_code == 400
    assert "no checklist" in response.json()["detail"]


def test_draft_input_is_checked(city, checklist):
    api = client_for(city.inspector)
    assert api.post(INSPECTIONS, {"kind": "routine"}, format="json").status_code == 400
    assert api.post(INSPECTIONS, {"sample_point": city.points_a[0].pk}, format="json").status_code == 400
    only_latitude = api.post(INSPECTIONS, {"sample_point": city.points_a[0].pk, "kind": "routine",
                                           "latitude": "30.1"}, format="json")
    assert only_latitude.status_code == 400
    assert not Inspection.objects.exists()


def test_fellow_inspectors_may_answer_and_others_may_not(city, checklist):
    from campaign.choices import Role
    from campaign.tests.factories import make_user

    fellow = make_user("fellow", Role.INSPECTOR, district=city.district_a)
    stranger = make_user("stranger", Role.INSPECTOR, district=city.district_a)
    draft = start(client_for(city.inspector), city.points_a[0], inspectors=[fellow.pk])
    assert {person["id"] for person in draft["inspectors"]} == {city.inspector.pk, fellow.pk}
    item = draft["items"][0]["id"]
    assert client_for(fellow).post(results_url(draft["id"]), {"item": item, "outcome": "pass"},
                                   format="json").status_code == 200
    assert client_for(stranger).post(results_url(draft["id"]), {"item": item, "outcome": "pass"},
                                     format="json").status_code == 404


def test_a_token_client_runs_an_inspection(city, checklist):
    token = api_token_get_or_create(user=city.inspector)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert api.get(INSPECTIONS).status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    draft = start(api, city.points_a[0])
    for item in draft["items"]:
        assert api.post(results_url(draft["id"]), {"item": item["id"], "outcome": "pass"},
                        format="json").status_code == 200
    response = api.post(submit_url(draft["id"]), {}, format="json")
    assert response.status_code == 200
    assert response.json()["score"] == "100.0" and response.json()["findings"] == []


def test_a_failure_found_again_is_not_a_new_problem(city, checklist):
    inspect(city, outcomes={"M01": Outcome.FAIL})
    api = client_for(city.inspector)
    draft = start(api, city.points_a[0])
    for item in draft["items"]:
        outcome = "fail" if item["code"] == "M01" else "pass"
        api.post(results_url(draft["id"]), {"item": item["id"], "outcome": outcome}, format="json")
    findings = api.post(submit_url(draft["id"]), {}, format="json").json()["findings"]
    assert [f["outcome"] for f in findings] == ["found_again"]
    assert Problem.objects.count() == 1
