"""The reports' API, per role: anonymous, the public, the wrong role, HQ, another district."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ledger.tests.api_support import client_for
from reports import services
from reports.choices import ReportKind, ReportStatus
from reports.models import Report
from reports.periods import last_finished

from .engine_support import (  # noqa: F401 - fixtures
    broker_fixture,
    english_fixture,
    fake_kinds_fixture,
    found_last_week,
    last_week,
    media_fixture,
)

pytestmark = pytest.mark.usefixtures("fake_kinds")

LIST = "/api/reports/"
STAFF_WHO_MAY_NOT_REQUEST = ["leader", "team_lead", "district_lead", "unit_handler", "inspector"]


def detail(report) -> str:
    return reverse("report-detail", args=[report.pk])


def done(city, **extra) -> Report:
    kind = extra.pop("kind", ReportKind.WEEKLY_ASSIGNMENT)
    report = services.report_request(kind=kind, period_start=last_finished(kind).start, requested_by=city.hq,
                                     **extra)
    return services.report_run(report_id=report.pk)


def test_anonymous_gets_401(city):
    assert client_for(None).get(LIST).status_code == 401
    assert client_for(None).post(LIST, {}, format="json").status_code == 401


def test_the_public_gets_403(city):
    assert client_for(city.public).get(LIST).status_code == 403


def test_hq_requests_a_report_and_gets_202_with_its_id(city, broker, django_capture_on_commit_callbacks):
    week = last_week()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(city.hq).post(
            LIST, {"kind": "weekly_assignment", "period_start": week.start.isoformat()}, format="json"
        )
    assert response.status_code == 202, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert (report.kind, report.period_start, report.version, report.requested_by) == (
        "weekly_assignment", week.start, 1, city.hq)
    assert response.json()["url"].endswith(detail(report))
    assert broker.sent == [report.pk]


def test_hq_requests_a_district_report(city, broker):
    response = client_for(city.hq).post(
        LIST, {"kind": "monthly_comparison", "period_start": "2025-03-14", "district": city.district_b.pk},
        format="json",
    )
    assert response.status_code == 202
    report = Report.objects.get(pk=response.json()["id"])
    assert (report.period_start.isoformat(), report.period_end.isoformat(), report.district) == (
        "2025-03-01", "2025-03-31", city.district_b)


@pytest.mark.parametrize("body", [
    {"kind": "weekly_assignment"},
    {"kind": "yearly_party", "period_start": "2025-03-14"},
    {"kind": "weekly_assignment", "period_start": "2999-01-04"},
    {"kind": "monthly_comparison", "period_start": "9999-12-31"},
    {"kind": "quarterly_appraisal", "period_start": "9999-12-31"},
    {"kind": "monthly_comparison", "period_start": "0001-01-01"},
])
def test_a_wrong_request_is_400(city, broker, body):
    response = client_for(city.hq).post(LIST, body, format="json")
    assert response.status_code == 400
    assert not Report.objects.exists()
    if body.get("period_start", "").startswith(("9999", "0001")):
        assert "period_start" in str(response.json())  # the field's error, not a crash


@pytest.mark.parametrize("role", STAFF_WHO_MAY_NOT_REQUEST)
def test_other_roles_may_not_request_reports(city, broker, role):
    response = client_for(getattr(city, role)).post(
        LIST, {"kind": "weekly_assignment", "period_start": last_week().start.isoformat()}, format="json"
    )
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_the_detail_tells_status_and_data_once_done(city, broker):
    found_last_week(city)
    report = services.report_request(kind="weekly_assignment", period_start=last_week().start, requested_by=city.hq)
    queued = client_for(city.hq).get(detail(report)).json()
    assert (queued["status"], queued["data"], queued["download_url"]) == ("queued", {}, None)
    services.report_run(report_id=report.pk)
    body = client_for(city.leader).get(detail(report)).json()
    assert body["status"] == "done" and body["progress"] == 100 and body["data"]["found"] == 1
    assert body["period_label"] == last_week().label
    assert body["download_url"].endswith("/download/?format=xlsx")


def test_the_list_filters_and_scopes(city, broker):
    city_wide = done(city)
    district_a = done(city, district=city.district_a)
    district_b = done(city, district=city.district_b)
    exposure_draft = done(city, kind=ReportKind.WEEKLY_EXPOSURE)

    def ids(user, query=""):
        response = client_for(user).get(LIST + query)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(city.hq) == {city_wide.pk, district_a.pk, district_b.pk, exposure_draft.pk}
    assert ids(city.hq, "?kind=weekly_exposure") == {exposure_draft.pk}
    assert ids(city.hq, f"?district={city.district_a.pk}") == {district_a.pk}
    assert ids(city.hq, "?city_wide=true") == {city_wide.pk, exposure_draft.pk}
    assert ids(city.hq, f"?period={last_week().end.isoformat()}&status=done") == ids(city.hq)
    assert ids(city.hq, "?status=failed") == set()
    # A district lead: city-wide reports and their own district's; an exposure only once published.
    assert ids(city.district_lead) == {city_wide.pk, district_a.pk}
    assert ids(city.other_district_lead) == {city_wide.pk, district_b.pk}
    assert ids(city.inspector) == set()
    services.report_publish(report=exposure_draft, by=city.hq)
    assert exposure_draft.pk in ids(city.unit_handler)


def test_a_report_out_of_scope_is_404(city, broker):
    district_b = done(city, district=city.district_b)
    assert client_for(city.district_lead).get(detail(district_b)).status_code == 404
    assert client_for(city.district_lead).get(reverse("report-download", args=[district_b.pk])).status_code == 404
    assert client_for(city.other_district_lead).get(detail(district_b)).status_code == 200


def test_the_list_costs_a_fixed_number_of_queries(city, broker, django_assert_max_num_queries):
    for district in (None, city.district_a, city.district_b):
        done(city, district=district)
        done(city, district=district, kind=ReportKind.MONTHLY_COMPARISON)
    client = client_for(city.hq)
    with django_assert_max_num_queries(4):  # session, user, count, page
        response = client.get(LIST)
    assert response.json()["count"] == 6


def test_download_gives_the_workbook(city, broker):
    found_last_week(city)
    report = done(city)
    response = client_for(city.team_lead).get(reverse("report-download", args=[report.pk]) + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook["Found"].cell(row=5, column=2).value == 1


def test_download_of_an_unfinished_report_is_404_in_json(city, broker):
    report = services.report_request(kind="weekly_assignment", period_start=last_week().start, requested_by=city.hq)
    response = client_for(city.hq).get(reverse("report-download", args=[report.pk]) + "?format=xlsx")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_hq_publishes_an_exposure_over_the_api(city, broker):
    exposure = done(city, kind=ReportKind.WEEKLY_EXPOSURE)
    url = reverse("report-publish", args=[exposure.pk])
    assert client_for(city.leader).post(url).status_code == 403
    assert client_for(city.district_lead).post(url).status_code == 404  # a draft: not visible to them
    response = client_for(city.hq).post(url)
    assert response.status_code == 200 and response.json()["published_at"]
    assert client_for(city.hq).post(url).status_code == 400  # already published
    weekly = done(city)
    assert client_for(city.hq).post(reverse("report-publish", args=[weekly.pk])).status_code == 400



def test_hq_publishes_a_monthly_comparison_over_the_api(city, broker):
    comparison = done(city, kind=ReportKind.MONTHLY_COMPARISON)
    url = reverse("report-publish", args=[comparison.pk])
    assert client_for(None).post(url).status_code == 401
    assert client_for(city.leader).post(url).status_code == 403
    assert client_for(city.district_lead).post(url).status_code == 404  # a draft: not visible to them
    response = client_for(city.hq).post(url)
    assert response.status_code == 200 and response.json()["published_at"]
    assert client_for(city.hq).post(url).status_code == 400  # already published
    assert client_for(city.district_lead).get(detail(comparison)).status_code == 200


def test_not_published_lists_the_drafts_of_the_kinds_hq_publishes(city, broker):
    exposure = done(city, kind=ReportKind.WEEKLY_EXPOSURE)
    comparison = done(city, kind=ReportKind.MONTHLY_COMPARISON)
    done(city)  # a weekly assignment is never published, so never waits for it

    def ids(query):
        return {row["id"] for row in client_for(city.hq).get(LIST + query).json()["results"]}

    assert ids("?published=no") == {exposure.pk, comparison.pk}
    services.report_publish(report=comparison, by=city.hq)
    assert ids("?published=no") == {exposure.pk}
    assert ids("?published=yes") == {comparison.pk}

def test_reports_are_read_only_over_the_api(city, broker):
    report = done(city)
    client = client_for(city.hq)
    assert client.patch(detail(report), {"status": "failed"}, format="json").status_code == 405
    assert client.delete(detail(report)).status_code == 405
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DONE
