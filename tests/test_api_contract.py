"""The API answers as its OpenAPI schema says: one error shape, documented refusals, strict
paging and filters (config/api.py, config/openapi.py). schemathesis checks the same against a
live server in CI (scripts/schemathesis_ci.sh); these pin each rule it found broken."""

import re
from datetime import UTC, datetime

import pytest
import yaml
from django.core.management import call_command
from jsonschema import Draft202012Validator
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from config.api import exception_handler
from ledger.tests.api_support import client_for
from public_reports import services
from public_reports.choices import RewardStatus
from public_reports.reward_forms import RewardFilterForm
from public_reports.tests.factories import report
from public_reports.tests.reward_factories import reward

pytestmark = pytest.mark.django_db

DISTRICTS = "/api/districts/"
PROBLEMS = "/api/problems/"


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    target = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(target))
    return yaml.safe_load(target.read_text(encoding="utf-8"))


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_non_integer_page_is_refused_with_a_400_naming_it(city):
    response = client_for(city.hq).get(DISTRICTS, {"page": "abc"})
    assert response.status_code == 400
    assert set(response.json()) == {"page"}


def test_empty_page_is_refused_not_taken_as_the_first(city):
    assert client_for(city.hq).get(DISTRICTS, {"page": ""}).status_code == 400


def test_page_past_the_last_is_still_not_found(city):
    response = client_for(city.hq).get(DISTRICTS, {"page": 999})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("value", ["false", "1.5", "0", "-3", "501"])
def test_page_size_outside_its_documented_range_is_refused(city, value):
    response = client_for(city.hq).get(DISTRICTS, {"page_size": value})
    assert response.status_code == 400
    assert set(response.json()) == {"page_size"}


def test_page_size_above_the_ledgers_maximum_is_refused(city):
    response = client_for(city.hq).get(PROBLEMS, {"page_size": 201})
    assert response.status_code == 400
    assert client_for(city.hq).get(PROBLEMS, {"page_size": 200}).status_code == 200


def test_empty_filter_value_is_refused_like_any_value_outside_its_enum(city):
    client = client_for(city.hq)
    assert client.get(DISTRICTS, {"kind": "no-such-kind"}).status_code == 400
    response = client.get(DISTRICTS, {"kind": ""})
    assert response.status_code == 400
    assert set(response.json()) == {"kind"}


def test_empty_score_trend_is_refused(city):
    assert client_for(city.hq).get("/api/scores/", {"trend": ""}).status_code == 400


def test_api_url_that_no_route_takes_answers_json_not_a_page(city):
    response = client_for(city.hq).get(f"{PROBLEMS}-1/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_a_page_url_that_does_not_exist_still_shows_the_page(city):
    response = client_for(city.hq).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_error_raised_as_a_list_answers_an_object():
    response = exception_handler(ValidationError(["The input is wrong."]), {})
    assert response.data == {"non_field_errors": ["The input is wrong."]}


class _PublishSerializer(serializers.Serializer):
    def validate(self, attrs):
        raise ValidationError({"detail": "Not finished yet."})


def test_error_about_the_whole_request_answers_detail_as_one_string():
    with pytest.raises(ValidationError) as refused:
        _PublishSerializer(data={}).is_valid(raise_exception=True)
    response = exception_handler(refused.value, {})
    assert response.data == {"detail": "Not finished yet."}


def test_every_operation_that_takes_input_documents_field_errors_for_400(schema):
    missing = []
    for path, method, operation in _operations(schema):
        takes_input = "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", []))
        if not takes_input:
            continue
        body = operation["responses"].get("400", {}).get("content", {}).get("application/json", {}).get("schema")
        refs = [body.get("$ref")] + [alt.get("$ref") for alt in body.get("anyOf", [])] if body else []
        if "#/components/schemas/ValidationError" not in refs:
            missing.append(f"{method.upper()} {path}")
    assert not missing


def test_every_signed_in_operation_documents_401_and_403_as_detail(schema):
    for path, method, operation in _operations(schema):
        if not operation.get("security"):
            continue
        for code in ("401", "403"):
            content = operation["responses"][code]["content"]
            assert list(content) == ["application/json"], (method, path, code)


def test_refusals_of_a_workbook_download_are_documented_as_json(schema):
    responses = schema["paths"]["/api/reports/{id}/download/"]["get"]["responses"]
    assert list(responses["404"]["content"]) == ["application/json"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in responses["200"]["content"]


def test_paging_parameters_state_their_bounds(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"][PROBLEMS]["get"]["parameters"]}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}
    parameters = {p["name"]: p["schema"] for p in schema["paths"][DISTRICTS]["get"]["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1}


def test_list_inputs_that_may_not_be_empty_say_so(schema):
    problems = schema["components"]["schemas"]["SheetIssueRequest"]["properties"]["problems"]
    assert problems["minItems"] == 1


@pytest.mark.parametrize("text, is_number", [
    ("12.5", True), ("-3", True), ("0.25", True), ("", False), ("-", False), (".", False), ("1.", False),
])
def test_decimal_pattern_admits_only_numbers(schema, text, is_number):
    pattern = schema["components"]["schemas"]["Indicator"]["properties"]["target"]["pattern"]
    assert bool(re.fullmatch(pattern.strip("^$"), text)) is is_number


def test_a_number_sent_for_a_text_field_is_refused_not_turned_into_text(city):
    response = client_for(city.hq).patch(f"/api/units/{city.office_a.pk}/", {"contact_phone": 12345}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"contact_phone"}


def test_an_object_sent_for_a_list_of_ids_is_refused_not_read_as_an_empty_list(city):
    response = client_for(city.hq).patch(f"/api/teams/{city.team.pk}/", {"categories": {}}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"categories"}


def test_yes_no_filter_that_is_neither_is_refused(city):
    assert client_for(city.hq).get("/api/reports/", {"city_wide": "6.5"}).status_code == 400
    assert client_for(city.hq).get("/api/reports/", {"city_wide": "true"}).status_code == 200


def test_free_text_filter_may_be_empty(city):
    assert client_for(city.hq).get(DISTRICTS, {"q": ""}).status_code == 200


def test_a_yes_no_field_takes_true_or_false_only(city):
    point = city.points_a[0]
    response = client_for(city.hq).patch(f"/api/sample-points/{point.pk}/", {"active": "yes"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"active"}


# --- Answers against the schema, with data in every state -----------------------------------------


def _nullable_as_json_schema(node):
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema (null admitted beside the schema)."""
    if isinstance(node, list):
        return [_nullable_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _assert_answers_as_documented(schema, path, method, response):
    """The body of ``response`` validates against the schema of ``path``/``method`` for its status."""
    assert response.status_code == 200, response.content
    documented = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    root = {"components": _nullable_as_json_schema(schema["components"]), **_nullable_as_json_schema(documented)}
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in Draft202012Validator(root).iter_errors(response.json())]
    assert not errors, f"{method.upper()} {path}: {errors[:10]}"


def test_public_report_answers_in_every_state_match_the_schema(city, schema):
    """Imported (no category, no place), received, accepted, merged and rejected reports, as the
    list, the detail and each decision answer them (null links, a blank reason, events without
    an actor were refused by the schema once: schemathesis ST108)."""
    services.public_reports_import(messages=[services.ImportedMessage(
        ref="12345-1", description="路灯不亮", submitted_at=datetime(2011, 5, 1, tzinfo=UTC))])
    received, to_accept, to_merge, to_reject, to_reject_other = (report(city) for _ in range(5))
    client = client_for(city.hq)
    detail = "/api/public-reports/{id}/"
    decisions = [(to_accept, "accept", {"severity": "serious", "unit": city.office_a.pk}),
                 (to_merge, "merge", {"into": received.code}),
                 (to_reject, "reject", {"reason": "abusive"}),
                 (to_reject_other, "reject", {"reason": "other", "note": "已由12345处理"}),
                 (received, "edit", {"description": "更清楚的描述"})]
    for target, name, data in decisions:
        response = client.post(f"/api/public-reports/{target.pk}/{name}/", data, format="json")
        _assert_answers_as_documented(schema, f"{detail}{name}/", "post", response)
    listed = client.get("/api/public-reports/")
    _assert_answers_as_documented(schema, "/api/public-reports/", "get", listed)
    states = {row["status"] for row in listed.json()["results"]}
    assert states == {"received", "accepted", "merged", "rejected"}
    assert any(row["channel"] == "imported" and row["public_category"] is None and row["district"] is None
               for row in listed.json()["results"])
    for row in listed.json()["results"]:
        _assert_answers_as_documented(schema, detail, "get", client.get(f"/api/public-reports/{row['id']}/"))
    imported = next(row for row in listed.json()["results"] if row["channel"] == "imported")
    edited = client.post(f"/api/public-reports/{imported['id']}/edit/", {}, format="json")
    _assert_answers_as_documented(schema, f"{detail}edit/", "post", edited)


def test_reward_and_open311_key_answers_in_every_state_match_the_schema(city, schema):
    """Rewards pending, approved, paid and declined (null approver and payer until then), and
    Open311 keys active and revoked, as the lists and details answer them."""
    for n, status in enumerate(RewardStatus.values):
        reward(city, status=status, mobile=f"1370000000{n}")
    client = client_for(city.hq)
    listed = client.get("/api/rewards/")
    _assert_answers_as_documented(schema, "/api/rewards/", "get", listed)
    assert {row["status"] for row in listed.json()["results"]} == set(RewardStatus.values)
    for row in listed.json()["results"]:
        _assert_answers_as_documented(schema, "/api/rewards/{id}/", "get", client.get(f"/api/rewards/{row['id']}/"))
    pending = next(row for row in listed.json()["results"] if row["status"] == "pending")
    approved = client.post(f"/api/rewards/{pending['id']}/approve/", {}, format="json")
    _assert_answers_as_documented(schema, "/api/rewards/{id}/approve/", "post", approved)

    services.open311_key_issue(name="12345 热线", by=city.hq)
    revoked, _ = services.open311_key_issue(name="旧系统", by=city.hq)
    services.open311_key_revoke(key=revoked, by=city.hq)
    _assert_answers_as_documented(schema, "/api/open311-keys/", "get", client.get("/api/open311-keys/"))


@pytest.mark.parametrize(("month", "valid"), [("2026-12", True), ("", True), ("2026-13", False),
                                              ("1999-12", False), ("2026-12-01", False), ("December", False)])
def test_the_reward_month_filter_states_the_forms_rule(schema, month, valid):
    parameter = next(p for p in schema["paths"]["/api/rewards/"]["get"]["parameters"] if p["name"] == "month")
    assert bool(re.search(parameter["schema"]["pattern"], month)) is valid
    assert RewardFilterForm({"month": month}).is_valid() is valid


def test_every_operation_with_a_query_documents_the_servers_uri_too_long(schema):
    """gunicorn refuses a request line past 4094 bytes with its own 414 page, before Django."""
    with_query = [(path, method, operation) for path, method, operation in _operations(schema)
                  if any(p.get("in") == "query" for p in operation.get("parameters", []))]
    assert with_query
    for path, method, operation in with_query:
        assert "text/html" in operation["responses"]["414"]["content"], (method, path)
