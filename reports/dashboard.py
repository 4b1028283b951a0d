"""Reads of the leaders' dashboard: weekly trends, key counts and the latest published rankings.

The figures are the published ones (reports/figures.py): the week trends count, per finished
ISO week, problems found, closed and overdue at the week's end with the very expressions the
reports use, so a week on the dashboard equals the same week in the weekly assignment report.
Everything is counted over ``Problem.objects.visible_to(user)``: HQ and leaders see the whole
city, a team lead, district lead or unit handler their own scope. The rankings (the latest
published weekly exposure and the latest monthly comparison) are city-wide reports, read
through ``Report.objects.visible_to(user)``.

All of the trends come from one grouped query (per district and category, with a conditional
count per week and figure, their names joined to the grouped rows), the key counts from one
aggregate.

The public channel's card (``dashboard_public_channel``): the month under way per district and
its weekly trend over the same weeks, counted over ``PublicReport.objects.visible_to(user)``
(HQ and leaders the city, a district lead their district, nobody else any: the card is left out).
"""

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, Count, DateTimeField, OuterRef, Q, Subquery, When
from django.utils import timezone

from campaign.models import Category, District
from ledger.choices import OPEN_STATUSES, Action, Status
from ledger.models import Problem, ProblemEvent
from public_reports.models import PublicReport
from public_reports.selectors import (
    ChannelFigures,
    public_channel_by_district,
    public_channel_weeks,
)

from .choices import ReportKind, ReportStatus
from .figures import (
    Bounds,
    aggregate_query,
    bounds_of,
    compiled_once,
    problem_count_expressions,
    rate,
)
from .kinds import publishes
from .models import Report
from .periods import Period, last_finished, month_of, week_of

TREND_WEEKS = 12
TREND_FIGURES = ("found", "closed", "overdue")
RANKING_ROWS = 5  # rows of each red, black and ranking list shown on the dashboard


@dataclass
class TrendSeries:
    """One line of the trends: a district, a category or the whole scope, with its counts per
    week (oldest first) for each of TREND_FIGURES."""

    id: int | None
    label: str
    weeks: dict[str, list[int]] = field(default_factory=dict)

    @property
    def found_total(self) -> int:
        return sum(self.weeks["found"])

    @property
    def closed_total(self) -> int:
        return sum(self.weeks["closed"])

    @property
    def overdue_at_end(self) -> int:
        """Overdue at the end of the last week shown."""
        return self.weeks["overdue"][-1] if self.weeks["overdue"] else 0

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, **self.weeks}


@dataclass
class Trends:
    periods: list[Period]
    scope: TrendSeries
    districts: list[TrendSeries]
    categories: list[TrendSeries]

    @property
    def labels(self) -> list[str]:
        return [period.label for period in self.periods]

    @property
    def first_label(self) -> str:
        return self.periods[0].label

    @property
    def last_label(self) -> str:
        return self.periods[-1].label

    @property
    def week_rows(self) -> list[dict]:
        """The scope's figures week by week, newest first (the table under the chart)."""
        rows = [
            {"label": period.label, **{figure: self.scope.weeks[figure][index] for figure in TREND_FIGURES}}
            for index, period in enumerate(self.periods)
        ]
        return rows[::-1]

    def as_chart_data(self) -> dict:
        """What the page's charts draw (json_script)."""
        return {
            "labels": self.labels,
            "figures": list(TREND_FIGURES),
            "scope": self.scope.as_dict(),
            "districts": [series.as_dict() for series in self.districts],
            "categories": [series.as_dict() for series in self.categories],
        }


def trend_periods(*, weeks: int = TREND_WEEKS, now: dt.datetime | None = None) -> list[Period]:
    """The last ``weeks`` finished ISO weeks, oldest first (the week under way is not finished:
    its "overdue at the week's end" is not known yet)."""
    last = last_finished(ReportKind.WEEKLY_ASSIGNMENT, now)
    return [week_of(last.start - dt.timedelta(weeks=back)) for back in range(weeks - 1, -1, -1)]


def _window_problems(user, window_starts_at, window_ends_at):
    """The problems that can count in the trends' window (found before its end and not closed
    before its start: found, closed or open at a week's end in it), with their invalidation
    time (invalid ones only; null for the others)."""
    window = Q(found_at__lt=window_ends_at) & (Q(closed_at__isnull=True) | Q(closed_at__gte=window_starts_at))
    invalidated_at = (ProblemEvent.objects.filter(problem=OuterRef("pk"), action=Action.INVALIDATE)
                      .order_by("at").values("at")[:1])
    return (
        Problem.objects.visible_to(user).order_by().filter(window)
        .annotate(invalidated_at=Case(When(status=Status.INVALID, then=Subquery(invalidated_at)),
                                      default=None, output_field=DateTimeField()))
        .values("district_id", "category_id", "found_at", "closed_at", "deadline", "invalidated_at")
    )


@functools.cache
def _trends_statement(inner_sql: str, weeks: int) -> str:
    """The trends' statement around the window's problems (``inner_sql``), for ``weeks`` weeks:
    its text depends on these only (the weeks' dates are parameters), so it is built once per
    process. Per (district, category): found, closed and overdue at each week's end, with the
    district's and category's names and their order."""
    ops = connection.ops
    counts = []
    for index in range(weeks):
        # The published rules as reports/figures.py counts them (found, closed, overdue).
        counts.append(f"COUNT(*) FILTER (WHERE found_at >= %s AND found_at < %s) AS found_{index}")
        counts.append(f"COUNT(*) FILTER (WHERE closed_at >= %s AND closed_at < %s) AS closed_{index}")
        counts.append(f"COUNT(*) FILTER (WHERE found_at < %s AND deadline <= %s AND (closed_at IS NULL OR closed_at >= %s)"
                      f" AND (invalidated_at IS NULL OR invalidated_at >= %s)) AS overdue_{index}")
    # PostgreSQL's optimisation fence; SQLite accepts no OFFSET without LIMIT and needs none.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    grouped = (f"SELECT district_id, category_id, {', '.join(counts)} "  # noqa: S608 (no input in the text)
               f"FROM ({inner_sql}{fence}) AS window_problems GROUP BY district_id, category_id")
    # The district's and category's names and their order on the page (a rank each, by the
    # database's own ordering) come with the counts: joined to the few grouped rows, not looked
    # up in two more queries.
    quote = ops.quote_name
    district, category = quote(District._meta.db_table), quote(Category._meta.db_table)
    return (f"SELECT g.*, d.{quote('name')} AS district_name, d.{quote('name_en')} AS district_name_en, "  # noqa: S608
            f"CASE WHEN d.{quote('id')} IS NULL THEN NULL ELSE DENSE_RANK() OVER (ORDER BY d.{quote('code')}) END "
            f"AS district_rank, c.{quote('name_zh')} AS category_name_zh, c.{quote('name_en')} AS category_name_en, "
            f"CASE WHEN c.{quote('id')} IS NULL THEN NULL ELSE DENSE_RANK() OVER "
            f"(ORDER BY c.{quote('order')}, c.{quote('code')}) END AS category_rank "
            f"FROM ({grouped}) g LEFT JOIN {district} d ON d.{quote('id')} = g.district_id "
            f"LEFT JOIN {category} c ON c.{quote('id')} = g.category_id")


def _scope_key(user) -> str | None:
    """What a statement over ``visible_to(user)`` is kept under (figures.compiled_once): the
    whole city's, the same for HQ and every leader; another user's scope is compiled each time
    (its text and parameters hold that user's district, unit or team)."""
    whole_city = user.is_authenticated and user.is_active and user.sees_whole_city
    return "city" if whole_city else None


def _trend_rows(*, user, periods: list[Period]) -> list[dict]:
    """Per (district, category) of the user's scope: found, closed and overdue at the end of each
    of ``periods``, by the published rules (reports/figures.py).

    One pass over the problems of the window. "Not invalidated before the week's end" needs the
    history of invalid problems; it is read once per invalid problem (its invalidation time) in
    an inner query that the outer counts only compare, where twelve ``EXISTS`` conditions, one
    per week, probed each invalid problem's history twelve times. The inner query is the ORM's
    (``visible_to`` scoping included), compiled once per process for the whole city's scope;
    ``OFFSET 0`` keeps PostgreSQL from folding it into the counts (and repeating the lookup in
    each of them)."""
    first, last = periods[0], periods[-1]
    scope = _scope_key(user)
    inner_sql, inner_params = compiled_once(
        None if scope is None else ("dashboard window problems", scope),
        lambda **window: _window_problems(user, **window),
        window_starts_at=first.starts_at, window_ends_at=last.ends_at)
    ops = connection.ops
    params = []
    for period in periods:
        starts, ends = ops.adapt_datetimefield_value(period.starts_at), ops.adapt_datetimefield_value(period.ends_at)
        end = ops.adapt_datefield_value(period.end)
        params += [starts, ends, starts, ends, ends, end, ends, ends]
    with connection.cursor() as cursor:
        cursor.execute(_trends_statement(inner_sql, len(periods)), [*params, *inner_params])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def dashboard_trends(*, user, weeks: int = TREND_WEEKS, now: dt.datetime | None = None) -> Trends:
    """Found, closed and overdue at the week's end, per finished week, for the user's scope,
    per district and per category. One query (the counts with the names)."""
    periods = trend_periods(weeks=weeks, now=now)
    rows = _trend_rows(user=user, periods=periods)
    columns = [f"{figure}_{index}" for figure in TREND_FIGURES for index in range(len(periods))]
    size = len(periods)

    def totals_of(series: TrendSeries, totals: list[int]) -> TrendSeries:
        series.weeks = {figure: totals[number * size:(number + 1) * size]
                        for number, figure in enumerate(TREND_FIGURES)}
        return series

    scope = [0] * len(columns)
    by_district: dict[int, list[int]] = {}
    by_category: dict[int, list[int]] = {}
    districts: dict[int, tuple] = {}
    categories: dict[int, tuple] = {}
    for row in rows:
        values = [row[column] for column in columns]
        scope = [a + b for a, b in zip(scope, values, strict=True)]
        for key, sums in ((row["district_id"], by_district), (row["category_id"], by_category)):
            sums[key] = [a + b for a, b in zip(sums[key], values, strict=True)] if key in sums else values
        if row["district_rank"] is not None:
            districts[row["district_id"]] = (row["district_rank"], row["district_name"], row["district_name_en"])
        if row["category_rank"] is not None:
            categories[row["category_id"]] = (row["category_rank"], row["category_name_zh"], row["category_name_en"])
    # The labels as the models give them (the language's name).
    district_series = [
        totals_of(TrendSeries(id=pk, label=District(pk=pk, name=name, name_en=name_en).label), by_district[pk])
        for pk, (_rank, name, name_en) in sorted(districts.items(), key=lambda item: item[1][0])
    ]
    category_series = [
        totals_of(TrendSeries(id=pk, label=Category(pk=pk, name_zh=name_zh, name_en=name_en).label),
                  by_category[pk])
        for pk, (_rank, name_zh, name_en) in sorted(categories.items(), key=lambda item: item[1][0])
    ]
    return Trends(periods=periods, scope=totals_of(TrendSeries(id=None, label=""), scope),
                  districts=district_series, categories=category_series)


@dataclass
class KeyCounts:
    open: int
    overdue: int
    closed_this_week: int
    this_week: Period
    last_week: Period
    closure_rate: dict  # last finished week, published rule: closed of due ÷ due
    on_time_rate: dict


# The key counts' names, in the order of their statement's columns.
KEY_COUNTS = ("open", "overdue", "closed_this_week", "due", "closed_of_due", "closed_on_time")


def _key_counts(user, *, today, this_week_starts_at, this_week_ends_at, **last_week):
    """The key counts' statement (one row, KEY_COUNTS): open and overdue on ``today``, closed in
    the week under way, and the last finished week's due, closed of due and closed on time."""
    published = problem_count_expressions(Bounds(**last_week))
    return aggregate_query(
        Problem.objects.visible_to(user),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        closed_this_week=Count("id", filter=Q(closed_at__gte=this_week_starts_at, closed_at__lt=this_week_ends_at)),
        due=published["due"],
        closed_of_due=published["closed_of_due"],
        closed_on_time=published["closed_on_time"],
    )


def dashboard_counts(*, user, now: dt.datetime | None = None) -> KeyCounts:
    """Open and overdue now (as the ledger shows them), closed in the week under way, and last
    week's closure and on-time rates (as the weekly assignment report has them). One query,
    compiled once per process for the whole city's scope."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    this_week = week_of(today)
    last_week = last_finished(ReportKind.WEEKLY_ASSIGNMENT, now)
    scope = _scope_key(user)
    try:
        sql, params = compiled_once(
            None if scope is None else ("dashboard key counts", scope),
            lambda **values: _key_counts(user, **values),
            today=today, this_week_starts_at=this_week.starts_at, this_week_ends_at=this_week.ends_at,
            **bounds_of(last_week))
    except EmptyResultSet:  # a scope of no problems (visible_to gave none): every count is 0
        figures = dict.fromkeys(KEY_COUNTS, 0)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            figures = dict(zip(KEY_COUNTS, cursor.fetchone(), strict=True))
    return KeyCounts(
        open=figures["open"],
        overdue=figures["overdue"],
        closed_this_week=figures["closed_this_week"],
        this_week=this_week,
        last_week=last_week,
        closure_rate=rate(figures["closed_of_due"], figures["due"]),
        on_time_rate=rate(figures["closed_on_time"], figures["due"]),
    )


def latest_report(*, user, kind: str) -> Report | None:
    """The latest finished city-wide report of ``kind`` the user may open (of a kind HQ
    publishes, only once published): the newest period, its newest version."""
    reports = Report.objects.visible_to(user).filter(kind=kind, status=ReportStatus.DONE, district__isnull=True)
    if publishes(kind):
        reports = reports.filter(published_at__isnull=False)
    return reports.order_by("-period_start", "-version").first()


def exposure_lists(report: Report | None, *, rows: int = RANKING_ROWS) -> list[dict]:
    """The red and black lists of a published weekly exposure, districts then units, each cut
    to its first ``rows`` (the report page has them whole)."""
    if report is None:
        return []
    data = report.data or {}
    lists = []
    for colour in ("red", "black"):
        for group in ("districts", "units"):
            entries = (data.get(f"{colour}_list") or {}).get(group) or []
            lists.append({"colour": colour, "group": group, "rows": entries[:rows], "total": len(entries)})
    return lists


def comparison_lists(report: Report | None, *, rows: int = RANKING_ROWS) -> list[dict]:
    """The first ``rows`` ranked districts and units of a monthly comparison
    (reports/kinds/monthly_comparison.py), each with its rank, weighted score and ``change``
    since last month (positive: moved up; None: not ranked last month)."""
    if report is None:
        return []
    data = report.data or {}
    lists = []
    for group in ("districts", "units"):
        ranked = (data.get(group) or {}).get("ranked") or []
        lists.append({"group": group, "rows": ranked[:rows], "total": len(ranked)})
    return lists


@dataclass
class PublicChannel:
    """The public channel on the dashboard: the month under way per district (with the scope's
    total) and, per week of the trends, the reports received and accepted."""

    month: Period
    districts: list[dict]  # {"id", "label", "figures": ChannelFigures, "satisfaction": rate}, by code
    city: ChannelFigures
    weeks: list[dict]  # {"label", "received", "accepted"}, oldest first

    @property
    def satisfaction(self) -> dict:
        return rate(self.city.satisfied, self.city.rated)

    def as_chart_data(self) -> dict:
        return {"received": [week["received"] for week in self.weeks],
                "accepted": [week["accepted"] for week in self.weeks]}


def dashboard_public_channel(*, user, periods: list[Period], now: dt.datetime | None = None) -> PublicChannel | None:
    """The public channel's figures the user may see (None: none, the card is left out). Four
    queries: the month's counts, its accepted reports' times (the medians), the districts' names
    and the weekly trend."""
    reports = PublicReport.objects.visible_to(user)
    if reports.query.is_empty():
        return None
    now = now or timezone.now()
    month = month_of(timezone.localdate(now))
    figures = public_channel_by_district(start=month.starts_at, end=month.ends_at, reports=reports)
    names = {district.pk: district for district in District.objects.filter(
        pk__in=[pk for pk in figures.districts if pk is not None])}
    rows = [{"id": pk, "label": names[pk].label, "code": names[pk].code, "figures": figures.districts[pk]}
            for pk in names]
    rows.sort(key=lambda row: row["code"])
    if None in figures.districts:
        rows.append({"id": None, "label": "", "code": "", "figures": figures.districts[None]})
    for row in rows:
        row["satisfaction"] = rate(row["figures"].satisfied, row["figures"].rated)
    weeks = public_channel_weeks(periods=periods, reports=reports)
    return PublicChannel(month=month, districts=rows, city=figures.city,
                         weeks=[{"label": period.label, **week} for period, week in zip(periods, weeks, strict=True)])


@dataclass
class DashboardFigures:
    computed_at: dt.datetime
    counts: KeyCounts
    trends: Trends
    # None for whom no public report is visible (and in figures cached before the card existed).
    public: PublicChannel | None = None


def cache_scope(user) -> str:
    """Who sees the same figures: the whole city for HQ and leaders, else this user's scope."""
    return "city" if user.sees_whole_city else f"user-{user.pk}"


def dashboard_figures(*, user, now: dt.datetime | None = None) -> DashboardFigures:
    """The key counts and the trends for ``user``, kept in the cache for
    REPORT_DASHBOARD_CACHE_SECONDS (0: always computed) so a dashboard opened by many leaders at
    once, on a ledger of a million problems, costs one computation; the page says when it was."""
    from django.conf import settings
    from django.utils import translation

    from campaign.cache import cache_get, cache_set

    now = now or timezone.now()
    seconds = settings.REPORT_DASHBOARD_CACHE_SECONDS

    def compute() -> DashboardFigures:
        trends = dashboard_trends(user=user, now=now)
        return DashboardFigures(computed_at=now, counts=dashboard_counts(user=user, now=now), trends=trends,
                                public=dashboard_public_channel(user=user, periods=trends.periods, now=now))

    if not seconds:
        return compute()
    # The week under way is part of the key, so Monday's figures never come from Sunday.
    # So is the month: the public channel's card counts the month under way.
    today = timezone.localdate(now)
    key = ":".join(("reports-dashboard", cache_scope(user), translation.get_language() or "",
                    week_of(today).label, month_of(today).label))
    # Without the cache (Redis down) the figures are computed on every view.
    figures = cache_get(key)
    if figures is None:
        figures = compute()
        cache_set(key, figures, seconds)
    return figures
