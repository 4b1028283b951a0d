"""Importing a ledger: preview writes nothing, bad files write nothing and say row and column,
every imported problem has a whole history, and an export imports back to the same ledger."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from campaign.choices import ImportStatus
from ledger import services as ledger_services
from ledger.choices import Status
from ledger.integrity import ledger_findings
from ledger.models import LedgerImport, Problem, ProblemCounter
from ledger.services import problem_record
from ledger.tests.excel_helpers import EN, ZH, ledger_row, read_rows, xlsx_bytes
from ledger.tests.factories import problem_in, record
from ledger.transfer import services as transfer
from ledger.transfer.export import write_ledger
from ledger.transfer.planning import build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def five_rows(changes_by_row=None):
    """A header and four problems (rows 2-5), with changes to some rows: {5: {"deadline": "x"}}."""
    rows = [ZH]
    for number in range(2, 6):
        rows.append(ledger_row(**{"description": f"问题{number}", **(changes_by_row or {}).get(number, {})}))
    return xlsx_bytes(rows)


def test_preview_of_a_good_file_writes_no_problem(city):
    record_, plan = transfer.ledger_import_preview(user=city.hq, file_name="台账.xlsx", data=five_rows())

    assert plan.errors == []
    assert plan.summary()["to_create"] == 4
    assert record_.status == ImportStatus.PREVIEWED
    assert Problem.objects.count() == 0


def test_confirming_writes_every_row_with_a_history_that_verifies(city):
    data = xlsx_bytes([EN,
                       ledger_row(code="OLD-1", status="Closed", responsible_unit="甲街道办", deadline="2026-01-12",
                                  closed_on="2026-01-10", rectification="已清理"),
                       ledger_row(status="整改中", responsible_unit="甲街道办", district="District A", severity="严重"),
                       ledger_row(status="无效", rectification="重复举报")])
    record_, plan = transfer.ledger_import_preview(user=city.hq, file_name="old.xlsx", data=data)
    assert plan.errors == []

    done = transfer.ledger_import_confirm(user=city.hq, record=record_)

    assert done.status == ImportStatus.DONE and done.created_count == 3
    closed = Problem.objects.get(code="OLD-1")
    assert closed.status == Status.CLOSED
    assert timezone.localtime(closed.closed_at).date() == date(2026, 1, 10)
    assert closed.rectification_note == "已清理"
    event = closed.events.get()
    assert (event.action, event.from_status, event.to_status) == ("record", "", "closed")
    assert event.note == "Imported from old.xlsx, row 2."
    assert event.data["imported"]["row"] == 2
    rectifying = Problem.objects.get(status=Status.RECTIFYING)
    assert rectifying.district == city.district_a and rectifying.severity == "serious"
    assert rectifying.deadline == date(2026, 1, 8)  # the serious default (3 days) from the found date
    assert Problem.objects.get(status=Status.INVALID).invalid_reason == "重复举报"
    assert list(ledger_findings()) == []


def test_bad_date_at_row_5_in_the_deadline_column_writes_nothing_and_says_where(city):
    data = five_rows({5: {"deadline": "next friday", "status": "已交办", "responsible_unit": "甲街道办"}})

    _record, plan = transfer.ledger_import_preview(user=city.hq, file_name="bad.xlsx", data=data)

    assert [(e["row"], e["column"], e["value"]) for e in plan.errors] == [(5, "整改时限", "next friday")]
    with pytest.raises(transfer.ImportStateError):
        transfer.ledger_import_confirm(user=city.hq, record=_record)
    assert Problem.objects.count() == 0


@pytest.mark.parametrize(("column", "value", "header"), [
    ("district", "丙区", "区县"),
    ("category", "游乐场", "类别"),
    ("responsible_unit", "不存在的单位", "责任单位"),
    ("status", "差不多好了", "状态"),
    ("source", "听说", "来源"),
    ("found_on", "2026-13-40", "发现日期"),
    ("sample_point", "乙农贸市场", "样本点"),  # a point of another district
])
def test_an_unknown_value_is_reported_by_row_and_column_and_nothing_is_written(city, column, value, header):
    data = five_rows({3: {column: value}})

    _record, plan = transfer.ledger_import_preview(user=city.hq, file_name="bad.xlsx", data=data)

    assert [(e["row"], e["column"], e["value"]) for e in plan.errors] == [(3, header, value)]
    assert Problem.objects.count() == 0


def test_every_bad_row_is_reported_not_only_the_first(city):
    data = five_rows({2: {"district": "丙区"}, 4: {"description": ""}, 5: {"status": "已销号"}})

    plan = build_plan(data, user=city.hq)

    assert sorted((e["row"], e["column"]) for e in plan.errors) == [
        (2, "区县"), (4, "问题描述"), (5, "责任单位"), (5, "销号日期"),
    ]


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    b"PK\x03\x04 not really a zip",
    b"",
    b"just some words, not a ledger\nand more\n",
])
def test_a_file_that_is_not_a_ledger_is_refused_and_nothing_is_written(city, data):
    record_, plan = transfer.ledger_import_preview(user=city.hq, file_name="ledger.xlsx", data=data)

    assert plan.errors and plan.errors[0]["message"]
    assert record_.errors == plan.errors
    with pytest.raises(transfer.ImportStateError):
        transfer.ledger_import_confirm(user=city.hq, record=record_)
    assert Problem.objects.count() == 0


def test_a_failure_while_writing_rolls_back_every_row(city, monkeypatch):
    data = five_rows()
    record_, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=data)
    real = ledger_services.recording_event
    calls = []

    def fail_on_third(*args, **kwargs):  # the third row's event, once the rows are being written
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger_services, "recording_event", fail_on_third)

    done = transfer.ledger_import_confirm(user=city.hq, record=record_)

    assert done.status == ImportStatus.FAILED
    assert Problem.objects.count() == 0


def test_only_hq_staff_import(city):
    for user in (city.leader, city.district_lead, city.unit_handler, city.inspector):
        with pytest.raises(transfer.LedgerForbidden):
            transfer.ledger_import_preview(user=user, file_name="x.xlsx", data=five_rows())
    assert LedgerImport.objects.count() == 0


def test_a_kept_code_in_the_generated_form_never_collides_with_later_recordings(city):
    data = xlsx_bytes([ZH, ledger_row(code="2026-000050", found_on="2026-01-05")])
    record_, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=data)
    transfer.ledger_import_confirm(user=city.hq, record=record_)

    assert ProblemCounter.objects.get(year=2026).last >= 50
    later = problem_record(by=city.inspector, category=city.market, district=city.district_a,
                           description="新问题", source="routine")
    assert later.code != "2026-000050"


def test_export_then_import_round_trips(city):
    problem_in(city, Status.CLOSED)
    problem_in(city, Status.RECTIFYING)
    record(city, point=city.points_b[1], severity="urgent", address="乙路 8 号")
    problem_in(city, Status.INVALID)
    original = read_rows(_export(city))

    # Importing the export again changes nothing: every code is already in the ledger.
    plan = build_plan(_export(city), user=city.hq)
    assert plan.errors == [] and plan.problems == [] and plan.already_present == 4

    # Without the codes (a copy into a ledger that lacks them), the same problems come back.
    without_codes = [original[0]] + [[row[0], None, *row[2:]] for row in original[1:]]
    record_, plan = transfer.ledger_import_preview(user=city.hq, file_name="copy.xlsx", data=xlsx_bytes(without_codes))
    assert plan.errors == []
    transfer.ledger_import_confirm(user=city.hq, record=record_)
    new_codes = set(Problem.objects.filter(events__note__startswith="Imported from copy.xlsx").values_list("code", flat=True))
    copied = read_rows(_export(city, Problem.objects.filter(code__in=new_codes)))

    def comparable(rows):
        return sorted(tuple("" if value is None else str(value) for value in row[2:]) for row in rows[1:])

    assert copied[0] == original[0]
    assert comparable(copied) == comparable(original)
    assert list(ledger_findings()) == []


def _export(city, queryset=None) -> bytes:
    import io

    buffer = io.BytesIO()
    write_ledger(queryset if queryset is not None else Problem.objects.order_by("-found_at", "-id"), buffer,
                 language="en")
    return buffer.getvalue()


def test_import_ledger_command_dry_run_writes_nothing_and_a_real_run_writes(city, tmp_path, capsys):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(five_rows())

    call_command("import_ledger", str(path), "--dry-run", "--user", "hq")
    assert Problem.objects.count() == 0
    call_command("import_ledger", str(path), "--user", "hq")
    assert Problem.objects.count() == 4
    assert "4 problems imported" in capsys.readouterr().out


def test_import_ledger_command_reports_errors_and_refuses_non_hq(city, tmp_path, capsys):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(five_rows({5: {"deadline": "soon"}}))

    with pytest.raises(CommandError, match="1 errors"):
        call_command("import_ledger", str(path), "--user", "hq")
    assert "row 5, 整改时限 (soon)" in capsys.readouterr().err
    with pytest.raises(CommandError, match="not HQ staff"):
        call_command("import_ledger", str(path), "--user", "district_lead")
    assert Problem.objects.count() == 0


def test_a_large_import_is_queued_and_the_task_writes_it_once(city, settings, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    from ledger import tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    queued = []
    monkeypatch.setattr(tasks.ledger_import_run, "delay", lambda import_id: queued.append(import_id))
    record_, _plan = transfer.ledger_import_preview(user=city.hq, file_name="big.xlsx", data=five_rows(),
                                                    run_now=True)

    with django_capture_on_commit_callbacks(execute=True):
        waiting = transfer.ledger_import_confirm(user=city.hq, record=record_)
    assert waiting.status == ImportStatus.QUEUED and queued == [record_.pk]
    assert Problem.objects.count() == 0

    assert tasks.ledger_import_run(record_.pk) == ImportStatus.DONE
    assert tasks.ledger_import_run(record_.pk) == ImportStatus.DONE  # delivered twice: written once
    record_.refresh_from_db()
    assert (record_.created_count, record_.progress_percent) == (4, 100)
    assert Problem.objects.count() == 4
