"""Re-importing an export: unchanged rows are summarised (not one warning each), edited rows
are applied through the ledger's services as events when the rules allow the move, and are
row errors naming row and column when not. A round trip through openpyxl, as HQ edits it."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from ledger.choices import Action, Status
from ledger.integrity import ledger_findings
from ledger.models import LedgerImport, Problem
from ledger.tests.factories import problem_in, record
from ledger.transfer import columns
from ledger.transfer import services as transfer
from ledger.transfer.export import write_ledger
from ledger.transfer.planning import build_plan

pytestmark = pytest.mark.django_db
FIELDS = list(columns.FIELDS)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def export() -> bytes:
    buffer = io.BytesIO()
    write_ledger(Problem.objects.order_by("-found_at", "-id"), buffer, language="zh-hans")
    return buffer.getvalue()


def edited(data: bytes, edits: dict) -> tuple[bytes, dict]:
    """The export with {code: {field: value}} edited in place; also {code: Excel row number}."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    header = next(n for n, row in enumerate(sheet.iter_rows(values_only=True), start=1) if "问题描述" in row)
    code_column = FIELDS.index("code") + 1
    rows = {}
    for number in range(header + 1, sheet.max_row + 1):
        code = sheet.cell(number, code_column).value
        rows[code] = number
        for name, value in edits.get(code, {}).items():
            sheet.cell(number, FIELDS.index(name) + 1).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows


@pytest.fixture
def ledger(city):
    return {
        "found": record(city),
        "assigned": problem_in(city, Status.ASSIGNED),
        "rectifying": problem_in(city, Status.RECTIFYING),
        "applied": problem_in(city, Status.CLOSING_APPLIED),
        "closed": problem_in(city, Status.CLOSED),
    }


def test_reimporting_an_export_summarises_the_unchanged_rows(city, login, ledger):
    plan = build_plan(export(), user=city.hq)
    assert plan.errors == [] and plan.warnings == [] and plan.problems == [] and plan.updates == []
    assert plan.unchanged == 5
    record_, _plan = transfer.ledger_import_preview(user=city.hq, file_name="again.xlsx", data=export())
    html = login(city.hq).get(f"/ledger/problems/import/{record_.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "5 rows unchanged" in html
    # Nothing to create: no empty breakdown tables, no warnings.
    assert 'id="by-status"' not in html and 'id="by-district"' not in html and "Warnings" not in html


def test_edited_rows_are_applied_as_the_ledgers_moves(city, ledger):
    next_week = timezone.localdate() + timedelta(days=7)
    data, _rows = edited(export(), {
        ledger["found"].code: {"status": "已交办", "responsible_unit": "甲街道办", "description": "摊位外溢占道"},
        ledger["rectifying"].code: {"severity": "严重", "deadline": next_week, "address": "甲路 1 号"},
        ledger["applied"].code: {"status": "已销号", "closed_on": timezone.localdate()},
        ledger["assigned"].code: {"responsible_unit": "乙街道办"},
    })
    record_, plan = transfer.ledger_import_preview(user=city.hq, file_name="edited.xlsx", data=data)
    assert plan.errors == [] and len(plan.updates) == 4 and plan.unchanged == 1
    record_ = transfer.ledger_import_confirm(user=city.hq, record=record_)
    assert record_.status == "done"

    found = Problem.objects.get(pk=ledger["found"].pk)
    assert (found.status, found.responsible_unit, found.description) == (Status.ASSIGNED, city.office_a, "摊位外溢占道")
    assert list(found.events.order_by("seq").values_list("action", flat=True)) == ["record", "edit", "assign"]
    rectifying = Problem.objects.get(pk=ledger["rectifying"].pk)
    assert (rectifying.severity, rectifying.deadline, rectifying.address) == ("serious", next_week, "甲路 1 号")
    assert rectifying.events.filter(action=Action.EDIT, note__contains="edited.xlsx").count() == 1
    applied = Problem.objects.get(pk=ledger["applied"].pk)
    assert applied.status == Status.CLOSED and applied.events.filter(action=Action.APPROVE, actor=city.hq).exists()
    assigned = Problem.objects.get(pk=ledger["assigned"].pk)
    assert assigned.responsible_unit == city.office_b and assigned.events.filter(action=Action.REASSIGN).exists()
    assert list(ledger_findings()) == []

    # The same file again: everything is now as it says.
    again = build_plan(data, user=city.hq)
    assert again.errors == [] and again.updates == [] and again.unchanged == 5


def test_a_move_the_rules_refuse_is_a_row_error_and_nothing_is_written(city, login, ledger):
    data, rows = edited(export(), {
        ledger["closed"].code: {"status": "整改中", "closed_on": None},
        ledger["rectifying"].code: {"status": "申请销号"},
        ledger["found"].code: {"description": "改过的描述"},
    })
    record_, plan = transfer.ledger_import_preview(user=city.hq, file_name="bad.xlsx", data=data)
    where = {(e["row"], e["column"]) for e in plan.errors}
    assert where == {(rows[ledger["closed"].code], "状态"), (rows[ledger["rectifying"].code], "状态")}
    assert any("cannot become" in e["message"] for e in plan.errors)
    with pytest.raises(transfer.ImportStateError):
        transfer.ledger_import_confirm(user=city.hq, record=record_)
    assert Problem.objects.get(pk=ledger["found"].pk).description != "改过的描述"
    html = login(city.hq).get(f"/ledger/problems/import/{record_.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-check-failed" in html and "Check failed" in html
    assert LedgerImport.objects.get(pk=record_.pk).status == "previewed"


def test_a_move_the_importer_may_not_make_is_refused_with_the_reason(city, ledger):
    # The applicant may not verify their own closing application (ledger/rules.py).
    from ledger import services
    from ledger.tests.factories import stored_photo

    mine = services.problem_acknowledge(problem=problem_in(city, Status.ASSIGNED), by=city.hq)
    mine = services.problem_apply_close(problem=mine, note="已清理", photos=[stored_photo(mine.pk)], by=city.hq)
    data, rows = edited(export(), {mine.code: {"status": "已销号", "closed_on": timezone.localdate()}})
    plan = build_plan(data, user=city.hq)
    assert [(e["row"], e["column"]) for e in plan.errors] == [(rows[mine.code], "状态")]
    assert "someone other than the applicant" in plan.errors[0]["message"]


# --- The template -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_template_has_dropdowns_for_coded_columns_and_an_example_row_that_imports(city, login, language):
    from ledger.tests.excel_helpers import xlsx_bytes

    response = login(city.hq).get("/ledger/problems/import/template.xlsx", HTTP_ACCEPT_LANGUAGE=language)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    lists = workbook["lists"]
    assert lists.sheet_state == "hidden"
    named = {lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, lists.max_row + 1)
                                      if lists.cell(r, c).value] for c in range(1, lists.max_column + 1)}
    assert {"district", "category", "responsible_unit", "source", "severity", "status"} <= set(named)
    assert len(named["status"]) == len(Status.choices) and "甲街道办" in named["responsible_unit"]
    validated = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        validated[str(validation.sqref).split(":")[0].rstrip("0123456789")] = validation.formula1
    letters = {name: openpyxl.utils.get_column_letter(FIELDS.index(name) + 1) for name in named}
    assert set(validated) == set(letters.values())
    assert validated[letters["status"]] == f"'lists'!$F$2:$F${len(Status.choices) + 1}"

    example_sheet = next(ws for ws in workbook.worksheets[1:] if ws.sheet_state == "visible")
    example = [list(row) for row in example_sheet.iter_rows(values_only=True)]
    assert len(example) == 2
    plan = build_plan(xlsx_bytes(example), user=city.hq)
    assert plan.errors == [] and len(plan.problems) == 1 and plan.problems[0].status == Status.ASSIGNED


def test_the_api_dry_run_counts_unchanged_and_edited_rows(city, login, ledger):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data, _rows = edited(export(), {ledger["found"].code: {"address": "甲路 9 号"}})
    upload = SimpleUploadedFile("again.xlsx", data)
    answer = login(city.hq).post("/api/problems/import/", {"file": upload, "dry_run": "1"}).json()
    assert (answer["to_create"], answer["unchanged"], answer["to_update"]) == (0, 4, 1)
    assert answer["warnings"] == [] and answer["errors"] == []
