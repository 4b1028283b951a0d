"""Open311 conformance: our answers against the GeoReport v2 JSON schemas
(``schema-validation_georeport-v2``), our XML against the same schemas (read with the spec's
types) and against the element names, nesting and order of the codeforamerica-open311-ruby
fixtures, and a real Open311 client from PyPI (``georeport``) reading the live server.

The reference folder has JSON schemas and a Swagger file but no XSD, so the XML is checked by
reading it into the schemas' types and by its structure against the fixtures. Two deliberate
differences from the fixtures, both what the spec itself says: a service definition wraps its
attributes in ``<attributes>`` (the fixture lists ``<attribute>`` directly under the root), and
a POST's answer carries a ``token`` beside the ``service_request_id`` (the spec allows either);
the fixture's ``403.xml`` (a bare ``<error>`` root) is a server that ignored the spec's
``<errors>`` list and is not followed.
"""

import json
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ledger.choices import Status
from public_reports import services
from public_reports.tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]

REFS = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "open311_refs"
SCHEMAS = REFS / "schema-validation_georeport-v2"
FIXTURES = REFS / "codeforamerica-open311-ruby_fixtures"


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def w3c_date_time(value) -> bool:
    """RFC 3339 as the spec asks (jsonschema checks it only with an optional package): a date,
    a time and an offset."""
    if not isinstance(value, str):
        return True
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value and moment.tzinfo is not None


def schema_validator(name: str) -> Draft202012Validator:
    resources = [(path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
                 for path in SCHEMAS.glob("*.json") if path.name != "swagger.json"]
    registry = Registry().with_resources(resources)
    return Draft202012Validator(json.loads((SCHEMAS / name).read_text()), registry=registry,
                                format_checker=FORMATS)


def assert_valid(name: str, data) -> None:
    errors = sorted(schema_validator(name).iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(error.absolute_path)}: {error.message}" for error in errors)


def fixture_root(name: str):
    return etree.fromstring((FIXTURES / name).read_bytes())


def tags(element) -> list[str]:
    return [child.tag for child in element if isinstance(child.tag, str)]


@pytest.fixture
def world(city):
    """Two services, and requests in every state: received, accepted (rectifying), rejected,
    merged into a closed problem, and one posted through Open311 with an address only."""
    from ledger import services as ledger_services
    from ledger.tests.factories import problem_in

    garbage = factories.public_category(city)
    factories.public_category(city, code="toilet", name="公厕脏乱", keywords="公厕\n厕所")
    received = factories.report(city)
    accepted = services.public_report_accept(report=factories.report(city), by=city.hq, unit=city.office_a)
    rejected = services.public_report_reject(report=factories.report(city), by=city.hq, reason="not_found")
    problem = problem_in(city, Status.CLOSING_APPLIED)
    merged = services.public_report_merge(report=factories.report(city), by=city.hq, into_problem=problem)
    ledger_services.problem_verify(problem=problem, approved=True, note="现场核实", by=city.district_lead)
    _key, raw = services.open311_key_issue(name="hotline", by=city.hq)
    return {"category": garbage, "received": received, "accepted": accepted, "rejected": rejected,
            "merged": merged, "raw_key": raw}


# --- Typed reading of our XML -----------------------------------------------------------------

BOOLEANS = {"metadata", "variable", "required"}
NUMBERS = {"lat", "long"}
INTEGERS = {"order"}
LISTS = {"attributes": "attribute", "values": "value"}


def xml_to_data(element):
    """An element's children as the JSON the schemas describe (the spec's types; empty → null)."""
    data = {}
    for child in element:
        if child.tag in LISTS:
            data[child.tag] = [xml_to_data(item) for item in child.findall(LISTS[child.tag])]
            continue
        text = child.text.strip() if child.text and child.text.strip() else None
        if text is not None and child.tag in BOOLEANS:
            text = {"true": True, "false": False}[text]
        elif text is not None and child.tag in NUMBERS:
            text = float(text)
        elif text is not None and child.tag in INTEGERS:
            text = int(text)
        data[child.tag] = text
    return data


# --- JSON against the schemas -------------------------------------------------------------------


def test_services_json_validates(client, world):
    data = json.loads(client.get("/open311/v2/services.json").content)
    assert len(data) == 2
    assert_valid("services.json", data)


def test_service_definition_json_validates(client, world):
    data = json.loads(client.get("/open311/v2/services/garbage.json").content)
    assert_valid("service-definition.json", data)


def test_requests_json_validates_in_every_state(client, world):
    data = json.loads(client.get("/open311/v2/requests.json").content)
    assert {item["status"] for item in data} == {"open", "closed"}
    assert len(data) == 4
    assert_valid("requests.json", data)
    [one] = json.loads(client.get(f"/open311/v2/requests/{world['accepted'].code}.json").content)
    assert_valid("request.json", one)
    assert one["agency_responsible"]  # assigned to the office


def test_a_posted_request_reads_back_valid(client, world):
    response = client.post("/open311/v2/requests.json", {
        "api_key": world["raw_key"], "service_code": "toilet", "address_string": "人民路公厕",
        "address_id": "A-17", "description": "公厕无人打扫", "attribute[consent]": "yes"})
    [answer] = json.loads(response.content)
    [item] = json.loads(client.get(f"/open311/v2/requests/{answer['service_request_id']}.json").content)
    assert_valid("request.json", item)
    assert item["address_id"] == "A-17" and item["lat"] is None


# --- XML against the schemas and the fixtures ---------------------------------------------------


def test_services_xml_matches_the_fixture_and_validates(client, world):
    ours = etree.fromstring(client.get("/open311/v2/services.xml").content)
    theirs = fixture_root("services.xml")
    assert ours.tag == theirs.tag == "services"
    assert set(tags(ours)) == set(tags(theirs)) == {"service"}
    assert tags(ours[0]) == tags(theirs[0])
    assert_valid("services.json", [xml_to_data(service) for service in ours])


def test_service_definition_xml_matches_the_fixture_and_validates(client, world):
    ours = etree.fromstring(client.get("/open311/v2/services/garbage.xml").content)
    theirs = fixture_root("service_definition.xml")
    assert ours.tag == theirs.tag == "service_definition"
    assert tags(ours) == ["service_code", "attributes"]  # the spec's wrapper (see the module's note)
    assert tags(theirs) == ["service_code", "attribute"]
    their_attribute = theirs.find("attribute")
    our_list = next(a for a in ours.find("attributes") if a.findtext("datatype") == "singlevaluelist")
    assert tags(our_list) == tags(their_attribute)
    assert tags(our_list.find("values/value")) == tags(their_attribute.find("values/value")) == ["key", "name"]
    assert_valid("service-definition.json", xml_to_data(ours))


@pytest.mark.parametrize("fixture", ["service_requests.xml", "get_service_request.xml"])
def test_requests_xml_matches_the_fixture_and_validates(client, world, fixture):
    theirs = fixture_root(fixture)
    if fixture == "get_service_request.xml":
        ours = etree.fromstring(client.get(f"/open311/v2/requests/{world['received'].code}.xml").content)
    else:
        ours = etree.fromstring(client.get("/open311/v2/requests.xml").content)
    assert ours.tag == theirs.tag == "service_requests"
    assert set(tags(ours)) == set(tags(theirs)) == {"request"}
    for request in ours:
        assert tags(request) == tags(theirs[0])
    assert_valid("requests.json", [xml_to_data(request) for request in ours])


def test_an_empty_answer_matches_the_fixture(client, world):
    ours = etree.fromstring(client.get("/open311/v2/requests.xml?service_code=nothing-here").content)
    theirs = fixture_root("service_requests_empty.xml")
    assert ours.tag == theirs.tag and tags(ours) == tags(theirs) == []


def test_a_post_answer_matches_the_fixture(client, world):
    response = client.post("/open311/v2/requests.xml", {
        "api_key": world["raw_key"], "service_code": "garbage", "lat": "31.23", "long": "121.47",
        "description": "垃圾", "attribute[consent]": "yes", "account_id": "acc-1"})
    ours = etree.fromstring(response.content)
    theirs = fixture_root("post_service_request.xml")
    assert ours.tag == theirs.tag == "service_requests"
    their_fields = tags(theirs.find("request"))
    our_fields = tags(ours.find("request"))
    assert [field for field in our_fields if field in their_fields] == their_fields
    assert set(our_fields) - set(their_fields) == {"token"}
    token = ours.findtext("request/token")
    from_token = etree.fromstring(client.get(f"/open311/v2/tokens/{token}.xml").content)
    assert tags(from_token) == tags(fixture_root("request_id_from_token.xml"))
    assert tags(from_token.find("request")) == tags(fixture_root("request_id_from_token.xml").find("request"))


def test_a_not_found_answer_matches_the_fixture(client, world):
    ours = etree.fromstring(client.get("/open311/v2/requests/not-an-id.xml").content)
    theirs = fixture_root("get_service_request_not_found.xml")
    assert ours.tag == theirs.tag == "errors"
    assert tags(ours.find("error")) == tags(theirs.find("error")) == ["code", "description"]
    assert ours.findtext("error/code") == theirs.findtext("error/code") == "404"


def test_discovery_lists_this_endpoint(client, world):
    data = json.loads(client.get("/open311/v2/discovery.json").content)
    [endpoint] = data["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = etree.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


# --- A real client ------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_georeport_client_reads_the_live_server(live_server, world, output_format):
    from georeport import GeoReport

    client = GeoReport(f"{live_server.url}/open311/v2", output_format=output_format)
    service_list = client.get_service_list()
    assert {service["service_code"] for service in service_list} == {"garbage", "toilet"}
    definition = client.get_service_definition("garbage")
    assert definition["service_code"] == "garbage"
    requests = client.get_service_requests(status="open")
    requests = requests if isinstance(requests, list) else [requests]  # xmltodict: one element is a dict
    assert {item["service_request_id"] for item in requests} == {world["received"].code, world["accepted"].code}
    closed = client.get_service_requests(service_request_id=f"{world['rejected'].code},{world['merged'].code}")
    assert {item["status"] for item in closed} == {"closed"}
    one = client.get_service_request(world["received"].code)
    assert one["service_request_id"] == world["received"].code and one["status"] == "open"
