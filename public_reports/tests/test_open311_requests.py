"""Open311 GeoReport v2: posting requests (key, service, place, attributes, limits) and reading
them back (filters, formats, privacy), each refusal in the spec's error answer."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from ledger import services as ledger_services
from public_reports import services
from public_reports.choices import Channel, RejectReason, ReportStatus
from public_reports.models import PublicReport
from public_reports.tests import factories

pytestmark = pytest.mark.django_db

INSIDE = {"lat": "31.230000", "long": "121.470000"}


@pytest.fixture
def bounded(settings):
    settings.CITY_BOUNDS = (30.5, 121.0, 31.6, 122.0)
    return settings


@pytest.fixture
def key(city):
    return services.open311_key_issue(name="12345 hotline", by=city.hq)


@pytest.fixture
def garbage(city):
    return factories.public_category(city)


def post(client, fmt="json", **data):
    """A client asking for English answers (the site's default language is Chinese)."""
    return client.post(f"/open311/v2/requests.{fmt}", data, HTTP_ACCEPT_LANGUAGE="en")


def valid(raw_key, **extra):
    return {"api_key": raw_key, "service_code": "garbage", **INSIDE, "description": "路口垃圾桶满溢",
            "attribute[consent]": "yes", **extra}


def errors_json(response) -> list[dict]:
    data = json.loads(response.content)
    assert isinstance(data, list) and data, data
    for error in data:
        assert set(error) == {"code", "description"}
        assert error["code"] == response.status_code
    return data


def errors_xml(response) -> list[str]:
    root = etree.fromstring(response.content)
    assert root.tag == "errors"
    errors = root.findall("error")
    assert errors
    for error in errors:
        assert [child.tag for child in error] == ["code", "description"]
        assert error.findtext("code") == str(response.status_code)
    return [error.findtext("description") for error in errors]


# --- POST ----------------------------------------------------------------------------------------


def test_a_posted_request_enters_the_moderation_queue_with_its_key(client, city, garbage, key, bounded):
    record, raw = key
    response = post(client, **valid(raw, phone="+86 138-0013-8000", first_name="小明", last_name="王",
                                    email="wang@example.cn", device_id="dev-1", account_id="acc-9",
                                    media_url="https://img.example.cn/1.jpg", **{"attribute[severity]": "serious"}))
    assert response.status_code == 200, response.content
    [answer] = json.loads(response.content)
    report = PublicReport.objects.get(code=answer["service_request_id"])
    assert report.status == ReportStatus.RECEIVED
    assert report.channel == Channel.OPEN311
    assert report.open311_key == record
    assert report.reporter_mobile == "13800138000"
    assert report.reporter_name == "小明 王"
    assert report.attributes["severity"] == "serious"
    assert report.attributes["open311"]["device_id"] == "dev-1"
    assert answer["token"] == report.attributes["open311"]["token"]
    assert answer["account_id"] == "acc-9"
    assert PublicReport.objects.waiting().filter(pk=report.pk).exists()
    record.refresh_from_db()
    assert record.last_used_at is not None


def test_a_posted_request_answers_in_xml_as_the_spec(client, city, garbage, key):
    response = post(client, "xml", **valid(key[1]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.tag == "service_requests"
    [item] = root.findall("request")
    assert item.findtext("service_request_id").startswith("JB-")


def test_an_address_without_coordinates_is_enough(client, city, garbage, key):
    response = post(client, **valid(key[1], lat="", long="", address_string="人民路12号"))
    assert response.status_code == 200, response.content
    report = PublicReport.objects.get()
    assert report.address == "人民路12号" and report.latitude is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_key_is_refused_with_403(client, city, garbage, key, fmt):
    response = post(client, fmt, **valid("o311_not-a-key"))
    assert response.status_code == 403
    descriptions = errors_xml(response) if fmt == "xml" else [e["description"] for e in errors_json(response)]
    assert "api_key" in descriptions[0]
    assert not PublicReport.objects.exists()


def test_a_missing_key_is_refused_with_403(client, city, garbage, key):
    data = valid("")
    del data["api_key"]
    assert post(client, **data).status_code == 403


def test_a_revoked_key_is_refused_with_403(client, city, garbage, key):
    record, raw = key
    services.open311_key_revoke(key=record, by=city.hq)
    response = post(client, "xml", **valid(raw))
    assert response.status_code == 403
    errors_xml(response)
    assert not PublicReport.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_refused_with_400(client, city, garbage, key, fmt):
    response = post(client, fmt, **valid(key[1], service_code="no-such-service"))
    assert response.status_code == 400
    descriptions = errors_xml(response) if fmt == "xml" else [e["description"] for e in errors_json(response)]
    assert any("no-such-service" in description for description in descriptions)


def test_an_inactive_service_is_unknown(client, city, garbage, key):
    garbage.active = False
    garbage.save()
    assert post(client, **valid(key[1])).status_code == 400


def test_a_missing_required_attribute_is_refused_with_400(client, city, garbage, key):
    data = valid(key[1])
    del data["attribute[consent]"]
    response = post(client, **data)
    assert response.status_code == 400
    assert any("attribute[consent]" in e["description"] for e in errors_json(response))
    assert not PublicReport.objects.exists()


def test_an_attribute_value_outside_its_list_is_refused(client, city, garbage, key):
    response = post(client, **valid(key[1], **{"attribute[severity]": "catastrophic"}))
    assert response.status_code == 400
    assert any("attribute[severity]" in e["description"] for e in errors_json(response))


def test_a_place_outside_the_city_is_refused_with_400(client, city, garbage, key, bounded):
    response = post(client, "xml", **valid(key[1], lat="39.904200", long="116.407400"))
    assert response.status_code == 400
    assert any("outside" in description for description in errors_xml(response))
    assert not PublicReport.objects.exists()


def test_no_place_at_all_is_refused(client, city, garbage, key):
    response = post(client, **valid(key[1], lat="", long=""))
    assert response.status_code == 400
    assert any("address_string" in e["description"] for e in errors_json(response))


def test_every_problem_of_the_input_is_listed_at_once(client, city, garbage, key):
    response = post(client, api_key=key[1], service_code="nope", phone="12345", description="")
    assert response.status_code == 400
    assert len(errors_json(response)) >= 4  # service, place, consent, description, phone


def test_a_number_that_is_not_a_mobile_number_is_refused(client, city, garbage, key):
    response = post(client, **valid(key[1], phone="010-12345678"))
    assert response.status_code == 400
    assert any(e["description"].startswith("phone:") for e in errors_json(response))


def test_the_daily_limit_of_a_key_answers_429_and_records_nothing(client, city, garbage, key, settings):
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "open311_key": {"per_address": 1, "per_mobile": 0}}
    assert post(client, **valid(key[1])).status_code == 200
    response = post(client, **valid(key[1]))
    assert response.status_code == 429
    errors_json(response)
    assert PublicReport.objects.count() == 1


def test_post_needs_no_csrf_token(city, garbage, key):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, **valid(key[1])).status_code == 200


# --- GET -----------------------------------------------------------------------------------------


def reports_for_reading(city):
    received = factories.report(city, description="收到的：电话13800138000")
    accepted = factories.report(city, description="已受理的垃圾堆")
    accepted = services.public_report_accept(report=accepted, by=city.hq)
    rejected = factories.report(city)
    rejected = services.public_report_reject(report=rejected, by=city.hq, reason=RejectReason.NOT_FOUND, note="现场未见")
    return received, accepted, rejected


def codes(response) -> list[str]:
    return [item["service_request_id"] for item in json.loads(response.content)]


def test_requests_map_the_tracking_stage_to_open_and_closed(client, city):
    received, accepted, rejected = reports_for_reading(city)
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 200
    status = {item["service_request_id"]: item["status"] for item in json.loads(response.content)}
    assert status == {received.code: "open", accepted.code: "open", rejected.code: "closed"}
    assert set(codes(client.get("/open311/v2/requests.json?status=open"))) == {received.code, accepted.code}
    assert codes(client.get("/open311/v2/requests.json?status=closed")) == [rejected.code]
    assert len(codes(client.get("/open311/v2/requests.json?status=open,closed"))) == 3


def test_a_closed_or_invalid_problem_closes_its_request(client, city):
    from ledger.choices import Status
    from ledger.tests.factories import problem_in

    _received, accepted, _rejected = reports_for_reading(city)
    ledger_services.problem_invalidate(problem=accepted.problem, reason="不属于问题", by=city.hq)
    merged = factories.report(city)
    problem = problem_in(city, Status.CLOSING_APPLIED)
    services.public_report_merge(report=merged, by=city.hq, into_problem=problem)
    ledger_services.problem_verify(problem=problem, approved=True, note="现场核实", by=city.district_lead)
    assert {accepted.code, merged.code} <= set(codes(client.get("/open311/v2/requests.json?status=closed")))
    assert not {accepted.code, merged.code} & set(codes(client.get("/open311/v2/requests.json?status=open")))


def test_service_request_id_takes_a_comma_separated_list_and_overrides_the_rest(client, city):
    received, accepted, rejected = reports_for_reading(city)
    response = client.get(f"/open311/v2/requests.json?service_request_id={received.code},{rejected.code}"
                          "&status=open&service_code=other")
    assert set(codes(response)) == {received.code, rejected.code}


def test_service_code_filters(client, city):
    reports_for_reading(city)
    other = factories.public_category(city, code="toilet", name="公厕脏乱", keywords="公厕")
    toilet = factories.report(city, public_category=other)
    assert codes(client.get("/open311/v2/requests.json?service_code=toilet")) == [toilet.code]
    assert len(codes(client.get("/open311/v2/requests.json?service_code=toilet,garbage"))) == 4


def test_dates_default_to_the_last_90_days(client, city):
    recent = factories.report(city)
    old = factories.report(city, submitted_at=timezone.now() - timedelta(days=120))
    assert codes(client.get("/open311/v2/requests.json")) == [recent.code]
    start = (timezone.now() - timedelta(days=130)).isoformat()
    response = client.get("/open311/v2/requests.json", {"start_date": start})
    assert codes(response) == [old.code]


def test_a_span_over_90_days_or_a_bad_date_is_refused(client, city):
    response = client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")
    assert response.status_code == 400
    errors_json(response)
    response = client.get("/open311/v2/requests.xml?start_date=yesterday&status=pending")
    assert response.status_code == 400
    assert len(errors_xml(response)) == 2


def test_requests_never_show_the_reporter(client, city, garbage, key):
    post(client, **valid(key[1], phone="13912345678", first_name="秘密", email="secret@example.cn",
                         device_id="device-secret", account_id="account-secret"))
    reports_for_reading(city)
    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/requests.{fmt}").content.decode()
        for secret in ("13912345678", "13800138000", "秘密", "李女士", "secret@example.cn", "device-secret",
                       "account-secret"):
            assert secret not in body


def test_an_unmoderated_description_is_not_shown(client, city):
    received, accepted, _rejected = reports_for_reading(city)
    items = {item["service_request_id"]: item for item in json.loads(client.get("/open311/v2/requests.json").content)}
    assert items[received.code]["description"] is None
    assert items[accepted.code]["description"] == "已受理的垃圾堆"
    assert items[received.code]["address"] is None
    assert items[accepted.code]["address"] == "人民路12号"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_point_of_a_received_or_rejected_report_is_withheld_until_accepted(client, city, fmt):
    received, accepted, rejected = reports_for_reading(city)
    merged = services.public_report_merge(report=factories.report(city), by=city.hq, into_report=accepted)
    body = client.get(f"/open311/v2/requests.{fmt}").content
    if fmt == "json":
        items = {item["service_request_id"]: item for item in json.loads(body)}
        point = {code: (item["lat"], item["long"]) for code, item in items.items()}
    else:
        point = {r.findtext("service_request_id"): (r.findtext("lat"), r.findtext("long"))
                 for r in etree.fromstring(body).findall("request")}
        point = {code: tuple(float(v) if v else None for v in pair) for code, pair in point.items()}
    assert point[received.code] == (None, None) and point[rejected.code] == (None, None)
    assert point[accepted.code] == (31.23, 121.47) and point[merged.code] == (31.23, 121.47)
    assert "31.23" not in client.get(f"/open311/v2/requests/{received.code}.{fmt}").content.decode()


def test_the_note_to_the_reporter_is_never_in_a_request(client, city):
    _received, _accepted, rejected = reports_for_reading(city)
    [item] = json.loads(client.get(f"/open311/v2/requests/{rejected.code}.json").content)
    assert "现场未见" not in item["status_notes"] and item["status_notes"]


def test_imported_history_is_not_a_request(client, city):
    services.public_report_submit(public_category=factories.public_category(city), description="历史留言",
                                  consent=False, channel=Channel.IMPORTED, imported_ref="msg:1")
    assert codes(client.get("/open311/v2/requests.json")) == []


def test_the_list_reads_in_one_query(client, city, django_assert_max_num_queries):
    reports_for_reading(city)
    for _n in range(5):
        report = factories.report(city)
        services.public_report_accept(report=report, by=city.hq)
    with django_assert_max_num_queries(3):
        response = client.get("/open311/v2/requests.xml")
    assert len(etree.fromstring(response.content).findall("request")) == 8


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_and_an_unknown_one(client, city, fmt):
    received, _accepted, _rejected = reports_for_reading(city)
    response = client.get(f"/open311/v2/requests/{received.code}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert codes(response) == [received.code]
    else:
        assert etree.fromstring(response.content).findtext("request/service_request_id") == received.code
    missing = client.get(f"/open311/v2/requests/JB-1999-000001.{fmt}")
    assert missing.status_code == 404
    errors_xml(missing) if fmt == "xml" else errors_json(missing)


def test_a_token_names_its_request(client, city, garbage, key):
    [answer] = json.loads(post(client, **valid(key[1])).content)
    response = client.get(f"/open311/v2/tokens/{answer['token']}.json")
    assert json.loads(response.content) == [{"service_request_id": answer["service_request_id"],
                                             "token": answer["token"]}]
    assert client.get("/open311/v2/tokens/nope.xml").status_code == 404


def test_services_and_a_definition(client, city, garbage):
    [service] = json.loads(client.get("/open311/v2/services.json").content)
    assert service["service_code"] == "garbage" and service["metadata"] is True
    definition = json.loads(client.get("/open311/v2/services/garbage.json").content)
    codes_required = {a["code"]: a["required"] for a in definition["attributes"]}
    assert codes_required["consent"] is True
    missing = client.get("/open311/v2/services/nope.xml")
    assert missing.status_code == 404
    errors_xml(missing)


def test_the_format_is_the_extension_only(client, city, garbage):
    assert client.get("/open311/v2/services").status_code == 404
    assert client.get("/open311/v2/services.html").status_code == 404
    response = client.get("/open311/v2/nothing.json")
    assert response.status_code == 404
    errors_json(response)
    assert client.get("/open311/v2/services.json", HTTP_ACCEPT="text/xml")["Content-Type"].startswith(
        "application/json")


def test_another_jurisdiction_is_not_found(client, city, garbage, settings):
    settings.OPEN311_JURISDICTION_ID = "kaifeng"
    assert client.get("/open311/v2/services.json?jurisdiction_id=kaifeng").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=elsewhere").status_code == 404


def test_a_method_the_endpoint_does_not_take_is_405_in_the_error_format(client, city, garbage):
    response = client.delete("/open311/v2/services.json")
    assert response.status_code == 405
    errors_json(response)


def test_the_endpoints_are_registered_as_internet_facing():
    from campaign.public_guard import public_paths

    routes = {path.route for path in public_paths()}
    for route in ("/open311/v2/discovery.<open311fmt:fmt>", "/open311/v2/services.<open311fmt:fmt>",
                  "/open311/v2/requests.<open311fmt:fmt>", "/open311/v2/tokens/<str:token>.<open311fmt:fmt>"):
        assert route in routes


def test_posting_as_a_signed_in_user_changes_nothing(login, city, garbage, key):
    client = login(city.hq)
    assert post(client, **valid("wrong")).status_code == 403


def test_a_control_character_in_a_post_is_refused_with_400(client, city, garbage, key):
    response = post(client, "xml", **valid(key[1], description="垃圾\x0b堆"))
    assert response.status_code == 400
    assert any(description.startswith("description:") for description in errors_xml(response))
    assert not PublicReport.objects.exists()


def test_xml_never_fails_on_a_character_xml_cannot_carry():
    from public_reports.open311.renderers import to_xml

    root = etree.fromstring(to_xml([{"description": "a\x01b"}], root="service_requests", item="request"))
    assert root.findtext("request/description") == "a\ufffdb"


def test_reads_are_throttled_per_address_in_the_error_format(client, city, garbage, settings):
    settings.OPEN311_READ_RATE = "2/minute"
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/open311/v2/requests.json").status_code == 200
    response = client.get("/open311/v2/requests.xml")
    assert response.status_code == 429
    errors_xml(response)
    other = client.get("/open311/v2/requests.json", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_a_list_for_a_single_value_attribute_is_refused(client, city, garbage, key):
    data = valid(key[1])
    data["attribute[severity][]"] = ["serious", "urgent"]
    response = post(client, **data)
    assert response.status_code == 400
    assert any("attribute[severity]" in e["description"] for e in errors_json(response))
