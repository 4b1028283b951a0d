"""The demo city's reports, the last step of ``manage.py seed_demo`` (registered in apps.py):
the last finished period of every kind, produced at once (as the Monday worker would), and the
kinds HQ publishes published by the demo's HQ account, so the public red and black list
(/public/) and the dashboard show something on a fresh `make run`."""

from django.contrib.auth import get_user_model

from campaign.demo_steps import DemoReport

from .choices import ReportStatus
from .kinds import get_kind, kind_keys, publishes
from .services import report_publish, report_request_last_finished, report_run

DEMO_HQ_USERNAME = "hq"


def demo_reports_step() -> DemoReport:
    hq = get_user_model().objects.filter(username=DEMO_HQ_USERNAME, is_active=True).first()
    made, published = [], []
    for kind in kind_keys():
        report = report_request_last_finished(kind=kind)
        if report.status != ReportStatus.DONE:
            report = report_run(report_id=report.pk)
            made.append(get_kind(kind).label)
        if hq is not None and publishes(kind) and report.status == ReportStatus.DONE and report.published_at is None:
            report_publish(report=report, by=hq)
            published.append(get_kind(kind).label)
    details = tuple(f"published: {label}" for label in published)
    return DemoReport(f"Reports of the last finished periods made ({len(made)}) in {{seconds:.1f}} s.",
                      wrote=bool(made or published), details=details)
