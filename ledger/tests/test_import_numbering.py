"""Imports take their problem numbers in a short transaction of their own, so recording a
problem never waits for an import; the numbers of an import that wrote nothing are voided and
recorded (like voided invoice numbers), never handed out again."""

import datetime as dt
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.utils import timezone, translation

from campaign import jobs
from campaign.choices import ImportStatus
from ledger import services as ledger_services
from ledger.models import LedgerImport, Problem, ProblemCodeBlock
from ledger.services import problem_record
from ledger.tests.excel_helpers import ZH, ledger_row, xlsx_bytes
from ledger.transfer import services as transfer
from ledger.transfer.planning import build_plan


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def four_new_problems() -> bytes:
    """Four problems found in 2026 without a code: each gets a generated number."""
    return xlsx_bytes([ZH, *(ledger_row(description=f"问题{n}", found_on="2026-01-05") for n in range(4))])


def record_now(city, found_at=None) -> Problem:
    return problem_record(by=city.inspector, category=city.market, district=city.district_a,
                          description="新问题", source="routine", found_at=found_at)


IN_2026 = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_recording_a_problem_never_waits_for_an_import_that_is_writing(city, monkeypatch):
    record_now(city, IN_2026)  # the year's counter exists, as in a ledger in use
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="big.xlsx", data=four_new_problems())
    inside, release = threading.Event(), threading.Event()
    real = ledger_services._insert_recorded

    def pause_after_the_rows_are_in(*args, **kwargs):
        real(*args, **kwargs)
        if not inside.is_set():
            inside.set()
            release.wait(timeout=30)  # the import's transaction stays open meanwhile

    monkeypatch.setattr(ledger_services, "_insert_recorded", pause_after_the_rows_are_in)
    outcome = {}

    def run_import():
        try:
            outcome["import"] = transfer.ledger_import_confirm(user=city.hq, record=upload, run_now=True)
        finally:
            connection.close()

    importing = threading.Thread(target=run_import)
    importing.start()
    try:
        assert inside.wait(timeout=30), "the import never started writing"
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        started = time.monotonic()
        try:
            recorded = record_now(city, IN_2026)
        except OperationalError as error:
            pytest.fail(f"recording waited for the import's lock: {error}")
        waited = time.monotonic() - started
    finally:
        release.set()
        importing.join(timeout=60)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert waited < 3
    assert outcome["import"].status == ImportStatus.DONE
    imported = set(Problem.objects.filter(events__note__startswith="Imported from").values_list("code", flat=True))
    assert len(imported) == 4 and recorded.code not in imported
    assert recorded.code == "2026-000006"  # after the import's block 2026-000002 – 2026-000005


@pytest.mark.django_db
def test_a_failed_import_voids_its_numbers_and_the_next_problem_gets_the_number_after_them(city, monkeypatch):
    record_now(city, IN_2026)  # 2026-000001
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=four_new_problems())
    real = ledger_services.recording_event
    calls = []

    def fail_on_third(*args, **kwargs):  # the third row's event, once the rows are being written
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger_services, "recording_event", fail_on_third)

    failed = transfer.ledger_import_confirm(user=city.hq, record=upload)

    assert failed.status == ImportStatus.FAILED and Problem.objects.count() == 1
    gap = ProblemCodeBlock.objects.get()
    assert (gap.year, gap.first, gap.last, gap.ledger_import_id) == (2026, 2, 5, upload.pk)
    assert gap.voided_at is not None and gap.void_reason == failed.failure
    assert gap.codes == "2026-000002 – 2026-000005"
    assert record_now(city, IN_2026).code == "2026-000006"


@pytest.mark.django_db
def test_a_done_import_keeps_its_numbers_and_voids_none(city):
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=four_new_problems())

    transfer.ledger_import_confirm(user=city.hq, record=upload)

    block = ProblemCodeBlock.objects.get()
    assert (block.first, block.last, block.voided_at) == (1, 4, None)
    assert sorted(Problem.objects.values_list("code", flat=True)) == [f"2026-00000{n}" for n in range(1, 5)]


@pytest.mark.django_db
def test_numbers_reserved_by_a_worker_that_stopped_are_voided_when_the_job_is_taken_over(city, settings):
    settings.JOB_LEASE_SECONDS = 600
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=four_new_problems())
    LedgerImport.objects.filter(pk=upload.pk).update(status=ImportStatus.QUEUED)
    # The first worker claims the job, reserves its numbers, and dies before writing.
    claim = jobs.job_claim(LedgerImport, upload.pk)
    plan = build_plan(four_new_problems(), user=city.hq)
    transfer.import_numbers_reserve(plan=plan, import_id=upload.pk, claim=claim)
    LedgerImport.objects.filter(pk=upload.pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=11))

    done = transfer.ledger_import_run(import_id=upload.pk)

    assert done.status == ImportStatus.DONE and done.attempts == 2
    voided, used = ProblemCodeBlock.objects.order_by("first")
    assert (voided.first, voided.last, used.first, used.last) == (1, 4, 5, 8)
    assert voided.voided_at is not None and "took the job over" in voided.void_reason
    assert used.voided_at is None
    assert sorted(Problem.objects.values_list("code", flat=True)) == [f"2026-00000{n}" for n in range(5, 9)]


@pytest.mark.django_db
def test_a_worker_that_was_taken_over_reserves_no_numbers(city, settings):
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=four_new_problems())
    LedgerImport.objects.filter(pk=upload.pk).update(status=ImportStatus.QUEUED)
    stale = jobs.job_claim(LedgerImport, upload.pk)
    LedgerImport.objects.filter(pk=upload.pk).update(claim=None)  # another worker has it now

    with pytest.raises(jobs.JobTakenOver):
        transfer.import_numbers_reserve(plan=build_plan(four_new_problems(), user=city.hq), import_id=upload.pk,
                                        claim=stale)
    assert not ProblemCodeBlock.objects.exists()


@pytest.mark.django_db
def test_hq_reads_the_voided_numbers_on_the_import_page_and_in_the_admin(city, login, monkeypatch):
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=four_new_problems())
    monkeypatch.setattr(ledger_services, "_insert_recorded", lambda *args, **kwargs: 1 / 0)
    transfer.ledger_import_confirm(user=city.hq, record=upload)
    client = login(city.hq)

    page = " ".join(client.get(f"/ledger/problems/import/{upload.pk}/").content.decode().split())
    assert "reserved for this import and voided (skipped, never used): 2026-000001 – 2026-000004" in page
    listing = client.get("/admin/ledger/problemcodeblock/?voided_at__isnull=False").content.decode()
    assert "2026-000001 – 2026-000004" in listing and "An unexpected error stopped the import" in listing
    assert login(city.district_lead).get("/admin/ledger/problemcodeblock/").status_code != 200


@pytest.mark.django_db
def test_the_numbers_of_an_import_given_up_by_the_sweep_are_voided(city, settings, monkeypatch):
    from ledger import tasks

    settings.JOB_LEASE_SECONDS, settings.JOB_MAX_ATTEMPTS = 600, 1
    monkeypatch.setattr(tasks.ledger_import_run, "delay", lambda job_id: pytest.fail("sent again"))
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=four_new_problems())
    LedgerImport.objects.filter(pk=upload.pk).update(status=ImportStatus.QUEUED)
    claim = jobs.job_claim(LedgerImport, upload.pk)
    transfer.import_numbers_reserve(plan=build_plan(four_new_problems(), user=city.hq), import_id=upload.pk,
                                    claim=claim)
    LedgerImport.objects.filter(pk=upload.pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=11))

    tasks.ledger_jobs_sweep()

    block = ProblemCodeBlock.objects.get()
    assert LedgerImport.objects.get(pk=upload.pk).status == ImportStatus.FAILED
    assert block.voided_at is not None and block.void_reason == "The import failed: its workers stopped too often."
