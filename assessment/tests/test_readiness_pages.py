"""The readiness page (迎检准备), mock assessments, HQ's settings and the API: who sees what, the
figures per part and per category, and a bounded number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from assessment.models import DrawSize, MockAssessment, PassLine, StandardEdition, StandardPart
from assessment.selectors.readiness_page import readiness_figures
from assessment.services.readiness import draw_size_set, mock_assessment_create
from ledger.tests.api_support import client_for

from .readiness_support import checklists, history, places

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def language_restored():
    """Pages asked for in English switch the thread's language: put it back afterwards."""
    with translation.override(translation.get_language()):
        yield
PAGE = "/assessment/readiness/"


@pytest.fixture
def town(city):
    checklists(city)
    city.markets = places(city, city.market, 6)
    city.restaurants_b = places(city, city.restaurant, 5, district=city.district_b)
    history(city, city.markets, ok_every=1, weeks=3)
    history(city, city.restaurants_b, ok_every=0, weeks=3)
    draw_size_set(by=city.hq, category=city.market, size=4)
    edition = StandardEdition.objects.create(code="2021", name="国家卫生城市标准（2021版）", in_use=True)
    for number in range(1, 9):
        StandardPart.objects.create(edition=edition, number=number, title=f"第{number}部分",
                                    category=city.standard if number == 3 else None)
    return city


def page(client, user):
    client.force_login(user)
    return client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")


def test_hq_sees_every_part_every_category_the_countdown_and_the_mock_form(town, client):
    response = page(client, town.hq)
    assert response.status_code == 200
    html = response.content.decode()
    for number in range(1, 9):
        assert f'id="part-{number}"' in html
    assert f'id="category-{town.market.pk}"' in html and f'id="category-{town.restaurant.pk}"' in html
    assert 'id="mock-form"' in html and "Pass line and draw sizes" in html
    assert 'id="countdown-heading"' in html
    figures = response.context["figures"]
    market = next(row for row in figures["categories"] if row["category_id"] == town.market.pk)
    restaurant = next(row for row in figures["categories"] if row["category_id"] == town.restaurant.pk)
    assert market["readiness"] > 0.6 > 0.2 > restaurant["readiness"]
    assert figures["weakest"] == town.restaurant.pk
    assert restaurant["open_problems"] >= 5  # each failing restaurant has its open problem
    assert len(market["trend"]) == 12 and market["sparkline"]
    assert len(figures["parts"]) == 8 and figures["parts"][7]["vectors"] is not None
    assert figures["parts"][0]["vectors"] is None


def test_a_leader_sees_the_city_without_hq_s_forms(town, client):
    response = page(client, town.leader)
    assert response.status_code == 200
    assert 'id="mock-form"' not in response.content.decode()
    assert response.context["figures"]["district_id"] is None


def test_a_district_lead_sees_their_district_only(town, client):
    response = page(client, town.district_lead)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["district_id"] == town.district_a.pk
    by_id = {row["category_id"]: row for row in figures["categories"]}
    # District B's failing restaurants are neither counted nor named.
    assert by_id[town.restaurant.pk]["inspected_places"] == 0
    assert all(place["district_id"] == town.district_a.pk for row in figures["categories"] for place in row["drag"])
    assert by_id[town.restaurant.pk]["open_problems"] == 0


@pytest.mark.parametrize("role,status", [("inspector", 404), ("team_lead", 404), ("unit_handler", 404),
                                         ("grid_chief", 404), ("public", 403)])  # public: the site's staff gate
def test_other_roles_are_refused(town, client, role, status):
    assert page(client, getattr(town, role)).status_code == status


def test_anonymous_visitors_go_to_the_login(town, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_reads_a_bounded_number_of_queries(town, client):
    client.force_login(town.hq)
    with CaptureQueriesContext(connection) as first:
        client.get(PAGE)
    places(town, town.market, 20, prefix="多")
    history(town, town.markets[:3], ok_every=2, weeks=1)
    mock_assessment_create(by=town.hq, starts_on=timezone.localdate())
    with CaptureQueriesContext(connection) as second:
        client.get(PAGE)
    assert len(second) <= len(first) + 2  # the mock list appears; nothing per place or per category
    assert len(second) < 45


def test_hq_draws_a_mock_assessment_from_the_page_and_sees_its_findings(town, client):
    client.force_login(town.hq)
    response = client.post("/assessment/readiness/mock/new/", {"starts_on": timezone.localdate().isoformat(),
                                                               "name": "模拟测评第一轮", "district": ""})
    mock = MockAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessment/readiness/mock/{mock.pk}/"
    assert mock.round.name == "模拟测评第一轮" and mock.round.points.filter(category=town.market).count() == 4
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert detail.status_code == 200 and 'id="mock-findings"' in detail.content.decode()
    assert client.get("/assessment/readiness/mock/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    # A leader may look but not draw.
    client.force_login(town.leader)
    assert client.get(response["Location"]).status_code == 200
    assert client.post("/assessment/readiness/mock/new/", {"starts_on": "2026-12-01"}).status_code == 403
    # Another district's lead does not see a round of district A.
    district_mock = mock_assessment_create(by=town.hq, starts_on=timezone.localdate(), district=town.district_a)
    client.force_login(town.other_district_lead)
    assert client.get(f"/assessment/readiness/mock/{district_mock.pk}/").status_code == 404


def test_a_bad_mock_plan_is_refused_naming_the_field(town, client):
    client.force_login(town.hq)
    response = client.post("/assessment/readiness/mock/new/", {"starts_on": "not a date"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "starts_on" in response.context["form"].errors
    assert not MockAssessment.objects.exists()


def test_hq_changes_the_pass_line_and_the_draw_sizes_with_a_reason_kept(town, client):
    client.force_login(town.hq)
    url = "/assessment/readiness/settings/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"form": "pass_line", "line-rule": "share", "line-min_share": "120",
                            "line-min_average": "85", "line-window_days": "180", "line-half_life_days": "42",
                            "line-reason": "试试"})
    assert bad.status_code == 400 and "min_share" in bad.context["line_form"].errors
    ok = client.post(url, {"form": "pass_line", "line-rule": "average", "line-min_share": "80",
                           "line-min_average": "88", "line-window_days": "120", "line-half_life_days": "30",
                           "line-reason": "省里按平均分"})
    assert ok.status_code == 302
    line = PassLine.objects.get()
    assert (line.rule, float(line.min_average), line.set_by, line.reason) == ("average", 88.0, town.hq, "省里按平均分")
    sizes = {f"sizes-size_{town.market.pk}": "5", f"sizes-size_{town.restaurant.pk}": "3", "sizes-source": "奉贤清单",
             "form": "sizes"}
    assert client.post(url, sizes).status_code == 302
    assert DrawSize.objects.filter(category=town.restaurant, size=3, source="奉贤清单").exists()
    client.force_login(town.leader)
    assert client.get(url).status_code == 404


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_gives_the_figures_in_scope(town):
    answer = client_for(town.hq).get("/api/readiness/?trend=true")
    assert answer.status_code == 200
    body = answer.json()
    market = next(row for row in body["categories"] if row["category_id"] == town.market.pk)
    assert market["readiness"] > 0.6 and len(market["trend"]) == 12
    assert client_for(town.hq).get(f"/api/readiness/?district={town.district_b.pk}").json()["district_id"] \
        == town.district_b.pk
    lead = client_for(town.district_lead)
    assert lead.get("/api/readiness/").json()["district_id"] == town.district_a.pk
    assert lead.get(f"/api/readiness/?district={town.district_b.pk}").status_code == 404
    assert client_for(town.inspector).get("/api/readiness/").status_code == 403
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = client_for(town.hq).get(f"/api/readiness/?as_of={future}")
    assert refused.status_code == 400 and "as_of" in refused.json()


def test_the_api_draws_and_lists_mock_assessments(town):
    hq = client_for(town.hq)
    created = hq.post("/api/mock-assessments/", {"starts_on": timezone.localdate().isoformat(), "seed": 5},
                      format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert {row["category_id"] for row in body["findings"]} >= {town.market.pk}
    hq.post("/api/mock-assessments/", {"starts_on": timezone.localdate().isoformat(),
                                       "district": town.district_b.pk}, format="json")
    listed = hq.get(f"/api/mock-assessments/?district={town.district_b.pk}").json()
    assert listed["count"] == 1
    assert client_for(town.leader).post("/api/mock-assessments/", {"starts_on": "2026-12-01"},
                                        format="json").status_code == 403
    refused = hq.post("/api/mock-assessments/", {"starts_on": "soon"}, format="json")
    assert refused.status_code == 400 and "starts_on" in refused.json()
    assert client_for(town.other_district_lead).get(f"/api/mock-assessments/{body['id']}/").status_code == 200


def test_the_figures_count_the_problems_open_at_a_moment(town):
    now = readiness_figures(as_of=timezone.localdate())
    before = readiness_figures(as_of=timezone.localdate() - datetime.timedelta(days=60),
                               open_at=timezone.now() - datetime.timedelta(days=60))
    count = {row["category_id"]: row["open_problems"] for row in now["categories"]}
    earlier = {row["category_id"]: row["open_problems"] for row in before["categories"]}
    assert count[town.restaurant.pk] > 0 and earlier[town.restaurant.pk] == 0
