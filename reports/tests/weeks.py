"""A hand-built week whose every figure is known in advance (reports/tests/test_figures.py
lists what each problem counts as), built through the ledger's services with historical times."""

import datetime as dt

from django.utils import timezone

from ledger import services
from ledger.tests.factories import record, stored_photo
from reports.periods import week_of

WEEK = week_of(dt.date(2025, 3, 12))  # Monday 10 to Sunday 16 March 2025
MON, TUE, WED, THU, FRI, SUN = (dt.date(2025, 3, d) for d in (10, 11, 12, 13, 14, 16))


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def found(city, when, point=None, **extra):
    return record(city, found_at=when, point=point, **extra)


def assigned(city, problem, when, deadline, unit=None):
    return services.problem_assign(problem=problem, unit=unit or city.office_a, deadline=deadline,
                                   by=city.hq, at=when)


def worked(city, problem, when):
    problem = services.problem_acknowledge(problem=problem, by=city.hq, at=when)
    return services.problem_apply_close(problem=problem, note="已整改", photos=[stored_photo(problem.pk)],
                                        by=city.hq, at=when)


def verified(city, problem, when, approved=True):
    return services.problem_verify(problem=problem, approved=approved, note="" if approved else "未整改到位",
                                   by=city.district_lead, at=when)


def build_week(city):
    """Problems of district A's office (team T01) unless said otherwise; what each counts as is
    written beside it."""
    early = at(dt.date(2025, 3, 3))
    # 1. due Wednesday, closed Wednesday 23:30 local (15:30 UTC): due, closed, closed of due, on time.
    p1 = assigned(city, found(city, early), early, WED)
    p1 = worked(city, p1, at(WED, 9))
    verified(city, p1, at(WED, 23, 30))
    # 2. due Wednesday, closed Thursday 00:30 local (Wednesday 16:30 UTC): closed of due, late.
    p2 = assigned(city, found(city, early), early, WED)
    p2 = worked(city, p2, at(WED, 9))
    verified(city, p2, at(THU, 0, 30))
    # 3. due Friday, rejected twice in the week, still open: due, overdue, carried, 2 rejections.
    p3 = assigned(city, found(city, early), early, FRI)
    p3 = worked(city, p3, at(MON, 9))
    p3 = verified(city, p3, at(TUE), approved=False)
    p3 = services.problem_apply_close(problem=p3, note="再次整改", photos=[stored_photo(p3.pk)], by=city.hq,
                                      at=at(WED))
    verified(city, p3, at(THU), approved=False)
    # 4. due Thursday, marked invalid on Tuesday: not due, not carried.
    p4 = assigned(city, found(city, early), early, THU)
    services.problem_invalidate(problem=p4, reason="不属实", by=city.hq, at=at(TUE))
    # 5. due Thursday, marked invalid the next Monday: due, overdue and carried at the week's end.
    p5 = assigned(city, found(city, early), early, THU)
    services.problem_invalidate(problem=p5, reason="重复", by=city.hq, at=at(WEEK.end + dt.timedelta(days=1)))
    # 6. found Tuesday in district B, assigned and reassigned in the week to B's office: found,
    #    assigned once, carried; due next week.
    p6 = found(city, at(TUE), point=city.points_b[0])
    p6 = assigned(city, p6, at(TUE, 11), SUN + dt.timedelta(days=3), unit=city.office_b)
    assigned(city, p6, at(WED, 11), SUN + dt.timedelta(days=5), unit=city.office_b)
    # 7. found Sunday 23:59 local (in the week) and 8. Monday 00:00 next week (not in it).
    found(city, at(SUN, 23, 59))
    found(city, at(SUN + dt.timedelta(days=1), 0, 0))
    # 9. a rebound of problem 1, found Friday: found, rebound, carried.
    services.problem_record_rebound(original=p1.__class__.objects.get(pk=p1.pk), by=city.hq, found_at=at(FRI),
                                    at=at(FRI))
    # 10. closed the week before: counts for nothing this week.
    p10 = assigned(city, found(city, early), early, dt.date(2025, 3, 6))
    p10 = worked(city, p10, at(dt.date(2025, 3, 5)))
    verified(city, p10, at(dt.date(2025, 3, 6)))
    return {"p3": p3, "p6": p6}
