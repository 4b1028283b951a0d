"""The archive's API: scoped lists with filters, uploads and reviews through the same services
(400 a refused file, 403 a role that may not, 409 a stale review), files and the ZIP job."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import translation

from assessment import tasks
from assessment.demo.archive import tiny_pdf
from assessment.models import MaterialFile
from assessment.services.archive import archive_export_run

from .archive_factories import build_standard, docx, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def std(city):
    return build_standard(city)


def test_list_scoped_and_filtered(city, std, login):
    client = login(city.unit_handler)
    rows = client.get("/api/archive/materials/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert [row["code"] for row in rows] == ["1.1-01", "1.1-02"]
    assert rows[1]["overdue"] is True and rows[1]["status"] == "missing"
    assert client.get(f"/api/archive/materials/{std.toilets.pk}/").status_code == 404
    hq = login(city.hq)
    assert [r["code"] for r in hq.get("/api/archive/materials/?overdue=true").json()["results"]] == [
        "1.1-02", "1.2-01"]
    assert [r["code"] for r in hq.get("/api/archive/materials/?part=3").json()["results"]] == ["3.1-01"]
    assert hq.get("/api/archive/materials/?status=lost").status_code == 400
    assert login(city.inspector).get("/api/archive/materials/").json()["results"] == []


def test_upload_and_review_over_the_api(city, std, login):
    unit = login(city.unit_handler)
    url = f"/api/archive/materials/{std.plan.pk}/"
    refused = unit.post(url + "files/", {"file": pdf("计划.docx")}, format="multipart")
    assert refused.status_code == 400 and "但内容是 PDF" in refused.json()["detail"]  # in the user's language
    first = unit.post(url + "files/", {"file": pdf(), "note": "v1"})
    assert first.status_code == 201 and first.json()["version"] == 1
    second = unit.post(url + "files/", {"file": docx()})
    assert second.json()["version"] == 2
    assert unit.post(url + "review/", {"file": second.json()["id"], "decision": "accept"},
                     content_type="application/json").status_code == 403
    hq = login(city.hq)
    stale = hq.post(url + "review/", {"file": first.json()["id"], "decision": "accept"},
                    content_type="application/json")
    assert stale.status_code == 409 and "已不是最新版本" in stale.json()["detail"]
    answer = hq.post(url + "review/", {"file": second.json()["id"], "decision": "return", "comment": "缺盖章"},
                     content_type="application/json")
    assert answer.status_code == 200
    detail = answer.json()
    assert (detail["status"], detail["last_comment"], len(detail["files"]), len(detail["events"])) == (
        "returned", "缺盖章", 2, 3)
    download = login(city.unit_handler).get(detail["files"][1]["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == tiny_pdf("plan")
    assert login(city.users["other_district_lead"]).get(detail["files"][1]["download_url"]).status_code == 404


def test_the_zip_over_the_api(city, std, login, monkeypatch):
    monkeypatch.setattr(tasks.archive_export_run, "delay", lambda job_id: None)
    assert login(city.team_lead).post("/api/archive/exports/").status_code == 404
    client = login(city.hq)
    queued = client.post("/api/archive/exports/")
    assert queued.status_code == 202 and queued.json()["file_url"] is None
    job = queued.json()["id"]
    assert client.get(f"/api/archive/exports/{job}/file/").status_code == 404
    archive_export_run(job_id=job)
    done = client.get(f"/api/archive/exports/{job}/").json()
    assert done["status"] == "done" and done["file_url"] == f"/api/archive/exports/{job}/file/"
    assert client.get(done["file_url"])["Content-Type"] == "application/zip"


def test_the_admin_only_reads_the_archive(city, std):
    request = RequestFactory().get("/")
    request.user = city.hq
    city.hq.is_superuser = True
    admin = site._registry[MaterialFile]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request) and not admin.has_delete_permission(request)


def test_a_control_character_in_any_field_is_a_400_naming_it(city, std, login):
    client = login(city.hq)
    url = f"/api/archive/materials/{std.plan.pk}/"
    for path, body in (("files/", {"file": pdf(), "note": "a\x00b"}), ("files/", {"file": "a\x00b"})):
        response = client.post(url + path, body)
        field = next(key for key, value in body.items() if value == "a\x00b")
        assert response.status_code == 400 and "U+0000" in response.json()[field][0], response.content
    response = client.post(url + "review/", {"file": 1, "decision": "accept", "comment": "a\x00b"},
                           content_type="application/json")
    assert response.status_code == 400 and "U+0000" in response.json()["comment"][0]
    assert not MaterialFile.objects.exists()


def test_the_completeness_endpoint_is_scoped(city, std):
    from rest_framework.test import APIClient

    def get(user, by):
        client = APIClient()
        client.force_authenticate(user)
        return client.get("/api/archive/completeness/", {"by": by})

    unit = get(city.unit_handler, "unit").json()
    assert unit["whole"] is False and [row["id"] for row in unit["rows"]] == [city.office_a.pk]
    whole = get(city.hq, "part").json()
    assert whole["whole"] is True and {row["id"] for row in whole["rows"]} == {std.part1.pk, std.part3.pk}
    assert get(city.hq, "district").status_code == 400
    assert get(city.users["inspector"], "part").status_code == 404
