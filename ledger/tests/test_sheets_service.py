"""Issuing assignment sheets: numbering, what may be listed, the history it leaves, who sees them."""

import pytest
from django.utils import timezone

from ledger import services
from ledger.choices import Action, Status
from ledger.integrity import ledger_findings
from ledger.models import AssignmentSheet
from ledger.services import LedgerConflict, LedgerForbidden
from ledger.sheets import assignment_sheet_issue, sheet_proposals, sheets_visible_to
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def assigned_in_b(city):
    problem = record(city, point=city.points_b[0])
    return services.problem_assign(problem=problem, unit=city.office_b, by=city.hq)


def test_sheets_are_numbered_by_year_iso_week_and_sequence(city):
    year, week, _day = timezone.localtime().isocalendar()
    first = assignment_sheet_issue(unit=city.office_a, problems=[problem_in(city, Status.ASSIGNED)], by=city.hq)
    second = assignment_sheet_issue(unit=city.office_b, problems=[assigned_in_b(city)], by=city.hq)

    assert first.number == f"交办〔{year}〕{week}-01号"
    assert second.number == f"交办〔{year}〕{week}-02号"
    assert (second.year, second.batch, second.seq) == (year, week, 2)


def test_issuing_lists_the_problems_with_their_deadlines_and_writes_an_event_on_each(city):
    first = problem_in(city, Status.ASSIGNED)
    second = problem_in(city, Status.RECTIFYING)

    sheet = assignment_sheet_issue(unit=city.office_a, problems=[first, second], by=city.district_lead, note="3日内整改")

    items = list(sheet.items.order_by("line"))
    assert [(i.problem_id, i.deadline) for i in items] == sorted(
        [(first.pk, first.deadline), (second.pk, second.deadline)], key=lambda pair: pair[1])
    assert sheet.district == city.district_a and sheet.issued_by == city.district_lead
    for problem in (first, second):
        event = problem.events.order_by("-seq").first()
        assert event.action == Action.ISSUE_SHEET and event.data == {"sheet": sheet.number}
    assert second.__class__.objects.get(pk=second.pk).status == Status.RECTIFYING  # the state is kept
    assert list(ledger_findings()) == []


def test_a_problem_of_another_unit_is_refused_and_nothing_is_issued(city):
    ours, theirs = problem_in(city, Status.ASSIGNED), assigned_in_b(city)
    with pytest.raises(LedgerConflict, match="not assigned to"):
        assignment_sheet_issue(unit=city.office_a, problems=[ours, theirs], by=city.hq)
    assert AssignmentSheet.objects.count() == 0
    assert ours.events.filter(action=Action.ISSUE_SHEET).count() == 0


@pytest.mark.parametrize("status", [Status.FOUND, Status.CLOSING_APPLIED, Status.CLOSED, Status.INVALID])
def test_a_problem_that_is_not_newly_assigned_is_refused(city, status):
    problem = problem_in(city, status)
    with pytest.raises(LedgerConflict):
        assignment_sheet_issue(unit=city.office_a, problems=[problem], by=city.hq)
    assert AssignmentSheet.objects.count() == 0


def test_a_problem_already_on_a_sheet_to_its_unit_is_not_listed_again(city):
    problem = problem_in(city, Status.ASSIGNED)
    sheet = assignment_sheet_issue(unit=city.office_a, problems=[problem], by=city.hq)
    with pytest.raises(LedgerConflict, match=sheet.number):
        assignment_sheet_issue(unit=city.office_a, problems=[problem], by=city.hq)
    assert sheet_proposals(city.hq) == []


def test_a_district_lead_issues_only_for_their_district_and_others_not_at_all(city):
    theirs = assigned_in_b(city)
    with pytest.raises(LedgerForbidden):
        assignment_sheet_issue(unit=city.office_b, problems=[theirs], by=city.district_lead)
    for user in (city.unit_handler, city.inspector, city.leader, city.team_lead, city.public):
        with pytest.raises(LedgerForbidden):
            assignment_sheet_issue(unit=city.office_b, problems=[theirs], by=user)
    assert AssignmentSheet.objects.count() == 0


def test_proposals_group_the_unsheeted_assigned_problems_by_unit(city):
    a1, a2 = problem_in(city, Status.ASSIGNED), problem_in(city, Status.RECTIFYING)
    b1 = assigned_in_b(city)
    problem_in(city, Status.FOUND)

    by_unit = {p["unit"]: {x.pk for x in p["problems"]} for p in sheet_proposals(city.hq)}
    assert by_unit == {city.office_a: {a1.pk, a2.pk}, city.office_b: {b1.pk}}
    assert {p["unit"] for p in sheet_proposals(city.district_lead)} == {city.office_a}
    assert sheet_proposals(city.unit_handler) == []


def test_who_sees_which_sheets(city):
    sheet_a = assignment_sheet_issue(unit=city.office_a, problems=[problem_in(city, Status.ASSIGNED)], by=city.hq)
    sheet_b = assignment_sheet_issue(unit=city.office_b, problems=[assigned_in_b(city)], by=city.hq)

    def seen(user):
        return set(sheets_visible_to(user))

    assert seen(city.hq) == seen(city.leader) == {sheet_a, sheet_b}
    assert seen(city.district_lead) == {sheet_a}
    assert seen(city.other_district_lead) == {sheet_b}
    assert seen(city.unit_handler) == {sheet_a}
    assert seen(city.team_lead) == {sheet_a}  # the street office of district A is in the team
    assert seen(city.inspector) == seen(city.public) == set()
