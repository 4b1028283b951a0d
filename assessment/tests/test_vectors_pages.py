"""The vector-control pages and API: who sees what, recording with impossible counts (the field
is named), raising problems from the page, trends, thresholds, the Excel list."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessment.models import VectorSurvey, VectorThreshold
from campaign.exporting import EXPORTS

from .vector_factories import load_thresholds, survey


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def thresholds(db):
    load_thresholds()


def test_pages_for_hq(city, login):
    s = survey(city, counts={"rodent_rooms": (100, 20)}, points=[city.points_a[0]])
    client = login(city.users["hq"])
    page = client.get(reverse("assessment:vector_survey_list"))
    assert page.status_code == 200 and "vector-surveys" in page.content.decode()
    detail = client.get(reverse("assessment:vector_survey_detail", args=[s.pk])).content.decode()
    assert "vector-raise" in detail and "text-bg-danger" in detail
    trends = client.get(reverse("assessment:vector_trends") + "?species=rodent&end=2026-07-31")
    body = trends.content.decode()
    assert trends.status_code == 200 and "<svg" in body and str(city.district_a) in body
    thresholds = client.get(reverse("assessment:vector_thresholds")).content.decode()
    assert "no public source found: HQ to confirm" in thresholds and "PestCS" in thresholds
    # raise twice from the page: one problem
    for _ in range(2):
        client.post(reverse("assessment:vector_survey_raise", args=[s.pk]))
    assert s.sample_points.get().problems.filter(source_ref=s.source_ref).count() == 1


def test_record_from_the_page_names_the_field(city, login):
    client = login(city.users["hq"])
    url = reverse("assessment:vector_survey_record") + "?species=cockroach"
    form = {"species": "cockroach", "district": city.district_a.pk, "place_type": city.restaurant.pk,
            "surveyed_on": "2026-07-01", "cockroach_adults_checked": "10", "cockroach_adults_positive": "11"}
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "invalid-feedback" in refused.content.decode() and "11" in refused.content.decode()
    assert not VectorSurvey.objects.exists()
    form["cockroach_adults_positive"] = ""
    assert "invalid-feedback" in client.post(url, form).content.decode()  # one count without the other
    assert not VectorSurvey.objects.exists()
    form["cockroach_adults_positive"] = "1"
    done = client.post(url, form)
    s = VectorSurvey.objects.get()
    assert done.status_code == 302 and s.level == "fail"  # 10 % of rooms with adults or nymphs


def test_scope_of_the_pages(city, login):
    a = survey(city)
    b = survey(city, district=city.district_b)
    client = login(city.users["district_lead"])
    assert client.get(reverse("assessment:vector_survey_detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("assessment:vector_survey_detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("assessment:vector_survey_record")).status_code == 404
    assert client.post(reverse("assessment:vector_survey_raise", args=[a.pk])).status_code == 404
    inspector = login(city.users["inspector"])
    assert inspector.get(reverse("assessment:vector_survey_list")).status_code == 404
    t = VectorThreshold.objects.first()
    leader = login(city.users["leader"])
    assert leader.get(reverse("assessment:vector_threshold_edit", args=[t.pk])).status_code == 404


def test_hq_sets_a_threshold_on_the_page(city, login):
    t = VectorThreshold.objects.get(indicator="fly_rooms", level="C")
    client = login(city.users["hq"])
    url = reverse("assessment:vector_threshold_edit", args=[t.pk])
    refused = client.post(url, {"max_value": "1", "source": "x", "reason": "y"})
    assert refused.status_code == 200 and "invalid-feedback" in refused.content.decode()
    assert client.post(url, {"max_value": "10", "source": "HQ", "reason": "provincial rule"}).status_code == 302
    assert VectorThreshold.objects.get(pk=t.pk).max_value == 10


def test_api(city, login):
    client = login(city.users["hq"])
    body = {"species": "rodent", "district": city.district_a.pk, "place_type": city.market.pk,
            "surveyed_on": "2026-07-01", "counts": {"rodent_rooms": {"checked": 10, "positive": 11}}}
    refused = client.post("/api/vector-surveys/", body, content_type="application/json")
    assert refused.status_code == 400 and "counts.rodent_rooms.positive" in refused.json()
    body["counts"]["rodent_rooms"]["positive"] = 1
    created = client.post("/api/vector-surveys/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["level"] == "fail"  # 10 %
    survey(city, district=city.district_b, species="fly", counts={"fly_rooms": (100, 1)})
    listed = client.get("/api/vector-surveys/?species=rodent").json()
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]
    raised = client.post(f"/api/vector-surveys/{created.json()['id']}/raise-problems/")
    assert raised.status_code == 200 and len(raised.json()["raised"]) == 1
    again = client.post(f"/api/vector-surveys/{created.json()['id']}/raise-problems/")
    assert again.json()["raised"] == []
    thresholds = client.get("/api/vector-thresholds/").json()
    assert len(thresholds) == VectorThreshold.objects.count() and all(t["source"] for t in thresholds)
    lead = login(city.users["district_lead"])
    assert len(lead.get("/api/vector-surveys/").json()["results"]) == 1
    assert lead.post("/api/vector-surveys/", body, content_type="application/json").status_code == 403


def test_excel_list_is_registered(city):
    export = EXPORTS["vector_surveys"]
    survey(city)
    from django.http import QueryDict

    rows = list(export.rows(city.users["hq"], QueryDict("species=rodent")))
    assert len(rows) == 1
    assert "/" in export.columns[5].value(rows[0])


def test_trends_per_indicator(city, login):
    from datetime import date

    survey(city, species="mosquito", counts={"mosquito_containers": (100, 2), "mosquito_breteau": (100, 30)},
           on=date(2026, 7, 3))
    client = login(city.users["hq"])
    url = reverse("assessment:vector_trends") + "?species=mosquito&end=2026-07-31"
    first = client.get(url).content.decode()
    assert "2.00" in first  # the containers' rate, the first indicator
    breteau = client.get(url + "&indicator=mosquito_breteau").content.decode()
    assert "30.00" in breteau and 'id="trend-indicator-mosquito_breteau"' in breteau
    assert "text-bg-danger" in breteau  # July: the Breteau index fails the survey


def test_admin_sets_a_threshold_through_the_service(city, login):
    from campaign.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "pw-long-enough-123")
    t = VectorThreshold.objects.get(indicator="rodent_path", level="B")
    client = login(admin)
    url = reverse("admin:assessment_vectorthreshold_change", args=[t.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"max_value": "9", "source": "x", "reason": "y"})  # above C (5)
    assert refused.status_code == 200 and VectorThreshold.objects.get(pk=t.pk).max_value == 3
    done = client.post(url, {"max_value": "4", "source": "provincial notice", "reason": "stricter"})
    assert done.status_code == 302
    t.refresh_from_db()
    assert t.max_value == 4 and t.set_by == admin and t.changes.get().reason == "stricter"


@pytest.mark.parametrize("end", ["0001-01-15", "9999-12-31", "1999-12-31", "July"])
def test_trends_refuse_an_end_out_of_range_naming_it(city, login, end):
    response = login(city.users["hq"]).get(reverse("assessment:vector_trends"), {"end": end})
    assert response.status_code == 400
    assert response.context["end_error"].startswith("end") and 'id="trend-end-error"' in response.content.decode()


def test_trends_accept_the_bounds(city, login):
    client = login(city.users["hq"])
    assert client.get(reverse("assessment:vector_trends"), {"end": "2000-01-01"}).status_code == 200


def test_unsourced_thresholds_and_the_api_summaries_are_translated(city, login):
    from django.utils import translation

    from assessment.models import VectorThreshold
    from assessment.services.vectors import UNSOURCED, thresholds_load_file

    thresholds_load_file()
    assert VectorThreshold.objects.filter(sourced=False).exists()
    client = login(city.users["hq"])
    page = client.get(reverse("assessment:vector_thresholds"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "未找到公开来源，待指挥部确认" in page
    assert UNSOURCED not in page.split('id="thresholds"')[1]  # the table shows the label, not the English marker
    from drf_spectacular.generators import SchemaGenerator

    with translation.override("zh-hans"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        texts = {str(op.get("summary", "")) for path, item in schema["paths"].items() if "vector" in path
                 for op in item.values() if isinstance(op, dict)}
    assert {"控制水平阈值及其来源", "单个阈值"} <= texts, texts


def test_the_trend_endpoint_is_scoped_and_checks_end(city):
    from datetime import date

    from rest_framework.test import APIClient

    survey(city, species="mosquito", counts={"mosquito_containers": (100, 2)}, on=date(2026, 7, 3))
    client = APIClient()
    client.force_authenticate(city.users["hq"])
    data = client.get("/api/vector-trends/", {"species": "mosquito", "end": "2026-07-31"}).json()
    assert data["months"][-1] == "2026-07" and len(data["months"]) == 12
    july = data["rows"][0]["cells"][-1]
    assert july["surveys"] == 1 and july["values"]["mosquito_containers"] == "2.00"
    refused = client.get("/api/vector-trends/", {"end": "0001-01-15"})
    assert refused.status_code == 400 and "end" in refused.json()
    inspector = APIClient()
    inspector.force_authenticate(city.users["inspector"])
    assert inspector.get("/api/vector-trends/").status_code == 404
