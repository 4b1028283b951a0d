"""Reads of pairing: pairs with their progress, a unit's progress, tasks due, and the pairing
score the monthly comparison may weigh.

Progress rules (the pages, the API and the export show the same figures):
- tasks total: the pair's tasks that are not cancelled; done: those done;
- overdue: planned tasks whose due date is before today;
- visits in the last 30 / 90 days: visits dated from today − 29 (− 89) to today;
- percent: done ÷ total × 100, rounded down (no tasks: 0).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q

from ..choices import PairTaskStatus
from ..models import Pair, PairTask

DUE_SOON_DAYS = 7


def with_progress(pairs, *, today: date):
    """Annotate ``pairs`` with tasks_total, tasks_done, tasks_overdue, visits_30, visits_90 (one query;
    counted in subqueries-free GROUP BY with distinct counts)."""
    return pairs.annotate(
        tasks_total=Count("tasks", filter=~Q(tasks__status=PairTaskStatus.CANCELLED), distinct=True),
        tasks_done=Count("tasks", filter=Q(tasks__status=PairTaskStatus.DONE), distinct=True),
        tasks_overdue=Count("tasks", filter=Q(tasks__status=PairTaskStatus.PLANNED, tasks__due_on__lt=today),
                            distinct=True),
        visits_30=Count("visits", filter=Q(visits__visited_on__gt=today - timedelta(days=30),
                                           visits__visited_on__lte=today), distinct=True),
        visits_90=Count("visits", filter=Q(visits__visited_on__gt=today - timedelta(days=90),
                                           visits__visited_on__lte=today), distinct=True),
    )


def percent(done: int, total: int) -> int:
    return done * 100 // total if total else 0


@dataclass
class Progress:
    pairs: int = 0
    tasks_total: int = 0
    tasks_done: int = 0
    tasks_overdue: int = 0
    visits_30: int = 0
    visits_90: int = 0

    @property
    def percent(self) -> int:
        return percent(self.tasks_done, self.tasks_total)


def total_progress(pairs) -> Progress:
    """The sum over annotated pairs (``with_progress``)."""
    total = Progress()
    for pair in pairs:
        total.pairs += 1
        for name in ("tasks_total", "tasks_done", "tasks_overdue", "visits_30", "visits_90"):
            setattr(total, name, getattr(total, name) + getattr(pair, name))
    return total


def pairs_for(user, *, today: date):
    return with_progress(Pair.objects.visible_to(user).select_related("unit", "community__district"), today=today)


def tasks_due(user, *, today: date):
    """Planned tasks of the user's active pairs that are overdue or due within DUE_SOON_DAYS."""
    return (PairTask.objects.visible_to(user)
            .filter(status=PairTaskStatus.PLANNED, pair__active=True,
                    due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
            .select_related("pair__unit", "pair__community").order_by("due_on", "id"))


_GROUP_FIELD = {"district": "pair__community__district_id", "unit": "pair__unit_id"}


def pairing_on_time(*, start: date, end: date, group: str, district_id: int | None = None) -> dict[int, tuple[int, int]]:
    """{district or unit id: (done on time, due)} for the tasks due from ``start`` to ``end``
    (cancelled ones left out): done on time = done with a done date on or before the due date.
    A district counts the pairs of its communities; a unit its own pairs (the monthly comparison's
    "pairing" component)."""
    tasks = PairTask.objects.order_by().filter(due_on__gte=start, due_on__lte=end).exclude(
        status=PairTaskStatus.CANCELLED)
    if district_id is not None:
        tasks = tasks.filter(pair__community__district_id=district_id)
    key = _GROUP_FIELD[group]
    rows = tasks.values(key).annotate(
        due=Count("id"),
        on_time=Count("id", filter=Q(status=PairTaskStatus.DONE, done_on__lte=F("due_on"))))
    return {row[key]: (row["on_time"], row["due"]) for row in rows}
