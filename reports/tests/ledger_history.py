"""Building a ledger's history at chosen instants through the ledger's own services, for the
exposure and comparison tests."""

import datetime as dt

from django.utils import timezone

from ledger import services
from ledger.choices import Source
from ledger.tests.factories import record, stored_photo


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def verifier(city, problem):
    return city.district_lead if problem.district_id == city.district_a.pk else city.other_district_lead


def found(city, when, *, point=None, source=Source.ROUTINE_SUPERVISION, **extra):
    return record(city, by=city.hq, found_at=when, point=point, source=source, **extra)


def assigned(city, problem, when, deadline, unit=None):
    unit = unit or problem.responsible_unit or city.office_a
    return services.problem_assign(problem=problem, unit=unit, deadline=deadline, by=city.hq, at=when)


def applied(city, problem, when):
    if problem.status == "assigned":
        problem = services.problem_acknowledge(problem=problem, by=city.hq, at=when)
    return services.problem_apply_close(problem=problem, note="已整改", photos=[stored_photo(problem.pk)],
                                        by=city.hq, at=when)


def rejected(city, problem, when):
    return services.problem_verify(problem=problem, approved=False, note="未整改到位", by=verifier(city, problem),
                                   at=when)


def closed(city, problem, when):
    """Apply and verify at ``when`` (the application a minute before)."""
    problem = applied(city, problem, when - dt.timedelta(minutes=1))
    return services.problem_verify(problem=problem, approved=True, note="现场核实", by=verifier(city, problem),
                                   at=when)


def due(city, *, found_on, deadline, closed_at=None, point=None, unit=None, **extra):
    """A problem found on ``found_on``, assigned the same day with ``deadline``, closed at ``closed_at``."""
    problem = found(city, at(found_on, 8), point=point, **extra)
    problem = assigned(city, problem, at(found_on, 9), deadline, unit=unit)
    if closed_at is not None:
        problem = closed(city, problem, closed_at)
    return problem
