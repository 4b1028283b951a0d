"""The published figure rules (README, "Reports"), as ORM aggregates shared by every report kind.

Each figure is counted in SQL with conditional aggregates, grouped once by the problem's
current (team, district, responsible unit); the per-team, per-district, per-unit and city-wide
figures are sums over those few grouped rows, so nothing loops over problems in Python. Two
grouped queries cover all the figures of a period, one over problems, one over the period's
events, sent as one statement and compiled once per process and scope (``compiled_once``).

Rules, for a period P = dates [start, end], instants [starts_at, ends_at) in Asia/Shanghai:

- found: found_at in P.
- assigned: distinct problems with an ``assign`` or ``reassign`` event in P.
- closed: closed_at in P.
- rejected: ``reject`` events in P (events, not problems).
- due: deadline within [start, end], not invalidated before ends_at.
- closed of due: due and closed_at < ends_at.  Closure rate = closed of due / due.
- closed on time: due and the local date of closed_at <= deadline.  On-time rate = that / due.
- overdue at period end: found_at < ends_at, deadline <= end, not closed before ends_at,
  not invalidated before ends_at.
- carried over: found_at < ends_at, not closed before ends_at, not invalidated before ends_at.
- rebound rate: found in P with ``rebound_of`` set / found in P.
- rejection rate: ``reject`` events in P / ``apply_close`` events in P.

The grid and road chiefs' tables (``chief_cell_figures``) group the same expressions by the
problem's current grid or road.

A closed problem is never invalid (only found, assigned and rectifying ones can be marked
invalid, and invalid is final), so "not invalidated" only has to be checked for problems whose
status is invalid: the subquery on their history runs for those rows alone.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import IsNull, LessThan, LessThanOrEqual
from django.utils import timezone

from campaign.models import Category, District, Grid, Road, Team, Unit, User
from ledger.choices import Action, Status
from ledger.models import Problem, ProblemEvent

from .periods import Period

# The counted figures, in the order reports show them.
COUNTS = (
    "found", "assigned", "closed", "rejected", "due", "closed_of_due", "closed_on_time", "overdue",
    "carried_over", "rebounds", "closing_applications",
)
# rate name -> (numerator, denominator)
RATES = {
    "closure_rate": ("closed_of_due", "due"),
    "on_time_rate": ("closed_on_time", "due"),
    "rebound_rate": ("rebounds", "found"),
    "rejection_rate": ("rejected", "closing_applications"),
}
# A breakdown's name -> the problem field it groups by.
DIMENSIONS = {"team": "team_id", "district": "district_id", "unit": "responsible_unit_id"}
_CELL = ("team_id", "district_id", "responsible_unit_id")

ASSIGN_ACTIONS = (Action.ASSIGN, Action.REASSIGN)


def district_id_of(district) -> int | None:
    """A district scope given as a District, an id or None (the whole city)."""
    if district is None:
        return None
    return district if isinstance(district, int) else district.pk


def rate(numerator: int, denominator: int) -> dict:
    """A rate kept exactly (numerator and denominator) with its float; null when nothing to divide."""
    value = None if not denominator else float(Fraction(numerator, denominator))
    return {"numerator": numerator, "denominator": denominator, "value": value}


def with_rates(counts: dict) -> dict:
    row = dict(counts)
    for name, (numerator, denominator) in RATES.items():
        row[name] = rate(counts[numerator], counts[denominator])
    return row


def zero_counts() -> dict:
    return dict.fromkeys(COUNTS, 0)


def invalidated_before(moment):
    """True for a problem marked invalid before ``moment`` (its history says when).

    The history is read for invalid problems only, one index look-up each: a scalar subquery
    (is there such an event's id?) rather than ``EXISTS``, which PostgreSQL may answer by
    hashing every invalidation of the ledger, a scan of all its events, once per condition."""
    before = (ProblemEvent.objects.filter(problem=OuterRef("pk"), action=Action.INVALIDATE, at__lt=moment)
              .order_by().values("pk")[:1])
    return Q(status=Status.INVALID) & Q(IsNull(Subquery(before), False))


def open_at(moment, *, found_at=None) -> Q:
    """Found before ``moment``, not closed before it, not invalidated before it.

    ``found_at``: an expression to compare instead of the field (see ``found_at_unindexed``)."""
    not_closed = Q(closed_at__isnull=True) | Q(closed_at__gte=moment)
    found_before = Q(found_at__lt=moment) if found_at is None else Q(LessThan(found_at, moment))
    return found_before & not_closed & ~invalidated_before(moment)


def found_at_unindexed():
    """``found_at`` as an expression no index answers. For a filter that keeps the few problems
    open at a period's end out of almost all found before it, PostgreSQL otherwise walks the
    ``found_at`` index over nearly the whole table (a random read per row, 2x slower than
    reading the table through at 100k problems)."""
    return Coalesce("found_at", "found_at")


def db_converter(field):
    """A function that turns a raw cursor's value of ``field``'s kind (a ``DateField()``, a
    ``DateTimeField()``) into what the ORM gives: SQLite returns dates and times as text."""
    expression = Value(None, output_field=field)
    converters = connection.ops.get_db_converters(expression)

    def convert(value):
        for converter in converters:
            value = converter(value, expression, connection)
        return value

    return convert


# --- Statements compiled once per process ---------------------------------------------------------
#
# Building a report's querysets (the conditional counts, the subqueries) and compiling them to SQL
# costs Django some milliseconds of CPU each time, about as long as PostgreSQL takes to run them on
# a small ledger. Their text depends only on the scope (a district, the user's), never on the
# period: the period's dates and instants are parameters. ``compiled_once`` compiles a queryset
# once per process and scope, with stand-in values for the period's, and after that only fills
# the period's values into the parameters.

# The stand-ins' first day: far before any ledger, so no other parameter of a report's queries
# (an action's name, a status, a unit's id) can equal one of them.
_STAND_IN_DAY = dt.date(1901, 2, 4)
_COMPILED: dict[tuple, tuple[str, list]] = {}


class _Slot(str):
    """In a compiled statement's parameters: where the value named so goes."""


def _adapted(value):
    """A date or an instant as the database adapter receives it from the ORM."""
    ops = connection.ops
    return ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else ops.adapt_datefield_value(value)


def compiled_once(key, build, **values) -> tuple[str, list]:
    """The SQL text and parameters of the queryset ``build(**values)``, its text compiled once
    per process for ``key`` (what the text depends on besides the values: a name and the scope;
    None: compile it every time, for a scope that is not worth keeping).

    ``values`` are dates and aware datetimes (a period's start, end, instants). The first time,
    ``build`` is called with a stand-in of the same kind for each (each its own day or second in
    1901); the parameters equal to a stand-in become slots, filled with ``values`` on each call.
    A date or instant in the parameters that is none of the stand-ins was computed from them
    inside ``build`` (and would be kept as computed for 1901): that is refused."""
    full_key = None if key is None else (key, connection.vendor, settings.TIME_ZONE)
    compiled = _COMPILED.get(full_key)
    if compiled is None:
        stand_ins = {}
        for number, (name, value) in enumerate(values.items()):
            day = _STAND_IN_DAY + dt.timedelta(days=number)
            stand_ins[name] = (timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0, number)), dt.UTC)
                               if isinstance(value, dt.datetime) else day)
        sql, params = build(**stand_ins).query.sql_with_params()
        slots = {_adapted(value): _Slot(name) for name, value in stand_ins.items()}
        template = []
        for param in params:
            if isinstance(param, (dt.date, str)) and str(param).startswith("1901-") and param not in slots:
                raise ValueError(f"{key}: a parameter computed from the stand-ins ({param}); pass it in values")
            template.append(slots.get(param, param) if isinstance(param, (dt.date, str)) else param)
        compiled = (sql, template)
        if full_key is not None:
            _COMPILED[full_key] = compiled
    sql, template = compiled
    return sql, [_adapted(values[param]) if isinstance(param, _Slot) else param for param in template]


def aggregate_query(queryset, **aggregates):
    """``queryset.aggregate(**aggregates)`` as a queryset, not run (for ``compiled_once``): its
    one row holds the aggregates in their order. Grouped by a constant, which Django leaves out
    of the GROUP BY, so they count all the rows, as ``aggregate`` does."""
    return (queryset.order_by().annotate(everything=Value(1)).values("everything").annotate(**aggregates)
            .values_list(*aggregates))


def scoped_problems(district=None):
    problems = Problem.objects.order_by()
    district_id = district_id_of(district)
    return problems if district_id is None else problems.filter(district_id=district_id)


def problem_count_expressions(period: Period) -> dict:
    """The problem-based figures of ``period`` as named conditional counts."""
    starts, ends = period.starts_at, period.ends_at
    due = Q(deadline__gte=period.start, deadline__lte=period.end) & ~invalidated_before(ends)
    closed_on_or_before_deadline = LessThanOrEqual(
        TruncDate("closed_at", tzinfo=timezone.get_default_timezone()), F("deadline"))
    return {
        "found": Count("id", filter=Q(found_at__gte=starts, found_at__lt=ends)),
        "closed": Count("id", filter=Q(closed_at__gte=starts, closed_at__lt=ends)),
        "due": Count("id", filter=due),
        # A closed problem is never invalid, so these need no invalidation check.
        "closed_of_due": Count("id", filter=Q(deadline__gte=period.start, deadline__lte=period.end,
                                              closed_at__lt=ends)),
        # The deadline first: the database then converts closed_at to a local date for the few
        # problems due in the period only, not for every row it counts.
        "closed_on_time": Count("id", filter=Q(deadline__gte=period.start, deadline__lte=period.end)
                                & Q(closed_on_or_before_deadline)),
        "overdue": Count("id", filter=open_at(ends) & Q(deadline__lte=period.end)),
        "carried_over": Count("id", filter=open_at(ends)),
        "rebounds": Count("id", filter=Q(found_at__gte=starts, found_at__lt=ends, rebound_of__isnull=False)),
    }


def event_count_expressions() -> dict:
    return {
        "assigned": Count("problem_id", distinct=True, filter=Q(action__in=ASSIGN_ACTIONS)),
        "rejected": Count("id", filter=Q(action=Action.REJECT)),
        "closing_applications": Count("id", filter=Q(action=Action.APPLY_CLOSE)),
    }


@dataclass(frozen=True)
class Bounds:
    """A period's dates and instants one by one, as ``Period`` has them: what ``compiled_once``
    passes a statement's builder (stand-ins the first time)."""

    start: dt.date
    end: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime


def bounds_of(period: Period) -> dict:
    return {"start": period.start, "end": period.end, "starts_at": period.starts_at, "ends_at": period.ends_at}


def _cell_problem_counts(period: Bounds, district_id: int | None):
    """The problem-based figures per (team, district, unit): problems found before the end or due in P."""
    return (scoped_problems(district_id)
            .filter(Q(found_at__lt=period.ends_at) | Q(deadline__gte=period.start, deadline__lte=period.end))
            .values(*_CELL)
            .annotate(**problem_count_expressions(period)))


def _cell_event_counts(period: Bounds, district_id: int | None):
    """The event-based figures per (team, district, unit) of the problems: the events of P."""
    events = ProblemEvent.objects.order_by().filter(
        at__gte=period.starts_at, at__lt=period.ends_at,
        action__in=(*ASSIGN_ACTIONS, Action.REJECT, Action.APPLY_CLOSE),
    )
    if district_id is not None:
        events = events.filter(problem__district_id=district_id)
    return events.values(*(f"problem__{field}" for field in _CELL)).annotate(**event_count_expressions())


# The cells' two grouped queries (problem-based and event-based figures) in one statement, their
# rows told apart by the first column, the event rows padded with zeros to the same columns.
CELL_COUNTS_SQL = "SELECT 1, p.* FROM ({problems}) p UNION ALL SELECT 2, e.*, {padding} FROM ({events}) e"


def cell_counts(*, period: Period, district=None) -> dict[tuple, dict]:
    """Every figure of ``period`` per (team_id, district_id, unit_id) of the problems' current
    responsibility: one statement of two grouped queries (compiled once per process and scope).
    Cells without any figure are left out."""
    district_id = district_id_of(district)
    bounds = bounds_of(period)
    problems_sql, problems_params = compiled_once(
        ("cell problem counts", district_id),
        lambda **values: _cell_problem_counts(Bounds(**values), district_id), **bounds)
    events_sql, events_params = compiled_once(
        ("cell event counts", district_id), lambda **values: _cell_event_counts(Bounds(**values), district_id),
        **bounds)
    problem_names, event_names = list(problem_count_expressions(period)), list(event_count_expressions())
    padding = ", ".join(["0"] * (len(problem_names) - len(event_names)))
    with connection.cursor() as cursor:
        cursor.execute(CELL_COUNTS_SQL.format(problems=problems_sql, events=events_sql, padding=padding),
                       [*problems_params, *events_params])
        rows = cursor.fetchall()
    cells: dict[tuple, dict] = {}
    for source, *row in rows:
        key, values = tuple(row[:len(_CELL)]), row[len(_CELL):]
        cell = cells.setdefault(key, zero_counts())
        for name, value in zip(problem_names if source == 1 else event_names, values, strict=False):
            cell[name] += value
    return {key: cell for key, cell in cells.items() if any(cell.values())}


def rollup(cells: dict[tuple, dict], dimension: str | None) -> dict:
    """Sum the cells by one dimension ("team", "district", "unit"), or all of them (None)."""
    index = None if dimension is None else _CELL.index(DIMENSIONS[dimension])
    totals: dict = {}
    for key, cell in cells.items():
        group = totals.setdefault(None if index is None else key[index], zero_counts())
        for name, value in cell.items():
            group[name] += value
    return totals


@dataclass
class Breakdowns:
    """A period's figures: city-wide and per team, district and unit (rows with ids and names)."""

    city: dict
    teams: list[dict]
    districts: list[dict]
    units: list[dict]

    def as_dict(self) -> dict:
        return {"city": self.city, "teams": self.teams, "districts": self.districts, "units": self.units}


@dataclass
class Directory:
    """The names a report prints beside its ids, read in one query for all its sections: the
    districts ``{id: (code, name, name_en)}`` in the database's order of their codes, the units
    ``{id: (name, name_en, district_id)}``, the teams ``{id: (code, name, name_en)}``, the
    categories ``{id: (name_zh, name_en)}`` and the teams of each unit (``unit_teams``, every
    unit that has one). These tables hold tens to hundreds of rows; reading them whole costs
    less than a join per list (each list's query then joins the sample point alone)."""

    districts: dict[int, tuple]
    units: dict[int, tuple]
    teams: dict[int, tuple]
    categories: dict[int, tuple]
    unit_teams: dict[int, list[int]]


def directory() -> Directory:
    """The names and the units' teams, one query (see ``Directory``)."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    memberships = Team.member_units.through
    # Built from the models' table and column names only (no input reaches the text).
    sql = (
        f"SELECT 'd', id, code, name, name_en, NULL, ROW_NUMBER() OVER (ORDER BY code) FROM {table(District)} "  # noqa: S608
        f"UNION ALL SELECT 'u', id, NULL, name, name_en, district_id, 0 FROM {table(Unit)} "
        f"UNION ALL SELECT 't', id, code, name, name_en, lead_unit_id, 0 FROM {table(Team)} "
        f"UNION ALL SELECT 'c', id, NULL, name_zh, name_en, NULL, 0 FROM {table(Category)} "
        f"UNION ALL SELECT 'm', team_id, NULL, NULL, NULL, unit_id, 0 FROM {table(memberships)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    districts, units, teams, categories = [], {}, {}, {}
    unit_teams: dict[int, set[int]] = {}
    for kind, pk, code, name, name_en, other, order in rows:
        if kind == "d":
            districts.append((order, pk, (code, name, name_en)))
        elif kind == "u":
            units[pk] = (name, name_en, other)
        elif kind == "t":
            teams[pk] = (code, name, name_en)
            if other is not None:  # the unit that leads the team
                unit_teams.setdefault(other, set()).add(pk)
        elif kind == "c":
            categories[pk] = (name, name_en)
        else:  # a member unit (other) of the team (pk)
            unit_teams.setdefault(other, set()).add(pk)
    districts.sort()
    return Directory(districts={pk: names for _order, pk, names in districts}, units=units, teams=teams,
                     categories=categories, unit_teams={pk: sorted(ids) for pk, ids in unit_teams.items()})


def unit_team_ids(unit_ids: Iterable[int] | None) -> dict[int, list[int]]:
    """The teams each unit leads or belongs to, so team leads can narrow unit rows.

    ``None``: every unit that has a team (a report's sections then share one look-up; a unit
    missing from the result has none)."""
    memberships = Team.member_units.through.objects.all()
    leads = Team.objects.exclude(lead_unit_id=None)
    teams: dict[int, set[int]] = {}
    if unit_ids is not None:
        wanted = [pk for pk in unit_ids if pk is not None]
        teams = {pk: set() for pk in wanted}
        memberships, leads = memberships.filter(unit_id__in=wanted), leads.filter(lead_unit_id__in=wanted)
    for unit_id, team_id in memberships.values_list("unit_id", "team_id"):
        teams.setdefault(unit_id, set()).add(team_id)
    for team_id, unit_id in leads.values_list("id", "lead_unit_id"):
        teams.setdefault(unit_id, set()).add(team_id)
    return {pk: sorted(ids) for pk, ids in teams.items()}


def breakdowns(*, period: Period, district=None, cells: dict[tuple, dict] | None = None,
               unit_teams: dict[int, list[int]] | None = None, names: Directory | None = None) -> Breakdowns:
    """The period's figures city-wide (or for ``district``) and per team, district and unit.

    Rows are ordered by name; the row for problems without a team or unit has id None. The names
    and the units' teams come from ``names`` (read here, one query, when not given)."""
    cells = cell_counts(period=period, district=district) if cells is None else cells
    city = with_rates(rollup(cells, None).get(None, zero_counts()))
    names = directory() if names is None else names
    unit_teams = names.unit_teams if unit_teams is None else unit_teams

    no_team = ("", "", "")
    teams = []
    for pk, counts in rollup(cells, "team").items():
        code, name, name_en = names.teams.get(pk, no_team)
        teams.append({"team_id": pk, "code": code, "name": name, "name_en": name_en, **with_rates(counts)})
    teams.sort(key=lambda row: (row["team_id"] is None, row["code"]))

    districts = []
    for pk, counts in rollup(cells, "district").items():
        code, name, name_en = names.districts[pk]
        districts.append({"district_id": pk, "code": code, "name": name, "name_en": name_en, **with_rates(counts)})
    districts.sort(key=lambda row: row["code"])

    no_unit = ("", "", None)
    units = []
    for pk, counts in rollup(cells, "unit").items():
        name, name_en, district_id = names.units.get(pk, no_unit)
        units.append({"unit_id": pk, "name": name, "name_en": name_en, "district_id": district_id,
                      "team_ids": unit_teams.get(pk, []), **with_rates(counts)})
    units.sort(key=lambda row: (row["unit_id"] is None, row["name"]))
    return Breakdowns(city=city, teams=teams, districts=districts, units=units)


def city_figures(*, period: Period, district=None) -> dict:
    """The period's city-wide (or one district's) figures with their rates."""
    return with_rates(rollup(cell_counts(period=period, district=district), None).get(None, zero_counts()))


# --- Per grid and per road chief -----------------------------------------------------------------

# What the chiefs' tables show of each cell (the same rules as every other figure).
CHIEF_COUNTS = ("found", "due", "closed_on_time", "overdue", "carried_over")
CHIEF_CELLS = {"grid": Grid, "road": Road}


def chief_cell_figures(*, period: Period, cell: str, district=None) -> list[dict]:
    """Per grid cell (``cell="grid"``) or road (``"road"``) of the city (or of ``district``):
    problems found in the period, due, closed on time, overdue and carried over at its end, and
    the on-time rate, by the problem's current grid or road (one grouped query), with the cell's
    chief as printed (``chief_name``) and the people who sign in as its chief. Every cell is
    listed, those with nothing too; ordered by district and name."""
    model = CHIEF_CELLS[cell]
    expressions = {name: problem_count_expressions(period)[name] for name in CHIEF_COUNTS}
    problems = (scoped_problems(district)
                .filter(**{f"{cell}__isnull": False})
                .filter(Q(found_at__lt=period.ends_at) | Q(deadline__gte=period.start, deadline__lte=period.end))
                .values(f"{cell}_id").annotate(**expressions))
    counts = {row[f"{cell}_id"]: row for row in problems}
    cells = model.objects.select_related("district").order_by("district__code", "pk")
    district_id = district_id_of(district)
    if district_id is not None:
        cells = cells.filter(district_id=district_id)
    chiefs: dict[int, list[str]] = {}
    for user in User.objects.filter(role=model.chief_role, is_active=True,
                                    **{f"{cell}__in": cells}).order_by("username"):
        chiefs.setdefault(getattr(user, f"{cell}_id"), []).append(user.get_full_name())
    rows = []
    for place in cells:
        figures = {name: (counts.get(place.pk) or {}).get(name, 0) for name in CHIEF_COUNTS}
        rows.append({
            "id": place.pk, "name": str(place), "code": getattr(place, "code", ""),
            "district_id": place.district_id, "district": place.district.label,
            "chief_name": place.chief_name, "chiefs": chiefs.get(place.pk, []),
            **figures, "on_time_rate": rate(figures["closed_on_time"], figures["due"]),
        })
    rows.sort(key=lambda row: (row["district"], row["name"]))
    return rows
