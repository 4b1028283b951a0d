"""The daily sweep tells units of problems due tomorrow and overdue, once a day each."""

import datetime as dt

from django.utils import timezone

from ledger.choices import Status
from ledger.models import Problem
from ledger.notifications import deadline_reminders
from ledger.tests.factories import problem_in
from notifications.models import Notification


def test_due_tomorrow_and_overdue_are_told_to_the_unit_once_a_day(city):
    today = timezone.localdate()
    due = problem_in(city, Status.ASSIGNED)
    late = problem_in(city, Status.RECTIFYING)
    closed = problem_in(city, Status.CLOSED)
    Problem.objects.filter(pk=due.pk).update(deadline=today + dt.timedelta(days=1))
    Problem.objects.filter(pk__in=[late.pk, closed.pk]).update(deadline=today - dt.timedelta(days=3))

    deadline_reminders(today=today)
    deadline_reminders(today=today)  # beat fired twice: nobody is told twice

    # Each recipient (the unit's handler, and the cell's chiefs) is told once per problem and day.
    told = Notification.objects.values_list("event", "recipient", "about_id")
    assert len(told) == len(set(told))
    tomorrow = Notification.objects.get(event="problem.due_tomorrow", recipient=city.unit_handler)
    overdue = Notification.objects.get(event="problem.overdue", recipient=city.unit_handler)
    assert (tomorrow.recipient, tomorrow.about_id) == (city.unit_handler, due.pk)
    assert (overdue.recipient, overdue.about_id, overdue.context["days_overdue"]) == (city.unit_handler, late.pk, 3)

    deadline_reminders(today=today + dt.timedelta(days=1))  # the next day: overdue again, told again
    assert Notification.objects.filter(event="problem.overdue", about_id=late.pk,
                                       recipient=city.unit_handler).count() == 2
