"""Fixtures of the engine's tests (test_engine_*, test_api*, test_pages* import the *_fixture
names): a small fake report kind in place of the real ones, a broker that records or refuses what is sent,
and files under the test's tmp_path."""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as BrokerOperationalError

from ledger.tests.factories import record
from reports import tasks
from reports.choices import ReportKind
from reports.periods import last_finished

FOUND_KIND = "reports.tests.found_kind"
TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(name="fake_kinds")
def fake_kinds_fixture(monkeypatch, settings):
    """Every kind computed by reports/tests/found_kind.py, rendered by its test template."""
    from reports import kinds

    monkeypatch.setattr(kinds, "_KINDS", {key: dataclasses.replace(kind, module=FOUND_KIND)
                                          for key, kind in kinds.registry().items()})
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates


@pytest.fixture(name="media", autouse=True)
def media_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(name="english", autouse=True)
def english_fixture():
    """Service tests read the English messages (pages pick their language per request)."""
    with translation.override("en"):
        yield


class FakeBroker:
    """Stands in for the broker: records the report jobs published, or refuses them like an
    unreachable Redis when ``down``."""

    def __init__(self):
        self.down = False
        self.sent: list[int] = []

    def apply_async(self, args=(), queue=None, **options):
        if self.down:
            raise BrokerOperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")
        self.sent.append(args[0])


@pytest.fixture(name="broker")
def broker_fixture(monkeypatch):
    fake = FakeBroker()
    monkeypatch.setattr(tasks.report_run, "apply_async", fake.apply_async)
    return fake


def last_week():
    return last_finished(ReportKind.WEEKLY_ASSIGNMENT)


def found_last_week(city, *, point=None, days_in: int = 2):
    """A problem found in the middle of last week (Asia/Shanghai)."""
    week = last_week()
    at = week.starts_at + dt.timedelta(days=days_in, hours=10)
    assert at < timezone.now()
    return record(city, point=point, found_at=at)
