"""The pages, API and Excel lists of the model sites and the build-out: who sees what (out of
scope is a 404), marking and withdrawing from the page, the sample point's panel, the API's
transitions through the same services, the exports."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programme.models import ModelSite, SamplePointBuildout
from programme.services import sites as services

from .sites_support import english, jpeg, mark, media, scored  # noqa: F401

pytestmark = pytest.mark.django_db


def test_gallery_shows_models_in_good_standing_hq_sees_suspended_marked(city, login):
    good = mark(city, city.points_a[0], reason="示范市场")
    low = mark(city, city.points_a[1], reason="示范餐馆")
    scored(city, low.sample_point, 50)
    scored(city, good.sample_point, 93.5)
    services.model_sites_sweep()
    hq = login(city.hq).get(reverse("programme:model_site_gallery")).content.decode()
    assert f'data-model-site="{good.pk}"' in hq and f'data-model-site="{low.pk}"' in hq and "data-suspended" in hq
    assert "93.5" in hq and "示范市场" in hq
    leader = login(city.leader).get(reverse("programme:model_site_gallery")).content.decode()
    assert f'data-model-site="{good.pk}"' in leader and f'data-model-site="{low.pk}"' not in leader
    other = login(city.other_district_lead).get(reverse("programme:model_site_gallery")).content.decode()
    assert "data-model-site=" not in other
    assert login(city.grid_chief).get(reverse("programme:model_site_gallery")).status_code == 404
    # a model's page and photo: out of scope (or suspended, beyond HQ) is a 404
    photo = good.photos.get()
    client = login(city.other_district_lead)
    assert client.get(reverse("programme:model_site_detail", args=[good.pk])).status_code == 404
    assert client.get(reverse("programme:model_site_photo", args=[photo.pk])).status_code == 404
    client = login(city.district_lead)
    assert client.get(reverse("programme:model_site_detail", args=[low.pk])).status_code == 404
    answer = client.get(reverse("programme:model_site_photo_thumb", args=[photo.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg" and "private" in answer["Cache-Control"]


def test_hq_marks_and_withdraws_from_the_pages(city, login):
    client = login(city.hq)
    url = reverse("programme:model_site_mark")
    point = city.points_b[0]
    refused = client.post(url, {"sample_point": point.pk, "reason": "好"})
    assert refused.status_code == 400 and not ModelSite.objects.exists()
    done = client.post(url, {"sample_point": point.pk, "reason": "管理规范", "photos": [jpeg()]})
    site = ModelSite.objects.get()
    assert done.status_code == 302 and site.photos.count() == 1
    client.post(reverse("programme:model_site_withdraw", args=[site.pk]), {"reason": "复查不合格"})
    site.refresh_from_db()
    assert site.status == "withdrawn" and site.status_reason == "复查不合格"
    assert login(city.leader).get(url).status_code == 404
    assert login(city.leader).post(reverse("programme:model_site_withdraw", args=[site.pk]),
                                   {"reason": "x"}).status_code == 404


def test_buildout_pages_panel_and_scope(city, login):
    point = city.points_a[0]
    client = login(city.unit_handler)
    page = reverse("programme:buildout_point", args=[point.pk])
    assert client.post(page, {"action": "move", "state": "building", "on": ""}).status_code == 302
    assert SamplePointBuildout.objects.get().state == "building"
    client.post(page, {"action": "move", "state": "ready", "on": ""})
    refused = client.post(page, {"action": "move", "state": "checked"})  # not among the unit's moves
    assert refused.status_code in (400, 404) and SamplePointBuildout.objects.get().state == "ready"
    assert client.get(reverse("programme:buildout_point", args=[city.points_b[0].pk])).status_code == 404
    assert login(city.other_district_lead).get(page).status_code == 404
    checked = login(city.inspector).post(page, {"action": "move", "state": "checked", "on": ""})
    assert checked.status_code == 302 and SamplePointBuildout.objects.get().state == "checked"
    # the sample point's page shows the state through the panel registry
    detail = login(city.hq).get(reverse("campaign:sample_point_detail", args=[point.pk])).content.decode()
    assert 'id="point-buildout"' in detail and 'data-state="checked"' in detail
    report = login(city.district_lead).get(reverse("programme:buildout_report")).content.decode()
    assert 'id="buildout-figures"' in report and str(city.district_b) not in report
    listing = login(city.hq).get(reverse("programme:buildout_list") + "?state=checked").content.decode()
    assert f'data-point="{point.pk}"' in listing and f'data-point="{city.points_a[1].pk}"' not in listing


def test_the_exports(city, login):
    today = timezone.localdate()
    services.buildout_plan(sample_point=city.points_a[0], planned_completion=today - timedelta(days=1), by=city.hq,
                           on=today - timedelta(days=9))
    mark(city)
    client = login(city.hq)
    answer = client.get(reverse("campaign:list_export", args=["sample_point_buildout_figures"]))
    assert answer.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active.iter_rows(values_only=True))
    # (in the city's language) district, category, points, planned, building, ready, checked,
    # without a plan, overdue, % ready or checked, % checked; the last line the total
    assert len(rows) == 6 and len(rows[0]) == 11 and rows[-1][0] == "合计"
    assert rows[-1][2:9] == (4, 4, 0, 0, 0, 3, 1)  # A's market still planned after its date: overdue
    answer = client.get(reverse("campaign:list_export", args=["sample_point_buildout"]) + "?overdue=on")
    rows = list(load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [city.points_a[0].code]
    answer = client.get(reverse("campaign:list_export", args=["model_sites"]))
    rows = list(load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == city.points_a[0].code
    assert login(city.grid_chief).get(reverse("campaign:list_export", args=["model_sites"])).status_code == 404


def test_the_api(city, login):
    point = city.points_a[0]
    client = login(city.unit_handler)
    base = "/api/sample-point-buildouts/"
    listing = client.get(base).json()
    assert {row["code"] for row in listing["results"]} == {p.code for p in city.points_a}
    assert client.get(f"{base}{city.points_b[0].pk}/").status_code == 404
    assert client.post(f"{base}{point.pk}/transition/", {"state": "building"}, content_type="application/json"
                       ).json()["state"] == "building"
    client.post(f"{base}{point.pk}/transition/", {"state": "ready"}, content_type="application/json")
    refused = client.post(f"{base}{point.pk}/transition/", {"state": "checked"}, content_type="application/json")
    assert refused.status_code == 403
    illegal = login(city.hq).post(f"{base}{point.pk}/transition/", {"state": "planned"},
                                  content_type="application/json")
    assert illegal.status_code == 400 and "state" in illegal.json()
    figures = login(city.hq).get(f"{base}figures/?district={city.district_a.pk}").json()
    assert figures["total"]["total"] == 2 and figures["total"]["ready"] == 1
    detail = login(city.hq).get(f"{base}{point.pk}/").json()
    assert [e["to_state"] for e in detail["events"]] == ["building", "ready"] and detail["allowed_moves"] == [
        "building", "checked"]
    # model sites: HQ marks with a photo (multipart), withdraws with a reason (JSON)
    client = login(city.hq)
    created = client.post("/api/model-sites/", {"sample_point": point.pk, "reason": "示范", "photos": [jpeg()]})
    assert created.status_code == 201, created.content
    site_id = created.json()["id"]
    assert created.json()["photos"][0]["url"].endswith(f"/{created.json()['photos'][0]['id']}/")
    assert login(city.leader).post(f"/api/model-sites/{site_id}/withdraw/", {"reason": "x"},
                                   content_type="application/json").status_code == 403
    withdrawn = login(city.hq).post(f"/api/model-sites/{site_id}/withdraw/", {"reason": "不再示范"},
                            content_type="application/json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert login(city.other_district_lead).get(f"/api/model-sites/{site_id}/").status_code == 404
    assert login(city.grid_chief).get("/api/model-sites/").status_code == 403


def test_the_api_refuses_a_file_that_is_not_a_photo_naming_the_field(city, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(city.hq)
    fake = SimpleUploadedFile("site.jpg", b"not a picture at all", content_type="image/jpeg")
    answer = client.post("/api/model-sites/", {"sample_point": city.points_a[0].pk, "reason": "示范",
                                               "photos": [fake]})
    assert answer.status_code == 400 and "photos" in answer.json()
    assert not ModelSite.objects.exists()
