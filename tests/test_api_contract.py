"""The API answers as its OpenAPI schema says: one error shape, documented refusals, strict
paging and filters (config/api.py, config/openapi.py). schemathesis checks the same against a
live server in CI (scripts/schemathesis_ci.sh); these pin each rule it found broken."""

import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from config.api import exception_handler
from ledger.tests.api_support import client_for

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
