"""The daily fingerprint anchors the chain heads outside the database: a history cut short or
re-chained after it is caught, events appended later keep it intact (defect 12 of issue 8)."""

import datetime
import os
import stat

import pytest
from django.core.management import call_command
from django.utils import timezone

from ledger import services
from ledger.choices import Status
from ledger.fingerprints import (
    chain_heads,
    digest_of,
    fingerprint_take,
    latest_fingerprint,
    read_fingerprint,
)
from ledger.integrity import ledger_findings
from ledger.models import LedgerFingerprint, Problem
from ledger.tests.factories import problem_in, record
from ledger.tests.test_integrity import rechain, tamper, verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LEDGER_FINGERPRINT_DIR = tmp_path / "fingerprints"
    return tmp_path / "fingerprints"


def at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 9, day, 0, 15))


def test_fingerprint_is_taken_once_a_day_into_a_read_only_file_and_the_table(city, storage, capsys):
    problems = [problem_in(city, Status.CLOSED), record(city)]

    call_command("ledger_fingerprint")

    kept = LedgerFingerprint.objects.get()
    path = storage / kept.file_name
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    written = read_fingerprint(path)
    assert written.digest == kept.digest == digest_of(chain_heads()) and kept.problems == 2
    assert written.rows == tuple(sorted((p.pk, p.events.count(), p.events.latest("seq").hash) for p in problems))
    assert kept.digest in capsys.readouterr().out
    content = path.read_bytes()

    services.problem_record_rebound(original=problems[0], by=city.inspector)  # the chains move on
    again = fingerprint_take()

    assert again.pk == kept.pk and path.read_bytes() == content  # never overwritten
    assert [p.name for p in storage.iterdir()] == [path.name]


def test_appending_events_after_a_fingerprint_keeps_the_ledger_intact(city, capsys):
    """New steps, new problems and an import with historical times all extend the chains the
    fingerprint saw; verify_ledger checks against it and finds the ledger intact."""
    assigned = problem_in(city, Status.ASSIGNED)
    fingerprint_take(now=at(17))
    services.problem_acknowledge(problem=assigned, by=city.unit_handler)
    record(city, found_at=at(1))  # recorded today, found weeks ago
    fingerprint_take(now=at(18))
    problem_in(city, Status.INVALID)

    intact, out, _err = verify(capsys)

    assert intact
    assert "Checked against 2 fingerprints, the newest of 2026-09-18" in out
    assert "The ledger is intact: 3 problems" in out


@pytest.mark.postgres
def test_verify_ledger_detects_events_truncated_after_a_fingerprint(city, capsys):
    """The last steps of a closed problem removed, and its row set back to match: the chain and
    the row agree, only the fingerprint still knows the history was longer."""
    problem = problem_in(city, Status.CLOSED)
    fingerprint_take(now=at(17))
    approve = problem.events.get(action="approve")
    applied = problem.events.get(action="apply_close")
    tamper("DELETE FROM ledger_problemevent WHERE id = %s", [approve.pk])
    Problem.objects.filter(pk=problem.pk).update(status=Status.CLOSING_APPLIED, closed_at=None,
                                                 version=applied.seq, last_event_hash=applied.hash)
    assert ledger_findings() == []  # without the anchor, nothing shows

    intact, _out, err = verify(capsys)

    assert not intact
    assert f"{problem.code}: events after 4 were removed since the fingerprint of 2026-09-17 (it saw 5)" in err


@pytest.mark.postgres
def test_verify_ledger_detects_an_old_event_rehashed_after_a_fingerprint(city, capsys):
    """Even someone holding the key, who rewrites an old event and re-chains it keyed, is caught
    by a fingerprint taken before."""
    problem = problem_in(city, Status.CLOSED)
    other = problem_in(city, Status.FOUND)
    fingerprint_take(now=at(17))

    def softer(event):
        if event.action == "assign":
            event.note = "宽限"

    rechain(problem, change=softer)
    assert ledger_findings() == []

    intact, _out, err = verify(capsys)

    assert not intact
    assert f"{problem.code}: the history up to event 5 differs from the fingerprint of 2026-09-17" in err
    assert other.code not in err


@pytest.mark.postgres
def test_verify_ledger_until_the_backup_day_checks_a_restored_ledger(city, capsys):
    """A ledger restored from the backup of the 17th lacks what the 18th's fingerprint saw:
    checked up to the backup's day it is intact, checked against all it is not."""
    problem = problem_in(city, Status.RECTIFYING)
    fingerprint_take(now=at(17))
    later = services.problem_invalidate(problem=problem, reason="不属于", by=city.hq)
    fingerprint_take(now=at(18))
    invalidate = later.events.get(action="invalidate")
    tamper("DELETE FROM ledger_problemevent WHERE id = %s", [invalidate.pk])  # as it stood on the 17th
    before = later.events.order_by("-seq").first()
    Problem.objects.filter(pk=problem.pk).update(status=Status.RECTIFYING, invalid_reason="", version=before.seq,
                                                 last_event_hash=before.hash)

    assert not verify(capsys)[0]
    intact, out, _err = verify(capsys, "--until", "2026-09-17")
    assert intact and "Checked against 1 fingerprints, the newest of 2026-09-17" in out


def test_a_fingerprint_changed_in_its_file_or_in_the_table_is_reported(city, storage, capsys):
    problem_in(city, Status.ASSIGNED)
    kept = fingerprint_take(now=at(17))
    path = storage / kept.file_name
    LedgerFingerprint.objects.filter(pk=kept.pk).update(digest="0" * 64)

    intact, _out, err = verify(capsys)
    assert not intact and "the fingerprint of 2026-09-17 in the database differs from its file" in err

    LedgerFingerprint.objects.filter(pk=kept.pk).update(digest=kept.digest)
    path.chmod(0o644)
    lines = path.read_text().splitlines()
    lines[-1] = lines[-1][:-1] + ("0" if lines[-1][-1] != "0" else "1")
    path.write_text("\n".join(lines) + "\n")

    intact, _out, err = verify(capsys)
    assert not intact and "the fingerprint file of 2026-09-17 does not give its own digest" in err

    path.rename(storage / "ledger-fingerprint-2026-09-20.txt")  # passed off as a later day's
    intact, _out, err = verify(capsys)
    assert not intact and "ledger-fingerprint-2026-09-20.txt holds the fingerprint of 2026-09-17" in err


def test_the_newest_fingerprint_is_what_reports_print(city):
    assert latest_fingerprint() is None
    problem_in(city, Status.FOUND)
    fingerprint_take(now=at(17))
    newest = fingerprint_take(now=at(18))
    assert latest_fingerprint() == {"day": "2026-09-18", "digest": newest.digest, "problems": 1}


def test_the_beat_takes_the_fingerprint_daily(city, settings):
    from ledger.tasks import ledger_fingerprint_take

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == ledger_fingerprint_take.name)
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {15}
    problem_in(city, Status.FOUND)
    assert ledger_fingerprint_take() == LedgerFingerprint.objects.get(day=timezone.localdate()).digest
