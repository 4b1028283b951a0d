"""The inspection pages in the field: who may open the list, an inspection, its field form and
the start page, and what they show. Out of scope is 404; a role that may see but not do is 403."""

import re
from datetime import date, timedelta

import pytest

from campaign.tests.factories import make_sample_point, make_user
from inspections import services
from inspections.choices import InspectionKind, InspectionStatus, Outcome
from inspections.models import Inspection
from inspections.tests.factories import inspect, market_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def checklist(city):
    return market_checklist(city)


@pytest.fixture
def draft(city, checklist):
    """A draft inspection of district A's market by the inspector, two items answered."""
    inspection = services.inspection_start(sample_point=city.points_a[0], kind=InspectionKind.ROUTINE,
                                           by=city.inspector)
    items = list(inspection.checklist_version.items.all())
    services.inspection_record_result(inspection=inspection, item=items[0], outcome=Outcome.PASS, by=city.inspector)
    services.inspection_record_result(inspection=inspection, item=items[1], outcome=Outcome.FAIL, by=city.inspector,
                                      note="摊位堆放杂物")
    return inspection


@pytest.fixture
def other_inspector(city):
    return make_user("other_inspector", "inspector", district=city.district_a)


def pages(inspection):
    return {
        "detail": f"/inspections/{inspection.pk}/",
        "fill": f"/inspections/{inspection.pk}/fill/",
    }


# --- Who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/inspections/", "/inspections/start/", "detail", "fill"])
def test_anonymous_is_sent_to_login(client, draft, url):
    url = pages(draft).get(url, url)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", ["/inspections/", "/inspections/start/", "detail", "fill"])
def test_member_of_the_public_is_refused(city, login, draft, url):
    assert login(city.public).get(pages(draft).get(url, url)).status_code == 403


@pytest.mark.parametrize("actor", ["inspector", "hq"])
def test_the_inspector_and_hq_open_the_inspection_and_its_field_form(city, login, draft, actor):
    client = login(getattr(city, actor))
    assert client.get(pages(draft)["detail"]).status_code == 200
    assert client.get(pages(draft)["fill"]).status_code == 200


@pytest.mark.parametrize("actor", ["district_lead", "leader", "unit_handler", "team_lead"])
def test_those_in_scope_see_the_inspection_but_may_not_fill_it(city, login, draft, actor):
    client = login(getattr(city, actor))
    assert client.get(pages(draft)["detail"]).status_code == 200
    assert client.get(pages(draft)["fill"]).status_code == 403


@pytest.mark.parametrize("page", ["detail", "fill"])
def test_another_inspector_gets_404_for_an_inspection_not_theirs(city, login, draft, other_inspector, page):
    assert login(other_inspector).get(pages(draft)[page]).status_code == 404


@pytest.mark.parametrize("page", ["detail", "fill"])
def test_district_lead_gets_404_for_another_districts_inspection(city, login, draft, page):
    assert login(city.other_district_lead).get(pages(draft)[page]).status_code == 404


def test_a_missing_inspection_is_404(city, login, checklist):
    assert login(city.hq).get("/inspections/999999/").status_code == 404


# --- The list -----------------------------------------------------------------------------------


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-inspection="(\d+)"', response.content.decode())]


def all_listed(response) -> list[int]:
    html = response.content.decode()
    return listed(type("R", (), {"content": html.split('id="all-inspections"', 1)[1].encode()}))


def test_the_list_shows_each_role_only_its_scope(city, login, checklist, other_inspector):
    mine, _ = inspect(city, outcomes={})
    theirs, _ = inspect(city, outcomes={}, by=other_inspector)
    in_b, _ = inspect(city, outcomes={}, point=city.points_b[0], by=city.hq)
    assert set(all_listed(login(city.inspector).get("/inspections/"))) == {mine.pk}
    assert set(all_listed(login(city.district_lead).get("/inspections/"))) == {mine.pk, theirs.pk}
    assert set(all_listed(login(city.other_district_lead).get("/inspections/"))) == {in_b.pk}
    assert set(all_listed(login(city.hq).get("/inspections/"))) == {mine.pk, theirs.pk, in_b.pk}


def test_an_inspector_sees_their_drafts_first_with_links_to_the_field_form(city, login, draft):
    submitted, _ = inspect(city, outcomes={})
    html = login(city.inspector).get("/inspections/").content.decode()
    drafts = html.split('id="my-drafts"', 1)[1].split('id="all-inspections"', 1)[0]
    assert f"/inspections/{draft.pk}/fill/" in drafts
    assert f"/inspections/{submitted.pk}/" not in drafts


def test_the_list_filters_by_kind_status_district_and_category(city, login, checklist):
    routine, _ = inspect(city, outcomes={}, kind=InspectionKind.ROUTINE, by=city.hq)
    unannounced, _ = inspect(city, outcomes={}, kind=InspectionKind.UNANNOUNCED, by=city.hq)
    in_b, _ = inspect(city, outcomes={}, point=city.points_b[0], by=city.hq)
    open_one = services.inspection_start(sample_point=city.points_b[0], kind=InspectionKind.ROUTINE, by=city.hq)
    client = login(city.hq)
    assert set(all_listed(client.get("/inspections/?kind=unannounced"))) == {unannounced.pk, in_b.pk}
    assert set(all_listed(client.get("/inspections/?status=draft"))) == {open_one.pk}
    assert set(all_listed(client.get(f"/inspections/?district={city.district_b.pk}"))) == {in_b.pk, open_one.pk}
    assert set(all_listed(client.get(f"/inspections/?category={city.restaurant.pk}"))) == set()
    assert routine.pk in all_listed(client.get(f"/inspections/?category={city.market.pk}"))


def test_the_list_filters_by_point_and_start_date_and_keeps_the_point_when_refiltered(city, login, checklist):
    old, _ = inspect(city, outcomes={}, by=city.hq)
    Inspection.objects.filter(pk=old.pk).update(started_at=old.started_at - timedelta(days=30))
    recent, _ = inspect(city, outcomes={}, by=city.hq)
    in_b, _ = inspect(city, outcomes={}, point=city.points_b[0], by=city.hq)
    client = login(city.hq)
    response = client.get(f"/inspections/?sample_point={city.points_a[0].pk}")
    assert set(all_listed(response)) == {old.pk, recent.pk}
    # The point travels as a hidden value, not as a list of every point.
    html = response.content.decode()
    assert f'type="hidden" name="sample_point" value="{city.points_a[0].pk}"' in html
    assert '<select name="sample_point"' not in html and '<select name="round"' not in html
    since = (date.today() - timedelta(days=7)).isoformat()
    assert set(all_listed(client.get(f"/inspections/?start={since}"))) == {recent.pk, in_b.pk}


def test_the_district_filter_offers_only_the_users_district(city, login, checklist):
    html = login(city.district_lead).get("/inspections/").content.decode()
    assert "District A" in html or "甲区" in html
    assert "乙区" not in html and "District B" not in html


def test_the_list_pages_with_a_bounded_number_of_queries(city, login, checklist, django_assert_max_num_queries,
                                                         monkeypatch):
    from inspections.views import field

    monkeypatch.setattr(field, "PER_PAGE", 5)
    for _ in range(12):
        inspect(city, outcomes={}, by=city.inspector)
    services.inspection_start(sample_point=city.points_a[0], kind=InspectionKind.ROUTINE, by=city.inspector)
    client = login(city.inspector)
    with django_assert_max_num_queries(12):
        first = client.get("/inspections/")
    seen = all_listed(first)
    assert len(seen) == 5
    link = re.search(r'href="([^"]+)" rel="next"', first.content.decode()).group(1).replace("&amp;", "&")
    with django_assert_max_num_queries(12):
        second = client.get("/inspections/" + link)
    assert not set(all_listed(second)) & set(seen)
    assert len(all_listed(second)) == 5


# --- The inspection page ------------------------------------------------------------------------


def test_the_inspection_page_shows_answers_notes_score_rule_and_the_problems_raised(city, login, checklist):
    inspection, findings = inspect(city, outcomes={"M01": Outcome.FAIL, "M04": Outcome.FAIL},
                                   notes={"M01": "活禽区未封闭"})
    html = login(city.inspector).get(f"/inspections/{inspection.pk}/").content.decode()
    assert 'data-score="87.0"' in html
    assert "100 minus the points of every failed item" in html
    assert "活禽区未封闭" in html
    assert 'data-item-code="M01" data-outcome="fail"' in html
    assert 'data-item-code="M02" data-outcome="pass"' in html
    for problem, outcome in findings:
        assert f'href="/ledger/problems/{problem.pk}/"' in html
        assert outcome == "new"
    assert html.count('data-finding="new"') == 2


def test_a_failure_still_open_is_shown_as_found_again_not_new(city, login, checklist):
    first, findings = inspect(city, outcomes={"M02": Outcome.FAIL})
    second, again = inspect(city, outcomes={"M02": Outcome.FAIL})
    assert again[0][0].pk == findings[0][0].pk
    html = login(city.inspector).get(f"/inspections/{second.pk}/").content.decode()
    assert 'data-finding="found_again"' in html
    assert f'href="/ledger/problems/{findings[0][0].pk}/"' in html
    assert 'data-finding="new"' not in html


def test_a_failure_after_closing_is_shown_as_a_rebound_linked_to_the_closed_problem(city, login, checklist):
    from ledger import services as ledger
    from ledger.tests.factories import stored_photo

    first, [(problem, _)] = inspect(city, outcomes={"M01": Outcome.FAIL})
    problem = ledger.problem_acknowledge(problem=problem, by=city.unit_handler)
    problem = ledger.problem_apply_close(problem=problem, note="已整改", photos=[stored_photo()], by=city.unit_handler)
    ledger.problem_verify(problem=problem, approved=True, by=city.district_lead)
    second, [(rebound, _)] = inspect(city, outcomes={"M01": Outcome.FAIL})
    client = login(city.district_lead)
    html = client.get(f"/inspections/{second.pk}/").content.decode()
    assert 'data-finding="rebound"' in html
    assert f'href="/ledger/problems/{rebound.pk}/"' in html
    assert f"Rebound of {problem.code}" in html
    # The first inspection still shows the problem it raised, not the rebound.
    earlier = client.get(f"/inspections/{first.pk}/").content.decode()
    assert 'data-finding="new"' in earlier and f'href="/ledger/problems/{problem.pk}/"' in earlier
    assert f'href="/ledger/problems/{rebound.pk}/"' not in earlier


def test_a_veto_failure_is_explained(city, login, checklist):
    inspection, _ = inspect(city, outcomes={"M05": Outcome.FAIL})
    html = login(city.hq).get(f"/inspections/{inspection.pk}/").content.decode()
    assert 'data-score="0.0"' in html
    assert "A veto item failed" in html


def test_a_draft_shows_the_score_so_far_and_a_continue_button_for_its_inspector(city, login, draft):
    html = login(city.inspector).get(f"/inspections/{draft.pk}/").content.decode()
    assert "Score so far" in html
    assert 'data-score="95.0"' in html  # M02 failed: 5 points
    assert f"/inspections/{draft.pk}/fill/" in html
    lead = login(city.district_lead).get(f"/inspections/{draft.pk}/").content.decode()
    assert f"/inspections/{draft.pk}/fill/" not in lead


def test_the_inspection_page_has_bounded_queries(city, login, checklist, django_assert_max_num_queries):
    inspection, _ = inspect(city, outcomes={"M01": Outcome.FAIL, "M02": Outcome.FAIL, "M03": Outcome.FAIL})
    client = login(city.inspector)
    with django_assert_max_num_queries(14):
        assert client.get(f"/inspections/{inspection.pk}/").status_code == 200


# --- The field form -----------------------------------------------------------------------------


def test_the_field_form_has_big_targets_a_camera_per_item_and_the_saved_answers(city, login, draft):
    html = login(city.inspector).get(f"/inspections/{draft.pk}/fill/").content.decode()
    items = list(draft.checklist_version.items.all())
    assert html.count('capture="environment"') == len(items)
    assert html.count('accept="image/*"') == len(items)
    assert html.count('name="outcome"') == 3 * len(items)
    assert f'value="fail" id="outcome-{items[1].pk}-fail" autocomplete="off" checked' in html
    assert 'value="摊位堆放杂物"' in html
    assert 'data-answered>2<' in html
    assert f'data-first-open="{items[2].pk}"' in html
    assert f'data-item="{items[0].pk}" data-code="M01" data-state="saved"' in html
    assert f'data-code="{items[2].code}" data-state="open"' in html
    assert "js/inspection.js" in html


def test_the_field_form_page_is_small(city, login, draft):
    response = login(city.inspector).get(f"/inspections/{draft.pk}/fill/")
    assert len(response.content) < 40_000


def test_a_submitted_inspection_opens_its_page_instead_of_the_form(city, login, checklist):
    inspection, _ = inspect(city, outcomes={})
    response = login(city.inspector).get(f"/inspections/{inspection.pk}/fill/")
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{inspection.pk}/"


def test_the_field_form_has_bounded_queries_whatever_the_checklist_size(city, login, draft,
                                                                         django_assert_max_num_queries):
    client = login(city.inspector)
    client.get(f"/inspections/{draft.pk}/fill/")  # the menu's counts are kept per user: a page in use
    with django_assert_max_num_queries(10):
        assert client.get(f"/inspections/{draft.pk}/fill/").status_code == 200


# --- Starting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["leader", "team_lead", "unit_handler"])
def test_roles_that_do_not_inspect_may_not_start(city, login, checklist, actor):
    assert login(getattr(city, actor)).get("/inspections/start/").status_code == 403


@pytest.mark.parametrize("actor", ["inspector", "district_lead", "hq"])
def test_inspecting_roles_find_the_points_they_may_inspect(city, login, checklist, actor):
    html = login(getattr(city, actor)).get("/inspections/start/").content.decode()
    assert f'data-point="{city.points_a[0].pk}"' in html
    assert (f'data-point="{city.points_b[0].pk}"' in html) == (actor == "hq")
    # The restaurant has no checklist: not offered.
    assert f'data-point="{city.points_a[1].pk}"' not in html


def test_the_point_search_finds_by_name(city, login, checklist):
    other = make_sample_point(district=city.district_a, category=city.market, name="东门菜场")
    html = login(city.inspector).get("/inspections/start/?q=东门").content.decode()
    assert f'data-point="{other.pk}"' in html
    assert f'data-point="{city.points_a[0].pk}"' not in html


@pytest.mark.parametrize("actor", ["inspector", "district_lead"])
def test_another_districts_point_cannot_be_started(city, login, checklist, actor):
    client = login(getattr(city, actor))
    assert client.get(f"/inspections/start/?point={city.points_b[0].pk}").status_code == 404
    response = client.post("/inspections/start/", {"point": city.points_b[0].pk, "kind": "routine"})
    assert response.status_code == 404
    assert not Inspection.objects.exists()


def test_starting_records_the_kind_and_the_phones_location_and_opens_the_form(city, login, checklist):
    client = login(city.inspector)
    page = client.get(f"/inspections/start/?point={city.points_a[0].pk}&kind=unannounced").content.decode()
    assert 'value="unannounced" selected' in page
    assert "data-geolocate" in page
    response = client.post("/inspections/start/", {
        "point": city.points_a[0].pk, "kind": "unannounced",
        "latitude": "30.90012345678", "longitude": "121.4501234567", "location_accuracy_m": "12.6",
    })
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{inspection.pk}/fill/"
    assert inspection.kind == InspectionKind.UNANNOUNCED
    assert inspection.status == InspectionStatus.DRAFT
    assert str(inspection.latitude) == "30.900123" and str(inspection.longitude) == "121.450123"
    assert inspection.location_accuracy_m == 13
    assert list(inspection.inspectors.all()) == [city.inspector]


def test_starting_without_a_location_works(city, login, checklist):
    response = login(city.inspector).post("/inspections/start/", {"point": city.points_a[0].pk, "kind": "routine"})
    assert response.status_code == 302
    assert Inspection.objects.get().latitude is None


def test_starting_a_point_without_a_checklist_says_so(city, login, checklist):
    response = login(city.inspector).post("/inspections/start/", {"point": city.points_a[1].pk, "kind": "routine"})
    assert response.status_code == 400
    assert "has no checklist yet" in response.content.decode()
    assert not Inspection.objects.exists()


def test_an_open_draft_of_the_same_point_is_offered(city, login, draft):
    html = login(city.inspector).get(f"/inspections/start/?point={city.points_a[0].pk}").content.decode()
    assert f"/inspections/{draft.pk}/fill/" in html


@pytest.fixture
def drawn_round(city, checklist):
    inspection_round = services.round_create(
        name="暗访第47周", kind=InspectionKind.UNANNOUNCED, starts_on=date.today(),
        ends_on=date.today() + timedelta(days=6), quotas={city.market: 1}, by=city.hq, district=city.district_a,
    )
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=7)
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector], by=city.hq)
    return inspection_round


def test_an_inspector_starts_a_round_point_then_resumes_the_same_draft(city, login, drawn_round):
    round_point = drawn_round.points.get()
    client = login(city.inspector)
    listing = client.get("/inspections/").content.decode()
    assert f"?round_point={round_point.pk}" in listing
    assert client.get(f"/inspections/start/?round_point={round_point.pk}").status_code == 200
    response = client.post("/inspections/start/", {"round_point": round_point.pk})
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspections/{inspection.pk}/fill/"
    assert inspection.round_point == round_point
    assert inspection.kind == InspectionKind.UNANNOUNCED
    again = client.get(f"/inspections/start/?round_point={round_point.pk}")
    assert again.status_code == 302
    assert again["Location"] == f"/inspections/{inspection.pk}/fill/"
    assert Inspection.objects.count() == 1
    assert f"?round_point={round_point.pk}" not in client.get("/inspections/").content.decode()


def test_a_round_point_of_someone_else_is_404(city, login, drawn_round, other_inspector):
    round_point = drawn_round.points.get()
    assert login(other_inspector).get(f"/inspections/start/?round_point={round_point.pk}").status_code == 404
    response = login(city.other_district_lead).post("/inspections/start/", {"round_point": round_point.pk})
    assert response.status_code == 404


def test_a_round_point_assigned_to_another_inspector_is_refused_to_a_district_lead(city, login, drawn_round):
    round_point = drawn_round.points.get()
    response = login(city.district_lead).post("/inspections/start/", {"round_point": round_point.pk})
    assert response.status_code == 403
    assert not Inspection.objects.exists()
