"""Report periods: ISO weeks (Monday to Sunday), calendar months and calendar quarters, in the
campaign's time zone.

A period is a pair of dates, both inclusive. Figures for it count what happened from
``start`` 00:00 to ``end + 1 day`` 00:00 in Asia/Shanghai (settings.TIME_ZONE).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from .kinds import get_kind


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def starts_at(self) -> dt.datetime:
        """The first instant of the period, aware, in the campaign's time zone."""
        return _local_midnight(self.start)

    @property
    def ends_at(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return _local_midnight(self.end + dt.timedelta(days=1))

    @property
    def is_quarter(self) -> bool:
        return self.start.day == 1 and self.start.month % 3 == 1 and quarter_of(self.start) == self

    @property
    def label(self) -> str:
        if self.end - self.start == dt.timedelta(days=6) and self.start.isoweekday() == 1:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.is_quarter:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    def previous(self) -> "Period":
        if self.label.count("-W"):
            return week_of(self.start - dt.timedelta(days=7))
        if self.is_quarter:
            return quarter_of(self.start - dt.timedelta(days=1))
        return month_of(self.start - dt.timedelta(days=1))


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def week_of(day: dt.date) -> Period:
    """The ISO week (Monday to Sunday) that holds ``day``."""
    monday = day - dt.timedelta(days=day.isoweekday() - 1)
    return Period(monday, monday + dt.timedelta(days=6))


def month_of(day: dt.date) -> Period:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


def quarter_of(day: dt.date) -> Period:
    """The calendar quarter (January to March, …) that holds ``day``."""
    first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return Period(first, month_of(first.replace(month=first.month + 2)).end)


EARLIEST_DAY = dt.date(2000, 1, 1)


def day_out_of_range(day: dt.date) -> str | None:
    """Why ``day`` cannot start a report's period (before 2000 or more than a year ahead), or
    None: the periods' arithmetic and the figures' queries stay within the calendar."""
    latest = timezone.localdate() + dt.timedelta(days=366)
    if not (EARLIEST_DAY <= day <= latest):
        return gettext("Choose a day between %(earliest)s and %(latest)s.") % {
            "earliest": EARLIEST_DAY.isoformat(), "latest": latest.isoformat()}
    return None


def period_for(kind: str, day: dt.date) -> Period:
    """The period of a report of ``kind`` that holds ``day``."""
    return {"week": week_of, "month": month_of, "quarter": quarter_of}[get_kind(kind).period](day)


def last_finished(kind: str, now: dt.datetime | None = None) -> Period:
    """The period just ended at ``now``: last ISO week for weekly kinds, last month otherwise."""
    today = timezone.localdate(now or timezone.now())
    current = period_for(kind, today)
    return period_for(kind, current.start - dt.timedelta(days=1))
