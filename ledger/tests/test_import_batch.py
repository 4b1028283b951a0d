"""Imports record their problems in one batch (issue 13): the same rules, fields, events and hash
chain as recording them one by one, all or nothing, a constant number of statements whatever the
number of rows, and codes that never collide with recordings made meanwhile."""

import threading
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from campaign.choices import ImportStatus
from campaign.models import GridBoundary
from ledger import services
from ledger.choices import Severity, Source
from ledger.integrity import STATE_FIELDS, ledger_findings, problem_fields
from ledger.models import Problem, ProblemEvent
from ledger.tests.excel_helpers import ZH, ledger_row, xlsx_bytes
from ledger.transfer import services as transfer
from ledger.transfer.planning import build_plan

FOUND = timezone.make_aware(datetime(2026, 2, 3, 10, 30))


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def grid_a_boundary(city):
    """Grid A covers the square around (30.91, 121.46): a problem there without a point gets it."""
    GridBoundary.objects.create(grid=city.grid_a, south=30.90, west=121.45, north=30.92, east=121.47,
                                geometry={"type": "Polygon", "coordinates": [[[121.45, 30.90], [121.47, 30.90],
                                                                              [121.47, 30.92], [121.45, 30.92],
                                                                              [121.45, 30.90]]]})


def recordings_of(city) -> list[dict]:
    """problem_record's arguments for rows of every kind: a point giving everything, a point
    with a unit and address of its own, a district only, coordinates in a grid's boundary (of the
    district and of another one), an explicit grid and road."""
    return [
        {"category": city.market, "sample_point": city.points_a[0], "description": " 活禽宰杀区未封闭 ",
         "source": Source.UNANNOUNCED_VISIT, "found_at": FOUND},
        {"category": city.market, "sample_point": city.points_a[0], "description": "地面积水",
         "source": Source.ROUTINE_SUPERVISION, "severity": Severity.SERIOUS, "responsible_unit": city.office_b,
         "address": "甲路 1 号", "found_at": FOUND, "source_ref": "暗访-7"},
        {"category": city.standard, "district": city.district_b, "description": "垃圾满溢",
         "source": Source.PUBLIC_REPORT, "found_at": FOUND},
        {"category": city.standard, "district": city.district_a, "latitude": Decimal("30.910000"),
         "longitude": Decimal("121.460000"), "description": "路面破损", "source": Source.SELF_FOUND,
         "found_at": FOUND},
        {"category": city.standard, "district": city.district_b, "latitude": "30.91", "longitude": "121.46",
         "description": "乱堆放", "source": Source.MEDIA, "severity": Severity.URGENT, "found_at": FOUND},
        {"category": city.standard, "district": city.district_a, "grid": city.grid_a, "road": city.road_a,
         "description": "占道经营", "source": Source.LEADER_VISIT, "found_at": FOUND},
    ]


def comparable(problem: Problem) -> tuple[dict, list[dict]]:
    """A problem's fields and events as they would be for any code and id."""
    problem.refresh_from_db()
    fields = {name: value for name, value in problem_fields(problem).items() if name != "code"}
    assert set(fields) == {field.name for field in STATE_FIELDS} - {"code"}
    events = []
    for event in problem.events.order_by("seq"):
        data = dict(event.data)
        data["fields"] = {name: value for name, value in data["fields"].items() if name != "code"}
        events.append({"seq": event.seq, "action": event.action, "from": event.from_status, "to": event.to_status,
                       "actor": event.actor_id, "at": event.at, "note": event.note, "data": data,
                       "prev_hash": event.prev_hash, "scheme": event.hash_scheme})
    return fields, events


@pytest.mark.django_db
def test_a_batch_writes_what_as_many_single_recordings_write(city):
    grid_a_boundary(city)
    rows = recordings_of(city)
    singles = [services.problem_record(by=city.hq, **row) for row in rows]

    batch = services.problems_record_batch(by=city.hq, recordings=[
        services.Recording(fields=row, code=f"B-{n}") for n, row in enumerate(rows)])

    assert [comparable(one) for one in batch] == [comparable(one) for one in singles]
    assert batch[3].grid == city.grid_a and batch[4].grid is None  # located as a single recording locates
    assert (batch[0].team, batch[0].responsible_unit, batch[0].description) == (city.team, city.office_a, "活禽宰杀区未封闭")
    assert batch[1].responsible_unit == city.office_b
    for problem in batch:
        problem.refresh_from_db()
        event = problem.events.get()
        assert problem.last_event_hash == event.hash == event.compute_hash() and problem.version == 1
        assert event.data["fields"]["code"] == problem.code
    assert ledger_findings() == []


@pytest.mark.django_db
def test_a_batch_refuses_what_a_single_recording_refuses(city):
    rows = recordings_of(city)
    with pytest.raises(services.LedgerForbidden):
        services.problems_record_batch(by=city.unit_handler, recordings=[services.Recording(fields=rows[0], code="X")])
    # The inspector records in district A only: B's row is out of scope, and nothing is written.
    with pytest.raises(services.OutOfScope):
        services.problems_record_batch(by=city.inspector, recordings=[
            services.Recording(fields=row, code=f"X-{n}") for n, row in enumerate(rows[:3])])
    assert Problem.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_row_in_the_middle_of_a_batch_writes_nothing_and_names_its_row(city):
    rows = recordings_of(city)
    rows[2] = {**rows[2], "description": "   "}

    with pytest.raises(services.LedgerInvalid) as refused:
        services.problems_record_batch(by=city.hq, recordings=[
            services.Recording(fields=row, code=f"X-{n}", row=n + 2) for n, row in enumerate(rows)])

    assert str(refused.value) == "Row 4: Describe the problem."
    assert Problem.objects.count() == 0 and ProblemEvent.objects.count() == 0


def import_file(rows: int, *, code_at: dict | None = None) -> bytes:
    lines = [ZH]
    for number in range(rows):
        lines.append(ledger_row(description=f"问题 {number}", code=(code_at or {}).get(number, ""),
                                status=("已销号", "整改中", "")[number % 3], responsible_unit="甲街道办",
                                closed_on="2026-01-10" if number % 3 == 0 else "",
                                sample_point="" if number % 2 else "甲农贸市场"))
    return xlsx_bytes(lines)


@pytest.mark.django_db
def test_a_code_taken_meanwhile_in_the_middle_of_the_file_writes_nothing_and_names_row_and_column(city):
    plan = build_plan(import_file(6, code_at={3: "OLD-3"}), user=city.hq)
    assert plan.errors == []
    services.problems_record_batch(by=city.hq, recordings=[services.Recording(
        fields={"category": city.market, "district": city.district_a, "description": "先到", "source": "routine"},
        code="OLD-3")])  # recorded after the check, before the write

    with pytest.raises(services.LedgerConflict) as refused:
        transfer.ledger_import_write(plan=plan, by=city.hq, origin="x.xlsx")

    assert str(refused.value) == "Row 5, column 编号 Code: problem OLD-3 was recorded meanwhile."
    assert Problem.objects.count() == 1 and ProblemEvent.objects.count() == 1


@pytest.mark.django_db
def test_an_import_writes_in_a_constant_number_of_statements(city):
    def statements(rows: int) -> int:
        plan = build_plan(import_file(rows), user=city.hq)
        assert plan.errors == [] and len(plan.problems) == rows
        with CaptureQueriesContext(connection) as queries:
            assert transfer.ledger_import_write(plan=plan, by=city.hq, origin=f"{rows}.xlsx") == rows
        return len(queries)

    few, many = statements(20), statements(200)

    assert few == many <= 20  # savepoints and the numbers' reservation included
    assert Problem.objects.count() == 220 and ProblemEvent.objects.count() == 220
    assert ledger_findings() == []


@pytest.mark.django_db
def test_imported_problems_verify_with_the_management_command(city, capsys):
    from django.core.management import call_command

    plan = build_plan(import_file(30), user=city.hq)
    transfer.ledger_import_write(plan=plan, by=city.hq, origin="old.xlsx")

    call_command("verify_ledger")

    assert Problem.objects.filter(events__note__startswith="Imported from old.xlsx, row").count() == 30
    assert "The ledger is intact: 30 problems, 30 events." in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_codes_stay_unique_and_consecutive_when_a_problem_is_recorded_during_an_import(city, monkeypatch):
    """The import's block is reserved before its long write; a recording meanwhile takes the
    next number after the block at once (it never waits), and the import's ids come from the
    same sequence as the recording's."""
    services.problem_record(by=city.hq, category=city.market, district=city.district_a, description="先",
                            source="routine", found_at=FOUND)  # 2026-000001
    upload, _plan = transfer.ledger_import_preview(user=city.hq, file_name="x.xlsx", data=import_file(50))
    inside, release = threading.Event(), threading.Event()
    real = services._insert_recorded

    def pause_with_the_rows_in(*args, **kwargs):
        real(*args, **kwargs)
        inside.set()
        release.wait(timeout=30)

    monkeypatch.setattr(services, "_insert_recorded", pause_with_the_rows_in)
    outcome = {}

    def run_import():
        try:
            outcome["import"] = transfer.ledger_import_confirm(user=city.hq, record=upload, run_now=True)
        finally:
            connection.close()

    importing = threading.Thread(target=run_import)
    importing.start()
    try:
        assert inside.wait(timeout=60), "the import never wrote"
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        during = services.problem_record(by=city.hq, category=city.market, district=city.district_a,
                                         description="其间", source="routine", found_at=FOUND)
    finally:
        release.set()
        importing.join(timeout=60)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert outcome["import"].status == ImportStatus.DONE
    after = services.problem_record(by=city.hq, category=city.market, district=city.district_a,
                                    description="后", source="routine", found_at=FOUND)
    codes = sorted(Problem.objects.values_list("code", flat=True))
    assert codes == [f"2026-{n:06d}" for n in range(1, 54)]  # unique, consecutive: no gap, no repeat
    assert (during.code, after.code) == ("2026-000052", "2026-000053")
    assert len(set(Problem.objects.values_list("pk", flat=True))) == 53
    assert ledger_findings() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_code_another_transaction_records_after_the_check_is_named_with_row_and_column(city, monkeypatch):
    """The race the check cannot see: another transaction commits a kept code after the import
    checked it and before its COPY. The unique violation is named like the check's refusal,
    and the import writes nothing."""
    plan = build_plan(import_file(6, code_at={3: "OLD-3"}), user=city.hq)
    assert plan.errors == []
    real = services._insert_recorded

    def someone_records_the_code_first(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            return real(*args, **kwargs)  # the other transaction's own write

        def record():
            try:
                services.problems_record_batch(by=city.hq, recordings=[services.Recording(
                    fields={"category": city.market, "district": city.district_a, "description": "先到",
                            "source": "routine"}, code="OLD-3")])
            finally:
                connection.close()

        other = threading.Thread(target=record)
        other.start()
        other.join(timeout=30)
        real(*args, **kwargs)

    monkeypatch.setattr(services, "_insert_recorded", someone_records_the_code_first)

    with pytest.raises(services.LedgerConflict) as refused:
        transfer.ledger_import_write(plan=plan, by=city.hq, origin="x.xlsx")

    assert str(refused.value) == "Row 5, column 编号 Code: problem OLD-3 was recorded meanwhile."
    assert list(Problem.objects.values_list("code", flat=True)) == ["OLD-3"]
    assert ProblemEvent.objects.count() == 1
    assert ledger_findings() == []
