"""The supervision cycle's pages and API: HQ staff write plans, others read by scope (out of
scope is 404), the plan's page lists the rounds it made, a cross round's page names who
inspected whom, and an unstaffable cross round names the district on the form."""

import datetime as dt

import pytest

from campaign.choices import Role
from campaign.models import District
from campaign.tests.factories import make_sample_point, make_user
from inspections.models import Round
from inspections.tests.factories import market_checklist
from programme.choices import RoundPlanAction, RoundPlanKind
from programme.models import RoundPlan
from programme.services import cycle

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def plan_of(city, *, district=None, name="两周例行督查", inspectors=None):
    return cycle.round_plan_create(by=city.hq, name=name, kind=RoundPlanKind.ROUTINE, anchor=MONDAY, every_weeks=2,
                                   quotas={city.market: 1}, inspectors=inspectors or [city.inspector],
                                   district=district)


def test_anonymous_goes_to_login_and_the_public_is_refused(city, login):
    assert login(None).get("/programme/plans/").status_code == 302
    assert login(city.users["public"]).get("/programme/plans/").status_code == 403


def test_plans_are_read_by_scope(city, login):
    city_plan = plan_of(city)
    plan_b = plan_of(city, district=city.district_b, name="乙区督查")
    client = login(city.users["district_lead"])
    page = client.get("/programme/plans/").content.decode()
    assert city_plan.name in page and plan_b.name not in page
    assert client.get(f"/programme/plans/{plan_b.pk}/").status_code == 404
    assert client.get(f"/programme/plans/{city_plan.pk}/").status_code == 200
    assert client.get("/programme/plans/new/").status_code == 404
    assert login(city.users["unit_handler"]).get(f"/programme/plans/{city_plan.pk}/").status_code == 404
    leader = login(city.users["leader"])
    assert plan_b.name in leader.get("/programme/plans/").content.decode()


def test_hq_creates_a_plan_on_the_page_and_a_bad_one_names_the_field(city, login):
    market_checklist(city)
    client = login(city.hq)
    form = {"name": "两周例行督查", "kind": "routine", "recurrence": "weeks", "every_weeks": "2",
            "anchor": "2026-03-02", "inspectors": [city.inspector.pk], f"quota_{city.market.pk}": "2"}
    response = client.post("/programme/plans/new/", {**form, "inspectors": []})
    assert response.status_code == 400
    assert "Choose the inspectors" in response.content.decode() or "选择" in response.content.decode()
    response = client.post("/programme/plans/new/", form)
    plan = RoundPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/programme/plans/{plan.pk}/"
    assert plan.quotas.get().quota == 2 and plan.owner == city.hq
    response = client.post(f"/programme/plans/{plan.pk}/active/", {"active": "0", "note": "春节"})
    plan.refresh_from_db()
    assert not plan.active and plan.events.filter(action=RoundPlanAction.PAUSED, note="春节").exists()


def test_the_plan_page_lists_the_rounds_it_made(city, login, django_assert_max_num_queries):
    market_checklist(city)
    plan = plan_of(city)
    for week in (0, 2, 4):
        cycle.round_plans_sweep(now=cycle.timezone.make_aware(dt.datetime.combine(
            MONDAY + dt.timedelta(weeks=week), dt.time(9))))
    client = login(city.hq)
    with django_assert_max_num_queries(25):
        page = client.get(f"/programme/plans/{plan.pk}/").content.decode()
    for week in (0, 2, 4):
        assert f'data-period="{MONDAY + dt.timedelta(weeks=week):%Y-%m-%d}"' in page
    assert page.count("/inspections/rounds/") >= 3


@pytest.fixture
def three_districts(city):
    district_c = District.objects.create(code="C", name="丙区", name_en="District C")
    make_sample_point(district=district_c, category=city.market, unit=city.office_b, name="丙农贸市场")
    city.inspector_b = make_user("inspector_b", Role.INSPECTOR, district=city.district_b)
    city.inspector_c = make_user("inspector_c", Role.INSPECTOR, district=district_c)
    city.district_c = district_c
    market_checklist(city)
    return city


def test_a_cross_round_from_the_page_names_who_inspects_whom(three_districts, login):
    city = three_districts
    client = login(city.hq)
    response = client.post("/programme/cross-inspection/new/", {
        "name": "三月互查", "kind": "routine", "starts_on": "2026-03-02", "ends_on": "2026-03-15",
        f"quota_{city.market.pk}": "3"})
    inspection_round = Round.objects.get()
    assert response.status_code == 302 and inspection_round.cross_inspection
    page = client.get(f"/inspections/rounds/{inspection_round.pk}/").content.decode()
    assert 'data-inspecting="甲区" data-inspected="乙区"' in page
    assert 'data-inspecting="丙区" data-inspected="甲区"' in page
    overview = client.get("/programme/cross-inspection/").content.decode()
    assert 'data-inspecting="乙区" data-inspected="丙区"' in overview


def test_an_unstaffable_cross_round_on_the_page_names_the_district(three_districts, login):
    city = three_districts
    for person in (city.inspector, city.inspector_c):  # only B's inspectors: nobody may inspect B's points
        person.is_active = False
        person.save(update_fields=["is_active"])
    response = login(city.hq).post("/programme/cross-inspection/new/", {
        "name": "三月互查", "kind": "routine", "starts_on": "2026-03-02", "ends_on": "2026-03-15",
        f"quota_{city.market.pk}": "3"})
    assert response.status_code == 400
    assert "乙区" in response.content.decode()
    assert not Round.objects.exists()


# --- API -------------------------------------------------------------------------------------------


def api(client, user):
    client.force_login(user)
    return client


def test_api_lists_plans_in_scope_with_filters_and_their_rounds(city, client, django_assert_max_num_queries):
    market_checklist(city)
    city_plan = plan_of(city)
    plan_of(city, district=city.district_b, name="乙区督查")
    cycle.round_plans_sweep(now=cycle.timezone.make_aware(dt.datetime.combine(MONDAY, dt.time(9))))
    api(client, city.users["district_lead"])
    with django_assert_max_num_queries(12):
        body = client.get("/api/round-plans/").json()
    assert [row["id"] for row in body["results"]] == [city_plan.pk]
    assert body["results"][0]["rounds"][0]["period_start"] == "2026-03-02"
    api(client, city.hq)
    assert len(client.get("/api/round-plans/").json()["results"]) == 2
    assert [r["name"] for r in client.get(f"/api/round-plans/?district={city.district_b.pk}").json()["results"]] \
        == ["乙区督查"]
    assert client.get("/api/round-plans/?kind=nonsense").status_code == 400


def test_api_writes_are_hq_staffs_and_refusals_name_the_field(city, client):
    body = {"name": "季度考核", "kind": "appraisal", "recurrence": "quarterly", "anchor": "2026-01-01",
            "inspectors": [city.inspector.pk], "quotas": [{"category": city.market.pk, "quota": 3}]}
    api(client, city.users["district_lead"])
    assert client.post("/api/round-plans/", body, content_type="application/json").status_code == 403
    api(client, city.hq)
    response = client.post("/api/round-plans/", {**body, "inspectors": []}, content_type="application/json")
    assert response.status_code == 400 and "inspectors" in response.json()
    response = client.post("/api/round-plans/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    response = client.post(f"/api/round-plans/{plan_id}/pause/", {"note": "x"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["active"] is False
    response = client.put(f"/api/round-plans/{plan_id}/", {**body, "quotas": [{"category": city.market.pk,
                                                                                "quota": 5}]},
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["quotas"][0]["quota"] == 5
    api(client, city.users["unit_handler"])
    assert client.get(f"/api/round-plans/{plan_id}/").status_code == 404


# --- Exports ---------------------------------------------------------------------------------------


def sheet_rows(response):
    import io

    import openpyxl

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(
        min_row=2, values_only=True)]


def test_plans_export_with_the_lists_filters_and_scope(city, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan_of(city)
    plan_of(city, district=city.district_b, name="乙区督查")
    names = [row[0] for row in sheet_rows(login(city.hq).get("/exports/round-plans/?q=乙区"))]
    assert names == ["乙区督查"]
    names = [row[0] for row in sheet_rows(login(city.users["district_lead"]).get("/exports/round-plans/"))]
    assert names == ["两周例行督查"]


def test_cross_inspection_exports_who_inspected_whom(three_districts, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    city = three_districts
    cycle.cross_round_create(name="三月互查", starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=13),
                             quotas={city.market: 3}, by=city.hq, seed=2)
    rows = sheet_rows(login(city.hq).get("/exports/cross-inspection/"))
    assert {(row[3], row[4]) for row in rows} == {("甲区", "乙区"), ("乙区", "丙区"), ("丙区", "甲区")}
    assert all(row[0] == "三月互查" for row in rows)


def test_an_empty_post_is_a_400_with_the_fields_errors_not_a_blank_form(city, login):
    from django.urls import reverse

    client = login(city.hq)
    plan = plan_of(city)
    for url in (reverse("programme:plan_create"), reverse("programme:plan_edit", args=[plan.pk]),
                reverse("programme:cross_round_create")):
        response = client.post(url, {})
        assert response.status_code == 400, url
        assert response.context["form"].errors, url
    assert RoundPlan.objects.count() == 1 and not Round.objects.exists()


def test_the_cross_inspection_page_and_its_export_cost_the_same_queries_for_more_rounds(three_districts, login,
                                                                                         settings, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MEDIA_ROOT = tmp_path
    city = three_districts
    client = login(city.hq)

    def make(number):
        start = MONDAY + dt.timedelta(weeks=2 * number)
        cycle.cross_round_create(name=f"互查{number}", starts_on=start, ends_on=start + dt.timedelta(days=13),
                                 quotas={city.market: 3}, by=city.hq, seed=number)

    def cost(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make(0)
    cost("/programme/cross-inspection/"), cost("/exports/cross-inspection/")  # warm the caches
    page, export = cost("/programme/cross-inspection/"), cost("/exports/cross-inspection/")
    for number in range(1, 4):
        make(number)
    assert cost("/programme/cross-inspection/") == page
    assert cost("/exports/cross-inspection/") == export
    assert client.get("/programme/cross-inspection/").content.decode().count('data-inspecting="甲区"') == 4
