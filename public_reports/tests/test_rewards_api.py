"""/api/rewards/: every endpoint for the anonymous, a wrong role and the right role (leaders
read, HQ staff act); the list's filters and query count; 400, 403, 404 and 409."""

import pytest

from ledger.choices import Severity
from public_reports.choices import RewardStatus

from .reward_factories import reward

pytestmark = pytest.mark.django_db

LIST = "/api/rewards/"
WRONG_ROLES = ["district_lead", "other_district_lead", "unit_handler", "inspector", "public"]


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_list_refuses_the_anonymous(city, login):
    reward(city)
    assert login(None).get(LIST).status_code in (401, 403)


@pytest.mark.parametrize("role", WRONG_ROLES)
def test_the_list_and_detail_refuse_other_roles(city, login, role):
    made = reward(city)
    client = login(getattr(city, role))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{made.pk}/").status_code == 403


def test_hq_lists_with_full_numbers_and_a_leader_masked(city, login, django_assert_max_num_queries):
    reward(city, mobile="13912345678")
    for n in range(5):
        reward(city, status=RewardStatus.PAID, mobile=f"1370000000{n}")
    client = login(city.hq)
    with django_assert_max_num_queries(6):
        data = client.get(LIST).json()
    assert data["count"] == 6
    first = next(r for r in data["results"] if r["status"] == "pending")
    assert first["reporter_mobile"] == "13912345678" and first["amount"] == "20.00"
    assert first["code"].startswith("JB-") and first["problem"] and first["public_category"] == "garbage"
    masked = login(city.leader).get(LIST).json()["results"]
    assert {r["reporter_mobile"] for r in masked} >= {"139****5678"}


def test_the_list_filters_by_month_and_status_and_refuses_a_bad_month(city, login):
    made = reward(city, severity=Severity.URGENT)
    reward(city, status=RewardStatus.APPROVED, mobile="13700000000")
    client = login(city.hq)
    month = made.month.strftime("%Y-%m")
    assert client.get(LIST, {"status": "approved"}).json()["count"] == 1
    assert client.get(LIST, {"month": month}).json()["count"] == 2
    assert client.get(LIST, {"month": "2001-01"}).json()["count"] == 0
    refused = client.get(LIST, {"month": "December"})
    assert refused.status_code == 400 and "month" in refused.json()
    assert client.get(LIST, {"status": "lost"}).status_code == 400


def test_the_detail_reads_one_reward_and_an_unknown_one_is_404(city, login):
    made = reward(city)
    client = login(city.leader)
    assert client.get(f"{LIST}{made.pk}/").json()["id"] == made.pk
    assert client.get(f"{LIST}99999/").status_code == 404


@pytest.mark.parametrize("action,data", [("approve", {}), ("decline", {"note": "重复"}),
                                         ("pay", {"payment_reference": "CW-1"})])
def test_actions_refuse_the_anonymous_wrong_roles_and_leaders(city, login, action, data):
    made = reward(city)
    url = f"{LIST}{made.pk}/{action}/"
    assert _post(login(None), url, data).status_code in (401, 403)
    for role in [*WRONG_ROLES, "leader"]:
        assert _post(login(getattr(city, role)), url, data).status_code == 403, role
    made.refresh_from_db()
    assert made.status == RewardStatus.PENDING


def test_hq_approves_then_pays_and_the_answer_is_the_reward(city, login):
    made = reward(city)
    client = login(city.hq)
    approved = _post(client, f"{LIST}{made.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "hq"
    paid = _post(client, f"{LIST}{made.pk}/pay/", {"payment_reference": "CW-202612-0009"})
    assert paid.status_code == 200
    assert (paid.json()["status"], paid.json()["payment_reference"], paid.json()["paid_by"]) == (
        "paid", "CW-202612-0009", "hq")


def test_a_second_move_is_409_and_missing_input_400(city, login):
    made = reward(city)
    client = login(city.hq)
    assert _post(client, f"{LIST}{made.pk}/pay/", {"payment_reference": "CW-1"}).status_code == 409
    assert _post(client, f"{LIST}{made.pk}/pay/", {}).json().keys() == {"payment_reference"}
    assert _post(client, f"{LIST}{made.pk}/decline/", {}).status_code == 400
    declined = _post(client, f"{LIST}{made.pk}/decline/", {"note": "举报人为责任单位工作人员"})
    assert declined.json()["status"] == "declined" and declined.json()["note"] == "举报人为责任单位工作人员"
    assert _post(client, f"{LIST}{made.pk}/approve/").status_code == 409


def test_the_schema_documents_the_reward_endpoints(city, login):
    schema = login(city.hq).get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/rewards/", "/api/rewards/{id}/", "/api/rewards/{id}/approve/",
                 "/api/rewards/{id}/decline/", "/api/rewards/{id}/pay/"):
        assert path in schema["paths"], path
