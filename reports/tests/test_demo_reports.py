"""The demo's reports step: the last finished periods made at once, HQ's kinds published, so
a fresh `make run` shows the public red and black list."""

import pytest

from ledger.tests.factories import problem_in
from reports.choices import ReportStatus
from reports.demo import demo_reports_step
from reports.kinds import kind_keys, publishes
from reports.models import Report

pytestmark = pytest.mark.django_db


def test_the_step_makes_every_kind_and_publishes_what_hq_publishes_once(city, client):
    problem_in(city, "assigned")
    first = demo_reports_step()
    assert first.wrote
    reports = {report.kind: report for report in Report.objects.all()}
    assert set(reports) == set(kind_keys())
    for kind, report in reports.items():
        assert report.status == ReportStatus.DONE
        assert (report.published_at is not None) == publishes(kind)
        if publishes(kind):
            assert report.published_by == city.hq
    again = demo_reports_step()
    assert not again.wrote and Report.objects.count() == len(kind_keys())
    page = client.get("/public/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert "public-no-exposure" not in body and "public-no-comparison" not in body
