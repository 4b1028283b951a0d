"""The ledger's workflow: transitions, who may take them, and the history they leave."""

import pytest
from django.utils import timezone

from campaign.write_scope import OutOfScope
from ledger import services
from ledger.choices import Action, Status
from ledger.models import Problem, ProblemEvent
from ledger.rules import TRANSITIONS, allowed_actions
from ledger.tests.factories import problem_in, record, stored_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_problem_goes_from_found_to_verified_closing_with_every_step_recorded(city):
    problem = problem_in(city, Status.CLOSED)
    events = list(problem.events.order_by("seq"))
    assert [e.action for e in events] == ["record", "assign", "acknowledge", "apply_close", "approve"]
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "found"), ("found", "assigned"), ("assigned", "rectifying"),
        ("rectifying", "closing_applied"), ("closing_applied", "closed"),
    ]
    assert [e.actor.username for e in events] == ["inspector", "district_lead", "unit_handler", "unit_handler", "district_lead"]
    assert problem.closed_at is not None
    assert problem.photos.filter(kind="after").count() == 1


def test_recording_takes_district_unit_and_team_from_the_sample_point(city):
    problem = record(city)
    assert problem.district == city.district_a
    assert problem.responsible_unit == city.office_a
    assert problem.team == city.team
    assert problem.code.startswith(f"{timezone.localdate().year}-")


def test_problem_codes_are_unique_and_sequential(city):
    codes = [record(city).code for _ in range(3)]
    numbers = [int(code.split("-")[1]) for code in codes]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_assign_defaults_the_deadline_from_severity(city, settings):
    problem = record(city, severity="urgent")
    problem = services.problem_assign(problem=problem, unit=city.office_a, by=city.hq)
    assert problem.deadline == timezone.localdate() + timezone.timedelta(days=settings.LEDGER_DEADLINE_DAYS["urgent"])


def test_rejected_closing_goes_back_to_rectification_with_the_reason(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    problem = services.problem_verify(problem=problem, approved=False, note="照片不清晰", by=city.district_lead)
    assert problem.status == Status.RECTIFYING
    assert problem.rejection_count == 1
    assert problem.last_rejection_reason == "照片不清晰"
    assert problem.events.order_by("-seq").first().note == "照片不清晰"


def test_rejecting_needs_a_reason(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    with pytest.raises(services.LedgerInvalid):
        services.problem_verify(problem=problem, approved=False, note=" ", by=city.district_lead)


def test_applying_to_close_needs_an_after_photo_and_a_note(city):
    problem = problem_in(city, Status.RECTIFYING)
    with pytest.raises(services.LedgerInvalid):
        services.problem_apply_close(problem=problem, note="已整改", photos=[], by=city.unit_handler)
    with pytest.raises(services.LedgerInvalid):
        services.problem_apply_close(problem=problem, note="", photos=[stored_photo()], by=city.unit_handler)
    assert Problem.objects.get(pk=problem.pk).status == Status.RECTIFYING


def test_unit_handler_cannot_verify_own_rectification(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    with pytest.raises(services.LedgerForbidden):
        services.problem_verify(problem=problem, approved=True, by=city.unit_handler)


def test_the_applicant_cannot_verify_their_own_closing_even_as_hq(city):
    problem = problem_in(city, Status.RECTIFYING)
    problem = services.problem_apply_close(problem=problem, note="已整改", photos=[stored_photo()], by=city.hq)
    with pytest.raises(services.LedgerForbidden, match="other than the applicant"):
        services.problem_verify(problem=problem, approved=True, by=city.hq)
    services.problem_verify(problem=problem, approved=True, by=city.district_lead)


def test_district_lead_cannot_act_in_another_district(city):
    problem = record(city)
    with pytest.raises(services.LedgerForbidden):
        services.problem_assign(problem=problem, unit=city.office_a, by=city.other_district_lead)


def test_district_lead_cannot_assign_to_another_districts_unit(city):
    problem = record(city)
    with pytest.raises(OutOfScope) as refused:
        services.problem_assign(problem=problem, unit=city.office_b, by=city.district_lead)
    assert list(refused.value.message_dict) == ["unit"]


def test_reassigning_moves_the_problem_to_another_unit(city):
    problem = problem_in(city, Status.RECTIFYING)
    problem = services.problem_assign(problem=problem, unit=city.city_department, by=city.hq)
    assert problem.status == Status.ASSIGNED
    assert problem.responsible_unit == city.city_department
    last = problem.events.order_by("-seq").first()
    assert last.action == Action.REASSIGN
    assert last.data["previous_unit"] == city.office_a.name


def test_a_duplicate_is_closed_as_invalid_and_linked_to_its_original(city):
    original = record(city)
    duplicate = record(city)
    duplicate = services.problem_invalidate(problem=duplicate, reason="重复", duplicate_of=original, by=city.hq)
    assert duplicate.status == Status.INVALID
    assert duplicate.duplicate_of == original
    assert Problem.objects.count() == 2


def test_a_closed_problem_found_again_is_a_rebound_linked_to_it(city):
    closed = problem_in(city, Status.CLOSED)
    rebound = services.problem_record_rebound(original=closed, description="再次发现", by=city.inspector)
    closed.refresh_from_db()
    assert rebound.rebound_of == closed
    assert rebound.status == Status.FOUND
    assert closed.status == Status.CLOSED
    assert closed.events.order_by("-seq").first().data == {"rebound": rebound.code}


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.CLOSED])
def test_only_a_closed_problem_can_rebound(city, status):
    problem = problem_in(city, status)
    with pytest.raises(services.LedgerConflict):
        services.problem_record_rebound(original=problem, by=city.hq)


ACTIONS = {
    Action.ASSIGN: lambda p, c: services.problem_assign(problem=p, unit=c.office_a, by=c.hq),
    Action.ACKNOWLEDGE: lambda p, c: services.problem_acknowledge(problem=p, by=c.hq),
    Action.APPLY_CLOSE: lambda p, c: services.problem_apply_close(problem=p, note="n", photos=[stored_photo()], by=c.hq),
    Action.APPROVE: lambda p, c: services.problem_verify(problem=p, approved=True, by=c.inspector),
    Action.REJECT: lambda p, c: services.problem_verify(problem=p, approved=False, note="no", by=c.inspector),
    Action.INVALIDATE: lambda p, c: services.problem_invalidate(problem=p, reason="r", by=c.hq),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("status", Status.values)
def test_every_action_from_every_state_follows_the_transition_table(city, action, status):
    problem = problem_in(city, status)
    allowed_from = TRANSITIONS[action][0]
    if action == Action.ASSIGN:
        allowed_from = allowed_from | TRANSITIONS[Action.REASSIGN][0]
    if status in allowed_from:
        ACTIONS[action](problem, city)
        assert Problem.objects.get(pk=problem.pk).status != status or action == Action.ASSIGN
    else:
        events_before = problem.events.count()
        with pytest.raises(services.LedgerConflict):
            ACTIONS[action](problem, city)
        assert Problem.objects.get(pk=problem.pk).status == status
        assert problem.events.count() == events_before


ROLE_CAN = {
    # action: roles allowed on a district-A problem of office A
    Action.ASSIGN: {"hq", "district_lead"},
    Action.ACKNOWLEDGE: {"hq", "unit_handler"},
    Action.APPLY_CLOSE: {"hq", "unit_handler"},
    Action.APPROVE: {"hq", "district_lead", "inspector"},
    Action.REJECT: {"hq", "district_lead", "inspector"},
    Action.INVALIDATE: {"hq", "district_lead"},
}
STATE_FOR = {
    Action.ASSIGN: Status.FOUND, Action.ACKNOWLEDGE: Status.ASSIGNED, Action.APPLY_CLOSE: Status.RECTIFYING,
    Action.APPROVE: Status.CLOSING_APPLIED, Action.REJECT: Status.CLOSING_APPLIED, Action.INVALIDATE: Status.FOUND,
}
ACTORS = ["hq", "leader", "team_lead", "district_lead", "other_district_lead", "unit_handler", "inspector"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(ROLE_CAN))
def test_who_may_take_each_action(city, action, actor):
    problem = problem_in(city, STATE_FOR[action])
    user = getattr(city, actor)
    may = actor in ROLE_CAN[action]
    assert (action in allowed_actions(problem, user)) == may
    call = {
        Action.ASSIGN: lambda: services.problem_assign(problem=problem, unit=city.office_a, by=user),
        Action.ACKNOWLEDGE: lambda: services.problem_acknowledge(problem=problem, by=user),
        Action.APPLY_CLOSE: lambda: services.problem_apply_close(problem=problem, note="n", photos=[stored_photo()], by=user),
        Action.APPROVE: lambda: services.problem_verify(problem=problem, approved=True, by=user),
        Action.REJECT: lambda: services.problem_verify(problem=problem, approved=False, note="no", by=user),
        Action.INVALIDATE: lambda: services.problem_invalidate(problem=problem, reason="r", by=user),
    }[action]
    if may:
        call()
    else:
        with pytest.raises(services.LedgerForbidden):
            call()


def test_a_stale_version_is_refused(city):
    problem = record(city)
    version = problem.version
    services.problem_assign(problem=problem, unit=city.office_a, by=city.hq, expected_version=version)
    with pytest.raises(services.LedgerConflict, match="changed"):
        services.problem_invalidate(problem=problem, reason="r", by=city.hq, expected_version=version)


def test_events_cannot_be_updated_in_the_database(city):
    from django.db import DatabaseError, transaction

    problem = record(city)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProblemEvent.objects.filter(problem=problem).update(note="tampered")
