"""The rounds' pages: who may see and plan them, planning with quotas, drawing from the page
(reproducible by seed), sharing out the points, the progress board and the round's result."""

import re
from datetime import date

import pytest

from campaign.choices import Role
from campaign.tests.factories import make_sample_point, make_user
from inspections import services
from inspections.choices import InspectionKind, Outcome, RoundStatus
from inspections.models import Round, RoundPoint
from inspections.tests.factories import market_checklist

pytestmark = pytest.mark.django_db

LIST = "/inspections/rounds/"
NEW = "/inspections/rounds/new/"

RESTAURANT_ITEMS = [
    {"code": "R01", "text_zh": "证照齐全", "text_en": "Licences displayed", "points": 10},
    {"code": "R02", "text_zh": "后厨整洁", "text_en": "Kitchen clean", "points": 10},
]


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def checklists(city):
    market_checklist(city)
    services.checklist_revise(category=city.restaurant, items=RESTAURANT_ITEMS, by=city.hq)


@pytest.fixture
def markets(city):
    """Six more markets in district A and three in B, so draws have something to choose from."""
    a = [make_sample_point(district=city.district_a, category=city.market, unit=city.office_a) for _ in range(6)]
    b = [make_sample_point(district=city.district_b, category=city.market, unit=city.office_b) for _ in range(3)]
    return a, b


def plan(city, *, by=None, district=None, quotas=None, name="暗访第47周"):
    return services.round_create(
        name=name, kind=InspectionKind.UNANNOUNCED, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 8),
        quotas=quotas or {city.market: 3}, by=by or city.hq, district=district,
    )


def drawn(city, *, district=None, quotas=None, seed=1, by=None, name="暗访第47周"):
    inspection_round = plan(city, district=district, quotas=quotas, by=by, name=name)
    services.round_draw(inspection_round=inspection_round, by=by or city.hq, seed=seed)
    return inspection_round


def url(inspection_round, action="") -> str:
    return f"/inspections/rounds/{inspection_round.pk}/{action}"


def submit_point(round_point, by, outcomes=None):
    inspection = services.inspection_start(sample_point=round_point.sample_point, kind=InspectionKind.UNANNOUNCED,
                                           by=by, round_point=round_point)
    for item in inspection.checklist_version.items.all():
        services.inspection_record_result(inspection=inspection, item=item, by=by,
                                          outcome=(outcomes or {}).get(item.code, Outcome.PASS))
    return services.inspection_submit(inspection=inspection, by=by)[0]


def board_row(response, table: str, name: str) -> tuple[int, int]:
    html = response.content.decode()
    section = html[html.index(f'id="{table}"'):]
    found = re.search(rf'data-name="{re.escape(name)}" data-done="(\d+)" data-todo="(\d+)"', section)
    assert found, f"no row {name} in {table}"
    return int(found.group(1)), int(found.group(2))


# --- Who sees what ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_round_page(client, city, checklists):
    inspection_round = plan(city)
    for path in (LIST, NEW, url(inspection_round)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_member_of_the_public_may_not_open_rounds(city, checklists, login):
    inspection_round = plan(city)
    client = login(city.public)
    assert client.get(LIST).status_code == 403
    assert client.get(url(inspection_round)).status_code == 403


@pytest.mark.parametrize("role", ["inspector", "leader", "team_lead", "unit_handler"])
def test_only_hq_and_district_leads_may_plan_a_round(city, checklists, login, role):
    client = login(getattr(city, role))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"name": "x"}).status_code == 403
    assert not Round.objects.exists()


def test_district_lead_gets_404_for_other_district_round(city, checklists, markets, login):
    other = drawn(city, district=city.district_b)
    client = login(city.district_lead)
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other, "draw/"), {"seed": "1"}).status_code == 404
    assert client.post(url(other, "assign/"), {"inspectors": [city.inspector.pk]}).status_code == 404
    assert other.name not in client.get(LIST).content.decode()


def test_district_lead_sees_and_manages_their_districts_round(city, checklists, markets, login):
    own = plan(city, district=city.district_a, by=city.district_lead)
    client = login(city.district_lead)
    page = client.get(url(own))
    assert page.status_code == 200
    assert 'id="draw-form"' in page.content.decode()
    assert client.post(url(own, "draw/"), {"seed": "5"}).status_code == 302
    own.refresh_from_db()
    assert own.status == RoundStatus.DRAWN


def test_city_wide_round_is_read_only_for_a_district_lead_and_shows_their_district_only(
        city, checklists, markets, login):
    citywide = drawn(city, quotas={city.market: 10})
    client = login(city.district_lead)
    page = client.get(url(citywide)).content.decode()
    assert 'id="assign-form"' not in page
    assert city.points_a[0].name in page
    assert city.points_b[0].name not in page
    assert client.post(url(citywide, "assign/"), {"inspectors": [city.inspector.pk]}).status_code == 403


@pytest.mark.parametrize("role", ["team_lead", "unit_handler"])
def test_roles_outside_the_rounds_get_404_for_a_round(city, checklists, markets, login, role):
    inspection_round = drawn(city)
    assert login(getattr(city, role)).get(url(inspection_round)).status_code == 404


def test_inspector_sees_only_rounds_with_their_points_and_cannot_draw(city, checklists, markets, login):
    mine = drawn(city, district=city.district_a, name="我的轮次")
    services.round_assign(inspection_round=mine, inspectors=[city.inspector], by=city.hq)
    other = drawn(city, district=city.district_a, name="别人的轮次", seed=2)
    client = login(city.inspector)
    listing = client.get(LIST).content.decode()
    assert "我的轮次" in listing
    assert "别人的轮次" not in listing
    assert client.get(url(other)).status_code == 404
    assert client.post(url(mine, "assign/"), {"inspectors": [city.inspector.pk]}).status_code == 403


def test_leader_reads_every_round_but_cannot_draw(city, checklists, markets, login):
    inspection_round = plan(city)
    client = login(city.leader)
    assert client.get(url(inspection_round)).status_code == 200
    assert client.post(url(inspection_round, "draw/"), {"seed": "1"}).status_code == 403
    inspection_round.refresh_from_db()
    assert inspection_round.status == RoundStatus.PLANNED


# --- Planning --------------------------------------------------------------------------------------


def test_plan_page_offers_a_quota_for_each_category_with_a_checklist(city, checklists, markets, login):
    page = login(city.hq).get(NEW).content.decode()
    assert f'name="quota_{city.market.pk}"' in page
    assert f'name="quota_{city.restaurant.pk}"' in page
    assert f'name="quota_{city.standard.pk}"' not in page  # no checklist: nothing to inspect it with
    # Prefilled with a small default, never more than the points there are.
    assert re.search(rf'name="quota_{city.restaurant.pk}"[^>]*value="2"', page)
    assert re.search(rf'name="quota_{city.market.pk}"[^>]*value="3"', page)


def test_hq_plans_a_round_with_quotas(city, checklists, login):
    response = login(city.hq).post(NEW, {
        "name": "暗访第47周", "kind": InspectionKind.UNANNOUNCED, "starts_on": "2026-03-02", "ends_on": "2026-03-08",
        "district": "", "exclude_inspected_days": "30",
        f"quota_{city.market.pk}": "4", f"quota_{city.restaurant.pk}": "0",
    })
    inspection_round = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(inspection_round)
    assert inspection_round.district is None
    assert inspection_round.exclude_inspected_days == 30
    assert {(q.category, q.quota) for q in inspection_round.quotas.all()} == {(city.market, 4)}


def test_a_round_needs_at_least_one_quota(city, checklists, login):
    response = login(city.hq).post(NEW, {
        "name": "空", "kind": InspectionKind.ROUTINE, "starts_on": "2026-03-02", "ends_on": "2026-03-08",
        f"quota_{city.market.pk}": "0",
    })
    assert response.status_code == 400
    assert not Round.objects.exists()


def test_district_lead_plans_only_for_their_district(city, checklists, login):
    client = login(city.district_lead)
    data = {"name": "乙区", "kind": InspectionKind.ROUTINE, "starts_on": "2026-03-02", "ends_on": "2026-03-08",
            f"quota_{city.market.pk}": "1"}
    assert client.post(NEW, {**data, "district": city.district_b.pk}).status_code == 400
    assert client.post(NEW, {**data, "district": ""}).status_code == 400
    assert not Round.objects.exists()
    assert client.post(NEW, {**data, "district": city.district_a.pk}).status_code == 302
    assert Round.objects.get().district == city.district_a


# --- Drawing and assigning -------------------------------------------------------------------------


def test_drawing_from_the_page_with_a_seed_reproduces_and_shows_the_seed(city, checklists, markets, login):
    client = login(city.hq)
    first, second = plan(city, quotas={city.market: 4}), plan(city, quotas={city.market: 4})
    client.post(url(first, "draw/"), {"seed": "20260302"})
    client.post(url(second, "draw/"), {"seed": "20260302"})

    def order(r):
        return list(RoundPoint.objects.filter(round=r).order_by("draw_order").values_list("sample_point_id", flat=True))

    assert len(order(first)) == 4
    assert order(first) == order(second)
    page = client.get(url(first)).content.decode()
    assert '<code id="round-seed">20260302</code>' in page
    third = plan(city, quotas={city.market: 4})
    client.post(url(third, "draw/"), {"seed": "99"})
    assert order(third) != order(first)


def test_a_draw_without_seed_keeps_the_random_seed_it_used(city, checklists, markets, login):
    inspection_round = plan(city)
    login(city.hq).post(url(inspection_round, "draw/"), {"seed": ""})
    inspection_round.refresh_from_db()
    assert inspection_round.seed is not None
    assert inspection_round.points.count() == 3


def test_a_shortfall_is_shown_as_a_warning(city, checklists, markets, login):
    inspection_round = plan(city, district=city.district_b, quotas={city.market: 6})
    response = login(city.hq).post(url(inspection_round, "draw/"), {"seed": "3"}, follow=True)
    page = response.content.decode()
    assert "alert-warning" in page
    assert "Farmers&#x27; markets: 2 short" in page  # 1 + 3 markets in district B, 6 asked


def test_drawing_twice_is_refused_with_a_message(city, checklists, markets, login):
    inspection_round = drawn(city)
    before = list(inspection_round.points.values_list("pk", flat=True))
    response = login(city.hq).post(url(inspection_round, "draw/"), {"seed": "8"}, follow=True)
    assert "drawn already" in response.content.decode()
    assert list(inspection_round.points.values_list("pk", flat=True)) == before


def test_assign_shares_the_points_among_the_chosen_inspectors(city, checklists, markets, login):
    second = make_user("inspector2", Role.INSPECTOR, district=city.district_a)
    inspection_round = drawn(city, district=city.district_a, quotas={city.market: 4})
    response = login(city.hq).post(url(inspection_round, "assign/"), {"inspectors": [city.inspector.pk, second.pk]})
    assert response.status_code == 302
    counts = sorted(inspection_round.points.values_list("inspector__username", flat=True))
    assert counts == ["inspector", "inspector", "inspector2", "inspector2"]


def test_assign_offers_hq_every_inspector_and_a_district_lead_their_districts(city, checklists, markets, login):
    """HQ may give a district round's points to an inspector from elsewhere (the assignment gives
    them the point); a district lead only to their district's and the city's inspectors."""
    outsider = make_user("inspector_b", Role.INSPECTOR, district=city.district_b)
    inspection_round = drawn(city, district=city.district_a)
    html = login(city.hq).get(url(inspection_round)).content.decode()
    # The round's district's inspectors come first.
    assert html.index(f'value="{city.inspector.pk}"') < html.index(f'value="{outsider.pk}"')
    client = login(city.district_lead)
    assert f'value="{outsider.pk}"' not in client.get(url(inspection_round)).content.decode()
    response = client.post(url(inspection_round, "assign/"), {"inspectors": [outsider.pk]})
    assert response.status_code == 400
    assert not inspection_round.points.filter(inspector__isnull=False).exists()
    response = login(city.hq).post(url(inspection_round, "assign/"), {"inspectors": [outsider.pk]})
    assert response.status_code == 302
    assert set(inspection_round.points.values_list("inspector", flat=True)) == {outsider.pk}


def test_a_point_is_reassigned_from_the_page(city, checklists, markets, login):
    second = make_user("inspector2", Role.INSPECTOR, district=city.district_a)
    inspection_round = drawn(city, district=city.district_a)
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector], by=city.hq)
    point = inspection_round.points.first()
    response = login(city.hq).post(url(inspection_round, f"points/{point.pk}/reassign/"), {"inspector": second.pk})
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.inspector == second


def test_an_inspected_point_cannot_be_reassigned(city, checklists, markets, login):
    second = make_user("inspector2", Role.INSPECTOR, district=city.district_a)
    inspection_round = drawn(city, district=city.district_a)
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector], by=city.hq)
    point = inspection_round.points.first()
    submit_point(point, city.inspector)
    response = login(city.hq).post(url(inspection_round, f"points/{point.pk}/reassign/"), {"inspector": second.pk},
                                   follow=True)
    assert "inspected already" in response.content.decode()
    point.refresh_from_db()
    assert point.inspector == city.inspector


# --- The inspector's points, the board and the result ----------------------------------------------


def test_inspector_gets_start_and_resume_links_for_their_points(city, checklists, markets, login):
    inspection_round = drawn(city, district=city.district_a)
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector], by=city.hq)
    first, second, third = inspection_round.points.order_by("draw_order")
    draft = services.inspection_start(sample_point=second.sample_point, kind=InspectionKind.UNANNOUNCED,
                                      by=city.inspector, round_point=second)
    submit_point(third, city.inspector)
    client = login(city.inspector)
    for page in (client.get(LIST), client.get(url(inspection_round))):
        html = page.content.decode()
        my_points = html[html.index('id="my-points"'):]
        my_points = my_points[:my_points.index("</section>")]
        assert f"/inspections/start/?round_point={first.pk}" in my_points
        assert f"/inspections/{draft.pk}/" in my_points
        assert f'data-round-point="{third.pk}"' not in my_points  # done: no longer to do


def test_board_counts_done_and_to_do_per_inspector_and_category(city, checklists, markets, login):
    second = make_user("inspector2", Role.INSPECTOR, district=city.district_a)
    second.full_name = "李督查"
    second.save()
    restaurants = [make_sample_point(district=city.district_a, category=city.restaurant) for _ in range(2)]
    assert restaurants
    inspection_round = drawn(city, district=city.district_a, quotas={city.market: 4, city.restaurant: 2})
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector, second], by=city.hq)
    mine = list(inspection_round.points.filter(inspector=city.inspector).select_related("category"))
    done = [p for p in mine if p.category == city.market][:1] + [p for p in mine if p.category == city.restaurant][:1]
    for point in done:
        submit_point(point, city.inspector)
    # A started draft is not done.
    draft = inspection_round.points.filter(inspector=second).first()
    services.inspection_start(sample_point=draft.sample_point, kind=InspectionKind.UNANNOUNCED, by=second,
                              round_point=draft)
    response = login(city.hq).get(url(inspection_round))
    assert board_row(response, "board-inspectors", "inspector") == (2, 1)
    assert board_row(response, "board-inspectors", "李督查") == (0, 3)
    assert board_row(response, "board-categories", "Farmers' markets".replace("'", "&#x27;")) == (1, 3)
    assert board_row(response, "board-categories", "Small restaurants") == (1, 1)


def test_round_result_shows_scores_by_category_and_district_and_its_problems(city, checklists, markets, login):
    inspection_round = drawn(city, district=city.district_a, quotas={city.market: 2})
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector], by=city.hq)
    first, second = inspection_round.points.order_by("draw_order")
    submit_point(first, city.inspector, {"M02": Outcome.FAIL})  # 95
    submit_point(second, city.inspector, {"M01": Outcome.FAIL, "M04": Outcome.FAIL})  # 87
    unrelated = services.inspection_start(sample_point=city.points_b[0], kind=InspectionKind.ROUTINE, by=city.hq)
    for item in unrelated.checklist_version.items.all():
        services.inspection_record_result(inspection=unrelated, item=item, by=city.hq, outcome=Outcome.FAIL)
    services.inspection_submit(inspection=unrelated, by=city.hq)

    html = login(city.hq).get(url(inspection_round)).content.decode()
    result = html[html.index('id="result"'):]
    assert 'data-score="91.0"' in result[result.index('id="result-categories"'):]  # (95 + 87) / 2
    assert 'data-name="District A"' in result
    assert 'data-name="District B"' not in result
    problems = re.findall(r'data-problem="([^"]+)"', result)
    assert len(problems) == 3  # M02 at one point, M01 and M04 at the other; not the routine visit's
    assert "/ledger/problems/" in result


def test_round_page_runs_a_bounded_number_of_queries(city, checklists, markets, login, django_assert_max_num_queries):
    inspection_round = drawn(city, quotas={city.market: 9})
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector], by=city.hq)
    for point in inspection_round.points.all()[:3]:
        submit_point(point, city.inspector, {"M02": Outcome.FAIL})
    client = login(city.hq)
    with django_assert_max_num_queries(20):
        assert client.get(url(inspection_round)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200
