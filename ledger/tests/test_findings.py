"""Findings from inspections: no duplicate while open, a rebound after closing, assigned at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger import services
from ledger.choices import Action, Source, Status
from ledger.models import Problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def find(city, key="MKT-03", **extra):
    point = extra.pop("point", city.points_a[0])
    return services.problem_record_finding(
        by=city.inspector, sample_point=point, category=point.category, finding_key=key,
        description="活禽宰杀区未封闭", source=Source.UNANNOUNCED_VISIT, severity=extra.pop("severity", "serious"),
        **extra,
    )


def close(problem, city):
    problem = services.problem_acknowledge(problem=problem, by=city.unit_handler)
    from ledger.tests.factories import stored_photo

    problem = services.problem_apply_close(problem=problem, note="已整改", photos=[stored_photo()], by=city.unit_handler)
    return services.problem_verify(problem=problem, approved=True, by=city.district_lead)


def test_a_new_finding_is_recorded_and_assigned_to_the_points_unit_at_once(city, settings):
    problem, outcome = find(city)
    assert outcome == "new"
    assert problem.status == Status.ASSIGNED
    assert problem.responsible_unit == city.office_a
    assert problem.deadline == timezone.localdate() + timedelta(days=settings.LEDGER_DEADLINE_DAYS["serious"])
    assert [e.action for e in problem.events.order_by("seq")] == [Action.RECORD, Action.ASSIGN]
    assert problem.events.order_by("seq").last().actor == city.inspector


def test_the_same_finding_while_open_is_added_to_its_history_not_duplicated(city):
    first, _ = find(city)
    again, outcome = find(city, source_ref="inspection 7")
    assert outcome == "found_again"
    assert again.pk == first.pk
    assert Problem.objects.count() == 1
    assert again.events.order_by("seq").last().action == Action.FOUND_AGAIN


def test_another_finding_at_the_same_point_is_a_new_problem(city):
    find(city, key="MKT-03")
    _, outcome = find(city, key="MKT-04")
    assert outcome == "new"
    assert Problem.objects.count() == 2


def test_the_same_finding_after_closing_within_the_window_is_a_rebound(city):
    first, _ = find(city)
    close(first, city)
    rebound, outcome = find(city)
    assert outcome == "rebound"
    assert rebound.rebound_of_id == first.pk
    assert rebound.status == Status.ASSIGNED
    assert rebound.finding_key == "MKT-03"


def test_the_same_finding_long_after_closing_is_a_new_problem(city, settings):
    first, _ = find(city)
    close(first, city)
    Problem.objects.filter(pk=first.pk).update(closed_at=timezone.now() - timedelta(days=settings.REBOUND_WINDOW_DAYS + 1))
    problem, outcome = find(city)
    assert outcome == "new"
    assert problem.rebound_of is None
