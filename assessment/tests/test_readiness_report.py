"""The readiness report kind (reports/kinds/readiness.py): requested, computed by the report
engine as of the week's end, rendered as its A4 page, written to Excel with native charts,
narrowed for a district lead, and linked from the leaders' dashboard."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from ledger.tests.api_support import client_for
from reports import kinds, services
from reports.choices import ReportStatus
from reports.models import Report
from reports.periods import last_finished
from reports.selectors import report_data_for
from reports.workbook import build_workbook

from .readiness_support import checklists, history, places

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def language_restored():
    """Pages asked for in English switch the thread's language: put it back afterwards."""
    with translation.override(translation.get_language()):
        yield
KIND = "readiness"


@pytest.fixture
def town(city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    checklists(city)
    city.markets = places(city, city.market, 5)
    city.restaurants_b = places(city, city.restaurant, 4, district=city.district_b)
    history(city, city.markets, ok_every=1, weeks=4)
    history(city, city.restaurants_b[1:], ok_every=0, weeks=4)
    history(city, city.restaurants_b[:1], ok_every=1, weeks=4)
    return city


def produce(city) -> Report:
    week = last_finished(KIND)
    response = client_for(city.hq).post("/api/reports/", {"kind": KIND, "period_start": week.start.isoformat()},
                                        format="json")
    assert response.status_code == 202, response.content
    report = services.report_run(report_id=response.json()["id"])
    assert report.status == ReportStatus.DONE, report.failure
    return report


def test_readiness_is_a_weekly_kind_of_the_registry():
    kind = kinds.get_kind(KIND)
    assert kind.period == "week" and KIND in kinds.kinds_of_period("week") and kind.dashboard_template


def test_the_engine_computes_it_as_of_the_week_s_end(town, client):
    report = produce(town)
    data = report.data
    week = last_finished(KIND)
    assert data["as_of"] == week.end.isoformat() and data["period"]["label"] == week.label
    rows = {row["category_id"]: row for row in data["categories"]}
    assert rows[town.market.pk]["readiness"] > 0.6 > 0.2 > rows[town.restaurant.pk]["readiness"]
    assert data["lowest"][0]["category_id"] == town.restaurant.pk
    # Computed again later, the same figures (snapshot of the week's end, seeded simulation).
    again = produce(town)
    assert again.version == report.version + 1 and again.data == data
    client.force_login(town.leader)
    html = client.get(f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "report-readiness" in html and html.count('data-test="readiness-row"') == len(data["categories"])


def test_the_workbook_has_native_charts(town):
    report = produce(town)
    workbook = load_workbook(io.BytesIO(build_workbook(report, language="en")))
    sheets = {name: workbook[name] for name in workbook.sheetnames}
    assert {"Readiness by category", "Readiness trend", "Parts of the standard"} <= set(sheets)
    assert sheets["Readiness by category"]._charts and sheets["Readiness trend"]._charts
    values = [row for row in sheets["Readiness by category"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert len(values) == len(report.data["categories"])


def test_a_district_lead_reads_the_drag_places_of_their_district_only(town):
    report = produce(town)
    narrowed = report_data_for(report=report, user=town.district_lead)
    assert all(place["district_id"] == town.district_a.pk
               for row in narrowed["categories"] for place in row["drag"])
    whole = report_data_for(report=report, user=town.hq)
    assert any(place["district_id"] == town.district_b.pk for row in whole["categories"] for place in row["drag"])


def test_the_leaders_dashboard_links_to_it(town, client):
    report = produce(town)
    client.force_login(town.leader)
    html = client.get("/reports/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/reports/{report.pk}/"' in html and 'href="/assessment/readiness/"' in html
