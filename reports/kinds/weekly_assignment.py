"""The weekly assignment report (每周交办) for Monday's meeting, for the ISO week P just ended:

(a) progress: the published figures (reports/figures.py) city-wide and per team, district
    and unit;
(b) the assignment sheets (交办单) issued in P, with their problems, units and deadlines;
(c) matters assigned before P and still open at P's end: open, overdue, rejected;
(d) this week's tasks: what falls due per unit in the week after P (problems open at P's end
    with a deadline in it), and the free-text tasks HQ entered for that week.

Everything is as of P's end (ends_at), so a report computed again later shows the same
figures. Lists hold at most LIST_LIMIT items and always say how many there are in all.
"""

import functools
from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import DenseRank
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from campaign.models import SamplePoint
from campaign.spreadsheets import write_cell
from ledger.choices import Action
from ledger.fingerprints import latest_fingerprint
from ledger.models import AssignmentSheetItem, Problem, ProblemEvent

from .. import figures
from ..excel import add_chart, sheet_title, write_table
from ..models import Report, WeeklyTask
from ..periods import Period
from . import public_channel, special_actions

KIND = "weekly_assignment"
LABEL = gettext_lazy("Weekly assignment")
PERIOD = "week"
ORDER = 10
TEMPLATE = "reports/kinds/weekly_assignment.html"
LIST_LIMIT = 5000

# The problem's columns each list reads, first in every list's rows; the names of its district,
# unit, team and category come from the report's directory (figures.directory), read once.
PROBLEM_COLUMNS = (
    "id", "code", "description", "address", "severity", "deadline", "district_id", "responsible_unit_id",
    "team_id", "category_id", "point_name",
)


def _point_name(prefix: str = ""):
    """The sample point's name as a scalar look-up by primary key: PostgreSQL runs it for the
    listed rows only, after the sort and the LIMIT, where a join to the points was planned as
    a scan of them for each problem kept (5,800 x 172 comparisons at 100k problems)."""
    return Subquery(SamplePoint.objects.filter(pk=OuterRef(f"{prefix}sample_point_id")).values("name")[:1])
_NO_DISTRICT = (None, None, None)
_NO_UNIT = (None, None, None)
_NO_TEAM = (None, None, None)
_NO_CATEGORY = (None, None)


def compute(*, period: Period, district=None, progress: Callable[[int], None] = lambda percent: None) -> dict:
    # The names and the teams of every unit, looked up once for all the sections (team leads
    # narrow by the teams).
    names = figures.directory()
    breakdown = figures.breakdowns(period=period, district=district, names=names)
    progress(40)
    sheets = assignment_sheets(period=period, district=district, names=names)
    progress(55)
    earlier = earlier_matters(period=period, district=district, names=names)
    progress(75)
    coming = coming_week(period=period, district=district, names=names)
    progress(95)
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "district_id": figures.district_id_of(district),
        "progress": breakdown.as_dict(),
        "sheets": sheets,
        "earlier": earlier,
        "coming": coming,
        # Beside the figures, never in them (reports/kinds/public_channel.py).
        public_channel.KEY: public_channel.section(period=period, district=district, districts=names.districts),
        # The special actions' progress as of the week's end (programme/selectors/actions.py).
        special_actions.KEY: special_actions.section(period=period, district=district),
        "list_limit": LIST_LIMIT,
        # The ledger's newest fingerprint when the week ended (taken the night after), for the cover.
        "ledger_fingerprint": latest_fingerprint(until=period.end + timedelta(days=1)),
    }


# --- Lists ------------------------------------------------------------------------------------


def _scoped(queryset, district, field: str = "district_id"):
    district_id = figures.district_id_of(district)
    return queryset if district_id is None else queryset.filter(**{field: district_id})


def _problem_item(row: tuple, names: figures.Directory) -> dict:
    """A listed problem from its PROBLEM_COLUMNS (the first of ``row``), named from ``names``."""
    pk, code, description, address, severity, deadline, district_id, unit_id, team_id, category_id, point = row[:11]
    _code, district, district_en = names.districts.get(district_id, _NO_DISTRICT)
    unit, unit_en, _district = names.units.get(unit_id, _NO_UNIT)
    category, category_en = names.categories.get(category_id, _NO_CATEGORY)
    return {
        "problem_id": pk,
        "code": code,
        "description": description,
        "place": point or address,
        "severity": severity,
        "category": category,
        "category_en": category_en,
        "deadline": deadline.isoformat() if deadline else None,
        "district_id": district_id,
        "district": district,
        "district_en": district_en,
        "unit_id": unit_id,
        "unit": unit or "",
        "unit_en": unit_en or "",
        "team_id": team_id,
        "team": names.teams.get(team_id, _NO_TEAM)[1] or "",
        "team_ids": names.unit_teams.get(unit_id, []),
    }


def _local_iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes")


def assignment_sheets(*, period: Period, district=None, names: figures.Directory | None = None) -> dict:
    """The sheets issued in P with their lines (for a district: the lines of its problems).

    One query: the lines with their sheet and problem, and the totals of all lines and sheets
    as window counts over the same rows, counted before the list's LIMIT (the number of sheets
    is the distinct sheets' dense rank counted up plus counted down, less one)."""
    names = figures.directory() if names is None else names
    items = _scoped(
        AssignmentSheetItem.objects.filter(sheet__issued_at__gte=period.starts_at, sheet__issued_at__lt=period.ends_at),
        district, "problem__district_id",
    )
    closed_by_end = ExpressionWrapper(Q(problem__closed_at__lt=period.ends_at), output_field=BooleanField())
    sheets_counted = ExpressionWrapper(
        Window(DenseRank(), order_by=F("sheet_id").asc()) + Window(DenseRank(), order_by=F("sheet_id").desc()) - 1,
        output_field=IntegerField())
    rows = list(
        items.annotate(closed=closed_by_end, total_items=Window(Count("id")), total_sheets=sheets_counted,
                       problem__point_name=_point_name("problem__"))
        .order_by("sheet__issued_at", "sheet_id", "line")
        .values_list(*(f"problem__{field}" for field in PROBLEM_COLUMNS), "sheet_id", "line", "deadline", "closed",
                     "sheet__number", "sheet__unit_id", "sheet__district_id", "sheet__issued_at", "sheet__note",
                     "total_items", "total_sheets")[:LIST_LIMIT])
    totals = {"total_items": rows[0][-2], "total_sheets": rows[0][-1]} if rows else {"total_items": 0, "total_sheets": 0}
    listed: dict[int, dict] = {}
    for row in rows:
        sheet_id, line, deadline, closed, number, unit_id, sheet_district_id, issued_at, note = row[11:20]
        entry = listed.get(sheet_id)
        if entry is None:
            unit, unit_en, unit_district_id = names.units.get(unit_id, _NO_UNIT)
            entry = listed[sheet_id] = {
                "sheet_id": sheet_id, "number": number, "unit_id": unit_id, "unit": unit, "unit_en": unit_en,
                "district_id": sheet_district_id or unit_district_id,
                "team_ids": names.unit_teams.get(unit_id, []),
                "issued_at": _local_iso(issued_at), "note": note, "items": [],
            }
        item = _problem_item(row, names)
        item.update(line=line, deadline=deadline.isoformat(), closed=bool(closed))
        entry["items"].append(item)
    return {**totals, "list": list(listed.values())}


# The earlier matters' statement (section c), one per scope, built once per process: the
# candidates' query (``_earlier_candidates``: open at P's end, found before P) is the ORM's,
# compiled once (figures.compiled_once) and set in as {candidates}; the period's values, the
# actions and the list's limit are parameters, in the order of the text. Each candidate's history
# is read once, the events before P's end numbered newest first, and summed up in one grouped
# pass: the first assignment, the rejections, the last rejection's reason and the status at P's
# end. One numbering serves both "newest": the newest event's status (row 1) and the newest
# rejection's reason (the reject whose running count of rejections, newest first, is 1). Where
# each of these was a look-up of its own per problem (two of them run twice, in the filter or the
# totals and again in the list), PostgreSQL read each history four to six times. A first
# assignment before P's start is the first before its end too, so the events before the end do.
# The totals are window counts over the kept matters, counted before the LIMIT; the sample
# point's name is a look-up by key, which PostgreSQL runs for the listed rows only.
EARLIER_MATTERS_SQL = """
WITH candidates AS ({candidates}),
history AS (
    SELECT e.problem_id, e.action, e.at, e.note, e.to_status,
           ROW_NUMBER() OVER newest_first AS newest,
           COUNT(CASE WHEN e.action = %s THEN 1 END) OVER newest_first AS rejections_from_newest
    FROM {events} e
    WHERE e.problem_id IN (SELECT id FROM candidates) AND e.at < %s
    WINDOW newest_first AS (PARTITION BY e.problem_id ORDER BY e.at DESC, e.seq DESC ROWS UNBOUNDED PRECEDING)
),
summary AS (
    SELECT problem_id,
           MIN(CASE WHEN action IN (%s, %s) THEN at END) AS first_assigned_at,
           COUNT(CASE WHEN action = %s THEN 1 END) AS rejections,
           MAX(CASE WHEN action = %s AND rejections_from_newest = 1 THEN note END) AS last_rejection,
           MAX(CASE WHEN newest = 1 THEN to_status END) AS status_at_end
    FROM history
    GROUP BY problem_id
),
matters AS (
    SELECT c.*, s.rejections, s.last_rejection, s.status_at_end, s.first_assigned_at
    FROM candidates c JOIN summary s ON s.problem_id = c.id
    WHERE s.first_assigned_at < %s
)
SELECT {columns},
       (SELECT sp.name FROM {points} sp WHERE sp.id = m.sample_point_id) AS point_name,
       m.rejections, m.last_rejection, m.status_at_end, m.first_assigned_at,
       COUNT(*) OVER () AS total,
       COUNT(CASE WHEN m.deadline <= %s THEN 1 END) OVER () AS overdue_total,
       COUNT(CASE WHEN m.rejections > 0 THEN 1 END) OVER () AS rejected_total
FROM matters m
ORDER BY m.deadline, m.code
LIMIT %s
"""
# The candidates' columns: the listed problem's (PROBLEM_COLUMNS without the point's name).
_CANDIDATE_COLUMNS = (*PROBLEM_COLUMNS[:-1], "sample_point_id")


@functools.cache
def _earlier_matters_statement(candidates_sql: str) -> str:
    """EARLIER_MATTERS_SQL around the candidates' compiled query (one text per scope, kept)."""
    return EARLIER_MATTERS_SQL.format(
        candidates=candidates_sql, events=ProblemEvent._meta.db_table, points=SamplePoint._meta.db_table,
        columns=", ".join(f"m.{column}" for column in _CANDIDATE_COLUMNS[:-1]))


def _earlier_candidates(period: figures.Bounds, district_id: int | None):
    """The earlier matters' candidates: problems open at P's end and found before P (their
    listed columns). "Found before P" on an expression no index answers: a walk of the found_at
    index over nearly the whole table is slower than reading it through (found_at_unindexed)."""
    found_at = figures.found_at_unindexed()
    return (_scoped(Problem.objects.order_by(), district_id)
            .filter(figures.open_at(period.ends_at, found_at=found_at), LessThan(found_at, period.starts_at))
            .values_list(*_CANDIDATE_COLUMNS))


def earlier_matters(*, period: Period, district=None, names: figures.Directory | None = None) -> dict:
    """Problems assigned before P (an assign or reassign event before P's start) and still open
    at P's end (published "carried over" rule); each says whether it is overdue at P's end and
    how often its closing was rejected before then.

    One statement (EARLIER_MATTERS_SQL): the candidates, problems open at P's end and found
    before P, from the ORM; their histories summed up once; the totals over the kept matters."""
    names = figures.directory() if names is None else names
    district_id = figures.district_id_of(district)
    candidates_sql, candidates_params = figures.compiled_once(
        ("earlier matters' candidates", district_id),
        lambda **bounds: _earlier_candidates(figures.Bounds(**bounds), district_id), **figures.bounds_of(period))
    ops = connection.ops
    params = [
        *candidates_params, Action.REJECT, ops.adapt_datetimefield_value(period.ends_at),
        *figures.ASSIGN_ACTIONS, Action.REJECT, Action.REJECT,
        ops.adapt_datetimefield_value(period.starts_at), ops.adapt_datefield_value(period.end), LIST_LIMIT,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_earlier_matters_statement(candidates_sql), params)
        rows = cursor.fetchall()
    counts = ({"total": rows[0][-3], "overdue": rows[0][-2], "rejected": rows[0][-1]} if rows
              else {"total": 0, "overdue": 0, "rejected": 0})
    end = period.end
    # timezone.localdate per row looks the current time zone up each time (an asgiref local,
    # a sixth of the Python time of this list); it is the same zone for every row.
    zone = timezone.get_current_timezone()
    # A raw cursor gives SQLite's dates and times as text: converted as the ORM converts them.
    as_date, as_datetime = figures.db_converter(DateField()), figures.db_converter(DateTimeField())
    items = []
    for row in rows:
        row = list(row)
        row[5] = deadline = as_date(row[5])
        item = _problem_item(row, names)
        rejected, last_rejection, status, first_assigned_at = row[11:15]
        days = (end - deadline).days + 1 if deadline and deadline <= end else 0
        item.update(
            overdue=days > 0, days_overdue=days, rejections=rejected or 0,
            last_rejection=last_rejection or "", status=status,
            assigned_on=as_datetime(first_assigned_at).astimezone(zone).date().isoformat(),
        )
        items.append(item)
    return {**counts, "list": items}


def next_week(period: Period) -> Period:
    return Period(period.end + timedelta(days=1), period.end + timedelta(days=7))


def coming_week(*, period: Period, district=None, names: figures.Directory | None = None) -> dict:
    """What falls due in the week after P: problems open at P's end with a deadline in it, per
    unit and listed; and HQ's free-text tasks for that week."""
    names = figures.directory() if names is None else names
    week = next_week(period)
    due = _scoped(Problem.objects.order_by(), district).filter(
        figures.open_at(period.ends_at), deadline__gte=week.start, deadline__lte=week.end)
    # Counted per unit and team in one grouped query: the units' rows are its sums, and the teams
    # whose problems a unit owes come with them.
    per_unit: dict = {}
    problem_teams: dict = {}
    for unit_id, team_id, count in due.values_list("responsible_unit_id", "team_id").annotate(due=Count("id")):
        per_unit[unit_id] = per_unit.get(unit_id, 0) + count
        if team_id is not None:
            problem_teams.setdefault(unit_id, set()).add(team_id)
    rows = list(due.annotate(point_name=_point_name()).order_by("deadline", "code")
                .values_list(*PROBLEM_COLUMNS)[:LIST_LIMIT])
    # A team lead reads a unit's row when the unit serves the team or owes one of its problems
    # (street offices serve no team but answer for teams' problems), as the list is narrowed.
    unit_teams = names.unit_teams
    units = []
    for unit_id, count in per_unit.items():
        name, name_en, unit_district_id = names.units.get(unit_id, _NO_UNIT)
        teams = set(unit_teams.get(unit_id, ())) | problem_teams.get(unit_id, set())
        units.append({"unit_id": unit_id, "name": name or "", "name_en": name_en or "",
                      "district_id": unit_district_id, "team_ids": sorted(teams), "due": count})
    units.sort(key=lambda row: (-row["due"], row["name"]))
    tasks = WeeklyTask.objects.filter(week_start=week.start).order_by("id")
    district_id = figures.district_id_of(district)
    if district_id is not None:
        tasks = tasks.filter(Q(unit__isnull=True) | Q(unit__district_id=district_id) | Q(unit__district__isnull=True))
    task_list = []
    for task_id, text, unit_id, due_on in tasks.values_list("id", "text", "unit_id", "due_on"):
        unit, unit_en, unit_district_id = names.units.get(unit_id, _NO_UNIT)
        task_list.append({"task_id": task_id, "text": text, "unit_id": unit_id, "unit": unit or "",
                          "unit_en": unit_en or "", "district_id": unit_district_id,
                          "team_ids": unit_teams.get(unit_id, []),
                          "due_on": due_on.isoformat() if due_on else None})
    return {
        "start": week.start.isoformat(), "end": week.end.isoformat(), "label": week.label,
        "total": sum(row["due"] for row in units),
        "units": units,
        "list": [_problem_item(row, names) for row in rows],
        "tasks": task_list,
    }


# --- Workbook -----------------------------------------------------------------------------------

PERCENT = "0.0%"


def _rate_cell(value: dict):
    return value["value"]


def _figure_headers() -> list[str]:
    return [_("Found"), _("Assigned"), _("Closed"), _("Rejected"), _("Due"), _("Closed of due"),
            _("Closed on time"), _("Overdue"), _("Carried over"), _("Closure rate"), _("On-time closure rate")]


def _figure_cells(row: dict) -> list:
    return [row["found"], row["assigned"], row["closed"], row["rejected"], row["due"], row["closed_of_due"],
            row["closed_on_time"], row["overdue"], row["carried_over"], _rate_cell(row["closure_rate"]),
            _rate_cell(row["on_time_rate"])]


def _progress_sheet(workbook: Workbook, *, title: str, label: str, rows: list[dict], city: dict,
                    name_of: Callable[[dict], str], chart_title: str) -> None:
    ws = workbook.create_sheet(sheet_title(title))
    headers = [label, *_figure_headers()]
    body = [[name_of(row), *_figure_cells(row)] for row in rows]
    header_row, last = write_table(ws, title=title, headers=headers, rows=body,
                                   number_formats={len(headers) - 1: PERCENT, len(headers): PERCENT})
    # Totals under the table: the whole scope, which the rows add up to.
    write_cell(ws, row=last + 1, column=1, value=_("Total")).font = Font(bold=True)
    for column, value in enumerate(_figure_cells(city), start=2):
        cell = write_cell(ws, row=last + 1, column=column, value=value)
        if column >= len(headers) - 1:
            cell.number_format = PERCENT
    add_chart(ws, title=chart_title, header_row=header_row, last_row=last, category_column=1,
              value_columns=[2, 4, 9], anchor=f"A{last + 4}", y_title=_("Problems"))


def _unnamed(name: str, fallback: str) -> str:
    return name or fallback


def _fingerprint_on_cover(cover, fingerprint: dict | None) -> None:
    if fingerprint:
        row = cover.max_row + 2
        write_cell(cover, row=row, column=1, value=_("Ledger fingerprint")).font = Font(bold=True)
        write_cell(cover, row=row, column=2, value=_("%(day)s, %(problems)s problems") % fingerprint)
        write_cell(cover, row=row + 1, column=2, value=fingerprint["digest"])


def write_workbook(*, workbook: Workbook, report: Report) -> None:
    data = report.data
    _fingerprint_on_cover(workbook.active, data.get("ledger_fingerprint"))
    progress = data["progress"]
    city = progress["city"]
    no_team, no_unit = _("(no team)"), _("(no unit)")
    _progress_sheet(workbook, title=_("Progress by district"), label=_("District"), rows=progress["districts"],
                    city=city, name_of=lambda row: row["name"], chart_title=_("Found, closed and overdue by district"))
    _progress_sheet(workbook, title=_("Progress by team"), label=_("Special team"), rows=progress["teams"],
                    city=city, name_of=lambda row: _unnamed(row["name"], no_team),
                    chart_title=_("Found, closed and overdue by team"))
    _progress_sheet(workbook, title=_("Progress by unit"), label=_("Unit"), rows=progress["units"], city=city,
                    name_of=lambda row: _unnamed(row["name"], no_unit),
                    chart_title=_("Found, closed and overdue by unit"))
    public_channel.write_sheet(workbook, data=data, label=data["period"]["label"])
    special_actions.write_sheet(workbook, data=data, label=data["period"]["label"])

    ws = workbook.create_sheet(sheet_title(_("Assignment sheets")))
    rows = [
        [sheet["number"], sheet["unit"], sheet["issued_at"][:10], item["line"], item["code"], item["district"],
         item["category"], item["place"], item["description"], item["deadline"],
         _("Closed") if item["closed"] else _("Open")]
        for sheet in data["sheets"]["list"] for item in sheet["items"]
    ]
    write_table(ws, title=_("Assignment sheets issued in %(week)s") % {"week": data["period"]["label"]}, headers=[
        _("Sheet"), _("Unit"), _("Issued on"), _("Line"), _("Code"), _("District"), _("Category"), _("Place"),
        _("Description"), _("Deadline"), _("At the week's end"),
    ], rows=rows)

    ws = workbook.create_sheet(sheet_title(_("Earlier matters")))
    earlier = data["earlier"]
    write_table(ws, title=_("Assigned before %(week)s and still open: %(total)s, overdue %(overdue)s, "
                            "rejected %(rejected)s") % {"week": data["period"]["label"], **earlier}, headers=[
        _("Code"), _("District"), _("Unit"), _("Category"), _("Place"), _("Description"), _("Assigned on"),
        _("Deadline"), _("Days overdue"), _("Times rejected"), _("Last rejection reason"),
    ], rows=[
        [item["code"], item["district"], item["unit"], item["category"], item["place"], item["description"],
         item["assigned_on"], item["deadline"], item["days_overdue"], item["rejections"], item["last_rejection"]]
        for item in earlier["list"]
    ])

    coming = data["coming"]
    ws = workbook.create_sheet(sheet_title(_("Due this week")))
    header_row, last = write_table(
        ws, title=_("Falling due %(start)s – %(end)s, per unit") % coming,
        headers=[_("Unit"), _("Problems due")],
        rows=[[_unnamed(row["name"], no_unit), row["due"]] for row in coming["units"]],
    )
    add_chart(ws, title=_("Problems falling due this week"), header_row=header_row, last_row=last,
              category_column=1, value_columns=[2], anchor="D3", y_title=_("Problems"))

    ws = workbook.create_sheet(sheet_title(_("Due this week, listed")))
    write_table(ws, title=_("Problems falling due %(start)s – %(end)s") % coming, headers=[
        _("Deadline"), _("Code"), _("District"), _("Unit"), _("Category"), _("Place"), _("Description"),
    ], rows=[
        [item["deadline"], item["code"], item["district"], item["unit"], item["category"], item["place"],
         item["description"]]
        for item in coming["list"]
    ])

    ws = workbook.create_sheet(sheet_title(_("This week's tasks")))
    write_table(ws, title=_("Tasks for the week of %(start)s") % coming, headers=[
        _("No."), _("Task"), _("Unit"), _("Due on"),
    ], rows=[
        [number, task["text"], task["unit"] or _("All units"), task["due_on"] or ""]
        for number, task in enumerate(coming["tasks"], start=1)
    ])
