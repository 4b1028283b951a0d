"""Loading an action's objects from Excel: every bad row reported by row and column, nothing
written; a good file written all at once after the preview."""

import pytest

from campaign.choices import ImportStatus
from programme.models import ActionTarget, TargetEvent
from programme.services import actions as services

from .actions_factories import HEADERS, make_action, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _errors(record):
    return {(e["row"], e["column"]): e["message"] for e in record.errors}


def test_a_good_list_is_previewed_then_written_with_an_added_event_each(city):
    action = make_action(city)
    data = workbook_bytes([
        ["人民公园公厕", "甲区", "人民路1号", "", "二类以上，有无障碍厕位", "甲街道办", action.ends_on.isoformat()],
        ["乙区广场公厕", "B", "", "", "二类以上", "乙街道办", ""],
        ["甲农贸市场", "甲区", "", city.points_a[0].code, "市场内公厕达标", "", ""],
    ])
    record, plan = services.action_import_preview(by=city.hq, action=action, file_name="toilets.xlsx", data=data)
    assert plan.ok and record.status == ImportStatus.PREVIEWED
    assert ActionTarget.objects.count() == 0  # the preview writes nothing
    record = services.action_import_confirm(by=city.hq, record=record)
    assert record.status == ImportStatus.DONE and record.created_count == 3
    market = ActionTarget.objects.get(name="甲农贸市场")
    assert market.unit == city.office_a and market.sample_point == city.points_a[0]  # the point's unit
    assert ActionTarget.objects.get(name="乙区广场公厕").deadline == action.ends_on  # empty: the action's end
    assert TargetEvent.objects.filter(step="add", actor=city.hq).count() == 3


def test_unknown_district_and_unit_duplicates_and_deadlines_outside_the_period_are_errors_by_row_and_column(city):
    action = make_action(city)
    late = action.ends_on.replace(year=action.ends_on.year + 1).isoformat()
    data = workbook_bytes([
        ["公厕一", "丙区", "", "", "达标", "甲街道办", ""],
        ["公厕二", "甲区", "", "", "达标", "不存在的单位", ""],
        ["公厕三", "甲区", "", "", "达标", "甲街道办", late],
        ["公厕三", "甲区", "", "", "达标", "甲街道办", ""],
        ["公厕四", "甲区", "", "", "达标", "甲街道办", "明天"],
        ["公厕五", "甲区", "", "", "", "甲街道办", ""],
    ])
    record, plan = services.action_import_preview(by=city.hq, action=action, file_name="bad.xlsx", data=data)
    errors = _errors(record)
    assert errors[(2, "区县 District")] == "No district has this code or name."
    assert errors[(3, "责任单位 Responsible unit")] == "No responsible unit has this name."
    assert "Outside the action's period" in errors[(4, "完成时限 Deadline")]
    assert errors[(5, "名称 Name")] == "Listed twice: the same object is in row 4."
    assert "Not a date" in errors[(6, "完成时限 Deadline")]
    assert errors[(7, "目标状态 Target state")] == "This value is required."
    assert not record.file  # a refused file is not kept
    with pytest.raises(services.ActionConflict):
        services.action_import_confirm(by=city.hq, record=record)
    assert ActionTarget.objects.count() == 0


def test_an_object_already_in_the_action_is_refused_and_a_unit_outside_the_actions_units_too(city):
    action = make_action(city, units=[city.office_a])
    first = workbook_bytes([["人民公园公厕", "甲区", "", "", "达标", "甲街道办", ""]])
    record, _plan = services.action_import_preview(by=city.hq, action=action, file_name="a.xlsx", data=first)
    services.action_import_confirm(by=city.hq, record=record)
    again = workbook_bytes([
        ["人民公园公厕", "甲区", "", "", "达标", "甲街道办", ""],
        ["乙区公厕", "乙区", "", "", "达标", "乙街道办", ""],
    ])
    record, plan = services.action_import_preview(by=city.hq, action=action, file_name="b.xlsx", data=again)
    errors = _errors(record)
    assert errors[(2, "名称 Name")] == "This object is already in the action."
    # The team's lead unit and the listed units only.
    assert errors[(3, "责任单位 Responsible unit")] == "This unit is not one of the action's units."
    assert ActionTarget.objects.count() == 1


def test_a_sample_points_unit_outside_the_actions_units_is_refused_and_an_ambiguous_unit_asks_for_its_exact_name(city):
    from campaign.choices import UnitKind
    from campaign.models import Unit

    Unit.objects.create(name="甲街道", name_en="乙街道办", kind=UnitKind.STREET_OFFICE, district=city.district_b)
    action = make_action(city, units=[city.office_a])
    data = workbook_bytes([
        ["乙农贸市场", "乙区", "", city.points_b[0].code, "达标", "", ""],  # the point's unit is 乙街道办
        ["乙区公厕", "乙区", "", "", "达标", "乙街道办", ""],
    ])
    record, plan = services.action_import_preview(by=city.hq, action=action, file_name="c.xlsx", data=data)
    errors = _errors(record)
    assert not plan.ok
    assert errors[(2, "责任单位 Responsible unit")] == "This unit is not one of the action's units."
    assert errors[(3, "责任单位 Responsible unit")] == (
        "Several units match this name: use the exact name from the list of units.")
    assert ActionTarget.objects.count() == 0


def test_a_file_without_the_required_columns_names_them_and_an_unreadable_file_says_why(city):
    action = make_action(city)
    record, _plan = services.action_import_preview(
        by=city.hq, action=action, file_name="x.xlsx", data=workbook_bytes([["x", "甲区"]], headers=["名称", "区县"]))
    assert [(e["column"], e["message"]) for e in record.errors] == [("Target state", "The file has no such column.")]
    record, _plan = services.action_import_preview(by=city.hq, action=action, file_name="x.xlsx", data=b"PK\x03\x04junk")
    assert "damaged" in record.errors[0]["message"]


def test_a_row_added_between_preview_and_confirmation_makes_the_whole_file_fail(city):
    from .actions_factories import add_target

    action = make_action(city)
    data = workbook_bytes([["公厕一", "甲区", "", "", "达标", "甲街道办", ""], ["公厕二", "甲区", "", "", "达标", "甲街道办", ""]])
    record, _plan = services.action_import_preview(by=city.hq, action=action, file_name="a.xlsx", data=data)
    add_target(city, action, name="公厕二")
    record = services.action_import_confirm(by=city.hq, record=record)
    assert record.status == ImportStatus.FAILED and record.errors[0]["row"] == 3
    assert list(ActionTarget.objects.values_list("name", flat=True)) == ["公厕二"]


def test_only_hq_loads_objects(city):
    action = make_action(city)
    with pytest.raises(services.ActionForbidden):
        services.action_import_preview(by=city.team_lead, action=action, file_name="a.xlsx",
                                       data=workbook_bytes([], headers=HEADERS))
