"""/api/public-reports/: every endpoint for the anonymous, a wrong role, the right role and
another district; the list's query count; field errors, 403 and 409."""

import pytest

from ledger.tests.factories import stored_photo
from public_reports.choices import ReportStatus
from public_reports.models import PublicReport

from .factories import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def _as(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _as


@pytest.fixture
def two(city):
    return {"a": report(city, photos=[stored_photo()]), "b": report(city, district=city.district_b)}


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


ACTIONS = [("accept", {}), ("merge", {"into": "JB-0000-000000"}), ("reject", {"reason": "not_found"}),
           ("edit", {"description": "更清楚的描述"})]


def test_the_list_refuses_the_anonymous_and_roles_that_read_no_reports(city, api, two):
    assert api(None).get("/api/public-reports/").status_code in (401, 403)
    assert api(city.public).get("/api/public-reports/").status_code == 403
    assert api(city.unit_handler).get("/api/public-reports/").status_code == 403
    assert api(city.inspector).get(f"/api/public-reports/{two['a'].pk}/").status_code == 403


def test_hq_lists_all_and_a_district_lead_only_their_district(city, api, two):
    codes = {r["code"] for r in api(city.hq).get("/api/public-reports/").json()["results"]}
    assert codes == {two["a"].code, two["b"].code}
    codes = {r["code"] for r in api(city.district_lead).get("/api/public-reports/").json()["results"]}
    assert codes == {two["a"].code}
    assert api(city.district_lead).get(f"/api/public-reports/{two['b'].pk}/").status_code == 404


def test_the_list_takes_the_queues_filters(city, api, two):
    client = api(city.hq)
    body = client.get(f"/api/public-reports/?district={city.district_b.pk}&status=received").json()
    assert [r["code"] for r in body["results"]] == [two["b"].code]
    assert client.get("/api/public-reports/?status=nonsense").status_code == 400


def test_the_list_costs_the_same_queries_for_three_or_thirty(city, api, django_assert_max_num_queries):
    for _ in range(3):
        report(city)
    client = api(city.hq)
    client.get("/api/public-reports/")
    with django_assert_max_num_queries(5) as few:
        client.get("/api/public-reports/")
    for _ in range(27):
        report(city)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/public-reports/").json()
    assert body["count"] == 30


def test_the_mobile_is_in_full_for_moderators_and_masked_for_leaders(city, api, two):
    assert api(city.hq).get(f"/api/public-reports/{two['a'].pk}/").json()["reporter_mobile"] == "13800138000"
    assert api(city.district_lead).get("/api/public-reports/").json()["results"][0]["reporter_mobile"] == "13800138000"
    assert api(city.leader).get(f"/api/public-reports/{two['a'].pk}/").json()["reporter_mobile"] == "138****8000"


def test_the_detail_lists_duplicates_with_their_distance(city, api, two):
    again = report(city)
    body = api(city.district_lead).get(f"/api/public-reports/{again.pk}/").json()
    assert [(d["kind"], d["code"], round(d["distance_m"])) for d in body["duplicates"]] == [
        ("report", two["a"].code, 0)]
    assert len(body["photos"]) == 0 and body["events"][0]["action"] == "submit"


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_every_action_refuses_the_anonymous_wrong_roles_and_other_districts(city, api, two, name, data):
    url = f"/api/public-reports/{two['a'].pk}/{name}/"
    assert _post(api(None), url, data).status_code in (401, 403)
    assert _post(api(city.unit_handler), url, data).status_code == 403
    assert _post(api(city.leader), url, data).status_code == 403  # reads, never decides
    assert _post(api(city.other_district_lead), url, data).status_code == 404
    assert PublicReport.objects.get(pk=two["a"].pk).status == ReportStatus.RECEIVED


def test_a_leader_gets_403_on_a_valid_decision(city, api, two):
    response = _post(api(city.leader), f"/api/public-reports/{two['a'].pk}/reject/", {"reason": "not_found"})
    assert response.status_code == 403 and response.json()["detail"]


def test_the_district_lead_accepts_with_a_unit(city, api, two):
    response = _post(api(city.district_lead), f"/api/public-reports/{two['a'].pk}/accept/",
                     {"severity": "serious", "unit": city.office_a.pk, "version": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["problem"]
    problem = PublicReport.objects.get(pk=two["a"].pk).problem
    assert problem.category == city.points_a[0].category and problem.responsible_unit == city.office_a


def test_merge_into_an_earlier_report_by_its_code(city, api, two):
    later = report(city)
    response = _post(api(city.hq), f"/api/public-reports/{later.pk}/merge/", {"into": two["a"].code})
    assert response.status_code == 200
    assert response.json()["merged_into"] == two["a"].code


def test_merge_into_an_unknown_code_is_a_field_error(city, api, two):
    response = _post(api(city.hq), f"/api/public-reports/{two['a'].pk}/merge/", {"into": "2099-999999"})
    assert response.status_code == 400 and "into" in response.json()


def test_reject_other_without_a_note_is_a_field_error_and_with_one_is_done(city, api, two):
    url = f"/api/public-reports/{two['a'].pk}/reject/"
    response = _post(api(city.hq), url, {"reason": "other"})
    assert response.status_code == 400 and "note" in response.json()
    assert _post(api(city.hq), url, {"reason": "wrong"}).json().keys() == {"reason"}
    response = _post(api(city.hq), url, {"reason": "other", "note": "已由12345处理"})
    assert response.status_code == 200 and response.json()["reject_reason"] == "other"


def test_a_decided_or_stale_report_is_409(city, api, two):
    url = f"/api/public-reports/{two['a'].pk}/reject/"
    assert _post(api(city.hq), url, {"reason": "not_found", "version": 1}).status_code == 200
    response = _post(api(city.hq), url, {"reason": "abusive"})
    assert response.status_code == 409 and "already been decided" in response.json()["detail"]
    assert _post(api(city.hq), f"/api/public-reports/{two['b'].pk}/reject/",
                 {"reason": "not_found", "version": 7}).status_code == 409


def test_edit_keeps_the_original_and_hides_a_photo(city, api, two):
    photo = two["a"].photos.get()
    response = _post(api(city.hq), f"/api/public-reports/{two['a'].pk}/edit/",
                     {"description": "更清楚的描述", "hide_photos": [photo.pk]})
    assert response.status_code == 200
    body = response.json()
    assert body["moderated_description"] == "更清楚的描述" and body["description"] == two["a"].description
    assert body["photos"][0]["hidden"] is True
