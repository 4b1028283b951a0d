"""Reads of a problem class's rectification: did fixing the cause stop the problems?"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from campaign.choices import Role

from .choices import ClassStatus
from .models import ProblemClass

DEFAULT_WEEKS = 4


@dataclass
class Week:
    start: date
    end: date  # inclusive
    count: int
    days: int  # days of the week counted (fewer in the current week)


@dataclass
class BeforeAfter:
    verified_on: date
    weeks: int
    before: list[Week]
    after: list[Week]
    before_total: int
    after_total: int
    before_rate: float  # problems per week
    after_rate: float | None  # None until a day has passed
    change: float | None  # after_rate / before_rate - 1; None when not computable


def class_before_after(item: ProblemClass, problems, *, weeks: int = DEFAULT_WEEKS,
                       today: date | None = None) -> BeforeAfter | None:
    """The class's problems found per week in the ``weeks`` weeks before the day its measure
    was verified and in the weeks since (up to ``weeks``, the current one cut at today), with
    the rates per week. ``problems``: the class's problems the reader may see. The verification
    day starts the first week after. None until the measure is verified."""
    if item.verified_at is None:
        return None
    today = today or timezone.localdate()
    verified_on = timezone.localdate(item.verified_at)
    first = verified_on - timedelta(days=7 * weeks)
    last = verified_on + timedelta(days=7 * weeks - 1)
    days = [timezone.localdate(found) for found in
            problems.filter(problem_class=item, found_at__date__gte=first - timedelta(days=1),
                            found_at__date__lte=last + timedelta(days=1))
            .values_list("found_at", flat=True)]
    days = [day for day in days if first <= day <= last]

    def week(start: date) -> Week:
        end = start + timedelta(days=6)
        counted_end = min(end, today)
        return Week(start=start, end=end, count=sum(start <= day <= counted_end for day in days),
                    days=max(0, (counted_end - start).days + 1))

    before = [week(first + timedelta(days=7 * index)) for index in range(weeks)]
    after = [week(verified_on + timedelta(days=7 * index)) for index in range(weeks)
             if verified_on + timedelta(days=7 * index) <= today]
    before_total = sum(row.count for row in before)
    after_total = sum(row.count for row in after)
    before_rate = before_total / weeks
    after_days = sum(row.days for row in after)
    after_rate = after_total * 7 / after_days if after_days else None
    change = (after_rate / before_rate - 1) if after_rate is not None and before_rate else None
    return BeforeAfter(verified_on=verified_on, weeks=weeks, before=before, after=after,
                       before_total=before_total, after_total=after_total, before_rate=round(before_rate, 2),
                       after_rate=None if after_rate is None else round(after_rate, 2),
                       change=None if change is None else round(change, 3))


def classes_to_apply(user):
    """The classes whose measure ``user``'s unit is carrying out: to apply to close."""
    return ProblemClass.objects.visible_to(user).filter(status=ClassStatus.MEASURE_SET,
                                                       responsible_unit_id=user.unit_id or -1)


def classes_to_verify(user):
    """The classes whose closing ``user`` may verify (HQ: all; a district lead: their district's),
    less those they applied for themselves."""
    rows = ProblemClass.objects.visible_to(user).filter(status=ClassStatus.CLOSING_APPLIED)
    if user.role == Role.DISTRICT_LEAD and not user.is_superuser:
        rows = rows.filter(district_id=user.district_id or -1)
    return rows.exclude(closing_applied_by=user)


# The task home's lists of classes (?task=… on the class list shows exactly these).
TASK_LISTS = {"apply": classes_to_apply, "verify": classes_to_verify}
