"""The engine with the real kinds: each report is produced, rendered for HQ and for a district
lead (lists narrowed to their scope), and its workbook opens with the cover first."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports import services
from reports.choices import ReportStatus
from reports.kinds import kind_keys, publishes
from reports.periods import last_finished

from .engine_support import broker_fixture, found_last_week, media_fixture  # noqa: F401 - fixtures


@pytest.mark.parametrize("kind", kind_keys())  # every kind of the registry (reports/kinds)
def test_each_real_kind_is_produced_rendered_and_exported(city, login, broker, kind):
    found_last_week(city)
    found_last_week(city, point=city.points_b[0])
    report = services.report_request(kind=kind, period_start=last_finished(kind).start, requested_by=city.hq)
    report = services.report_run(report_id=report.pk)
    assert report.status == ReportStatus.DONE, report.failure

    workbook = load_workbook(io.BytesIO(report.workbook.read()))
    assert len(workbook.sheetnames) >= 2
    assert any(report.period.label in str(cell) for row in workbook.worksheets[0].iter_rows(values_only=True)
               for cell in row)

    if publishes(kind):  # a draft is for HQ and leaders only
        services.report_publish(report=report, by=city.hq)
    url = reverse("reports:report_detail", args=[report.pk])
    for user in (city.hq, city.district_lead, city.team_lead, city.unit_handler):
        page = login(user).get(url)
        assert page.status_code == 200
        assert 'id="report-body"' in page.content.decode()
