"""Ledger imports and exports whose worker died are sent again by the sweep, then failed."""

import datetime as dt

import pytest
from django.utils import timezone

from campaign.choices import ImportStatus
from ledger import tasks
from ledger.models import LedgerExport


@pytest.fixture
def abandoned_export(city, settings):
    settings.JOB_LEASE_SECONDS = 600
    settings.JOB_MAX_ATTEMPTS = 2
    return LedgerExport.objects.create(
        requested_by=city.hq, status=ImportStatus.RUNNING, attempts=1,
        claimed_at=timezone.now() - dt.timedelta(minutes=11),
    )


def test_the_sweep_sends_an_abandoned_export_again_and_its_run_finishes_it(abandoned_export, monkeypatch, settings,
                                                                          tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sent = []
    monkeypatch.setattr(tasks.ledger_export_run, "delay", sent.append)
    monkeypatch.setattr(tasks.ledger_import_run, "delay", sent.append)

    assert tasks.ledger_jobs_sweep() == 1
    assert sent == [abandoned_export.pk]
    assert tasks.ledger_export_run(abandoned_export.pk) == ImportStatus.DONE
    abandoned_export.refresh_from_db()
    assert abandoned_export.attempts == 2
    assert abandoned_export.file.name.endswith(".xlsx")


def test_the_sweep_fails_an_export_its_workers_died_on_too_often(abandoned_export, monkeypatch):
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda job_id: pytest.fail("sent again"))
    LedgerExport.objects.filter(pk=abandoned_export.pk).update(attempts=2)

    assert tasks.ledger_jobs_sweep() == 0
    abandoned_export.refresh_from_db()
    assert abandoned_export.status == ImportStatus.FAILED
    assert abandoned_export.finished_at is not None


def test_a_live_export_is_not_touched(abandoned_export, monkeypatch):
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda job_id: pytest.fail("sent again"))
    LedgerExport.objects.filter(pk=abandoned_export.pk).update(claimed_at=timezone.now())

    assert tasks.ledger_jobs_sweep() == 0
    assert tasks.ledger_export_run(abandoned_export.pk) == ImportStatus.RUNNING
