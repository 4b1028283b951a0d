"""Overdue problems and escalations, built through the ledger's and this app's services."""

from datetime import timedelta

from django.utils import timezone

from accountability import services
from accountability.models import AccountabilityKind
from ledger import services as ledger
from ledger.tests.factories import record


def overdue_problem(city, days: int, *, point=None, unit=None, today=None):
    """A problem assigned to ``unit`` (default: the point's unit) whose deadline passed ``days`` ago."""
    today = today or timezone.localdate()
    point = point or city.points_a[0]
    unit = unit or point.responsible_unit
    found_at = timezone.now() - timedelta(days=days + 30)
    problem = record(city, point=point, found_at=found_at)
    return ledger.problem_assign(problem=problem, unit=unit, deadline=today - timedelta(days=days), by=city.hq,
                                 at=found_at + timedelta(hours=1))


def decided_record(city, *, unit=None, kind_code="criticism", problems=(), person_name="张三"):
    services.accountability_defaults_seed()  # the kinds: a transactional test before may have flushed them
    return services.accountability_record_create(
        by=city.hq, kind=AccountabilityKind.objects.get(code=kind_code), unit=unit or city.office_a,
        reason="多次督办仍未整改", decided_on=timezone.localdate(), person_name=person_name, problems=problems)
