"""Which list rows of a report a narrowed viewer reads (selectors.row_in_scope)."""

from reports.selectors import row_in_scope

DISTRICT_LEAD = {"district_id": 1}
UNIT_HANDLER = {"unit_id": 7}
TEAM_LEAD = {"team_id": 3}


def test_a_problem_row_is_read_in_its_district_unit_and_team_only():
    row = {"district_id": 1, "unit_id": 7, "team_id": 3, "team_ids": [3]}
    assert all(row_in_scope(row, scope) for scope in (None, DISTRICT_LEAD, UNIT_HANDLER, TEAM_LEAD))
    assert not row_in_scope(row, {"district_id": 2})
    assert not row_in_scope(row, {"unit_id": 8})
    assert not row_in_scope(row, {"team_id": 4})


def test_hq_tasks_for_every_unit_are_read_by_everyone():
    for_everyone = {"task_id": 5, "text": "迎检前全面清理背街小巷", "unit_id": None, "district_id": None, "team_ids": []}
    assert all(row_in_scope(for_everyone, scope) for scope in (DISTRICT_LEAD, UNIT_HANDLER, TEAM_LEAD))


def test_a_task_for_one_unit_is_read_in_that_units_scope_only():
    for_unit = {"task_id": 6, "text": "x", "unit_id": 7, "district_id": 1, "team_ids": [3]}
    assert row_in_scope(for_unit, UNIT_HANDLER) and row_in_scope(for_unit, DISTRICT_LEAD)
    assert not row_in_scope(for_unit, {"unit_id": 8})
    assert not row_in_scope(for_unit, {"district_id": 2})
