"""An independent recomputation of the report figures from the exported ledger, with pandas only.

It reads what a person could take away from the application: the ledger in the template
(ledger/transfer/export.py ``write_ledger``, Chinese headers) and the history CSV
(``write_history`` / ``manage.py export_ledger_history``), and counts the published figure rules
(README, "Reports") again without the ORM or reports/figures.py. Breakdowns are keyed by names
(district, unit, special team), as the files carry them; "" stands for none.

Periods are whole local days, so every rule is counted on local dates: "at in P" is "the local
date of at lies in [start, end]", "before P's end" is "on or before end".
"""

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd

# The template's Chinese headers (ledger/transfer/columns.py), spelled out again on purpose.
HEADERS = {
    "编号": "code", "发现日期": "found_on", "区县": "district", "类别": "category", "样本点": "sample_point",
    "地址": "address", "问题描述": "description", "来源": "source", "等级": "severity", "责任单位": "unit",
    "整改时限": "deadline", "状态": "status", "整改情况": "rectification", "销号日期": "closed_on",
}
COUNTS = ("found", "assigned", "closed", "rejected", "due", "closed_of_due", "closed_on_time", "overdue",
          "carried_over", "rebounds", "closing_applications")
RATES = {"closure_rate": ("closed_of_due", "due"), "on_time_rate": ("closed_on_time", "due"),
         "rebound_rate": ("rebounds", "found"), "rejection_rate": ("rejected", "closing_applications")}
GROUPS = {"districts": "district", "units": "unit", "teams": "team"}


def _date(series: pd.Series) -> pd.Series:
    """Dates as datetime.date (NaT -> None), whatever Excel or the CSV gave."""
    parsed = pd.to_datetime(series, errors="coerce")
    return parsed.dt.date.where(parsed.notna(), None)


@dataclass
class Ledger:
    problems: pd.DataFrame  # one row per problem: code, found_on, district, unit, team, deadline, closed_on, rebound_of
    events: pd.DataFrame  # one row per event: code, seq, on (local date), action, unit, deadline, sheet


def load_ledger(workbook: bytes, history_csv: str) -> Ledger:
    problems = pd.read_excel(io.BytesIO(workbook), dtype=object).rename(columns=HEADERS)
    problems = problems[list(HEADERS.values())]
    for column in ("found_on", "deadline", "closed_on"):
        problems[column] = _date(problems[column])
    for column in ("district", "unit"):
        problems[column] = problems[column].fillna("").astype(str)
    events = pd.read_csv(io.StringIO(history_csv), dtype=str, keep_default_na=False)
    # The offset written with each time is the campaign's: its date is the local date.
    events["on"] = events["at"].str.slice(0, 10).map(dt.date.fromisoformat)
    events["seq"] = events["seq"].astype(int)
    first = events[events["seq"] == 1].set_index("code")
    problems["team"] = problems["code"].map(first["team"]).fillna("")
    problems["rebound_of"] = problems["code"].map(first["rebound_of"]).fillna("")
    return Ledger(problems=problems.set_index("code", drop=False), events=events)


def _in(days: pd.Series, start: dt.date, end: dt.date) -> pd.Series:
    return days.map(lambda day: day is not None and start <= day <= end).astype(bool)


def _on_or_before(days: pd.Series, limit) -> pd.Series:
    if isinstance(limit, pd.Series):
        return pd.Series([d is not None and m is not None and d <= m for d, m in zip(days, limit, strict=True)],
                         index=days.index, dtype=bool)
    return days.map(lambda day: day is not None and day <= limit).astype(bool)


def _codes(events: pd.DataFrame, mask: pd.Series) -> set:
    return set(events.loc[mask, "code"])


@dataclass
class State:
    """Per problem, the facts of one period the rules are made of (boolean Series by code)."""

    found: pd.Series
    closed: pd.Series
    due: pd.Series
    closed_of_due: pd.Series
    closed_on_time: pd.Series
    overdue: pd.Series
    carried_over: pd.Series
    rebounds: pd.Series


def period_state(ledger: Ledger, start: dt.date, end: dt.date) -> State:
    p, e = ledger.problems, ledger.events
    invalidated = p["code"].isin(_codes(e, (e["action"] == "invalidate") & _on_or_before(e["on"], end)))
    closed_by_end = _on_or_before(p["closed_on"], end)
    in_deadline = _in(p["deadline"], start, end)
    due = in_deadline & ~invalidated
    open_at_end = _on_or_before(p["found_on"], end) & ~closed_by_end & ~invalidated
    found = _in(p["found_on"], start, end)
    return State(
        found=found,
        closed=_in(p["closed_on"], start, end),
        due=due,
        closed_of_due=due & closed_by_end,
        closed_on_time=due & _on_or_before(p["closed_on"], p["deadline"]),
        overdue=open_at_end & _on_or_before(p["deadline"], end),
        carried_over=open_at_end,
        rebounds=found & (p["rebound_of"] != ""),
    )


def _events_in(ledger: Ledger, start: dt.date, end: dt.date) -> pd.DataFrame:
    e = ledger.events
    return e[_in(e["on"], start, end)]


def figure_table(ledger: Ledger, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Every count per problem (0/1, or a number of events), indexed by code, with its groups."""
    state = period_state(ledger, start, end)
    p = ledger.problems
    table = pd.DataFrame({name: getattr(state, name).astype(int) for name in State.__dataclass_fields__},
                         index=p.index)
    events = _events_in(ledger, start, end)
    assigned = _codes(events, events["action"].isin(["assign", "reassign"]))
    table["assigned"] = p["code"].isin(assigned).astype(int)
    for name, action in (("rejected", "reject"), ("closing_applications", "apply_close")):
        counts = events[events["action"] == action].groupby("code").size()
        table[name] = p["code"].map(counts).fillna(0).astype(int)
    for column in ("district", "unit", "team"):
        table[column] = p[column]
    return table


def _with_rates(counts: dict) -> dict:
    row = {name: int(counts[name]) for name in COUNTS}
    for name, (numerator, denominator) in RATES.items():
        row[name] = (row[numerator], row[denominator])
    return row


def progress(ledger: Ledger, start: dt.date, end: dt.date, district: str | None = None) -> dict:
    """{"city": figures, "districts"|"units"|"teams": {name: figures}} with rates as
    (numerator, denominator); groups without any figure are left out."""
    table = figure_table(ledger, start, end)
    if district is not None:
        table = table[table["district"] == district]
    result = {"city": _with_rates(table[list(COUNTS)].sum())}
    for key, column in GROUPS.items():
        sums = table.groupby(column)[list(COUNTS)].sum()
        result[key] = {name: _with_rates(row) for name, row in sums.iterrows() if row.sum() > 0}
    return result


def earlier_matters(ledger: Ledger, start: dt.date, end: dt.date, district: str | None = None) -> dict:
    """Assigned (an assign or reassign event) before the week and open at its end."""
    e, p = ledger.events, ledger.problems
    state = period_state(ledger, start, end)
    assigned_before = p["code"].isin(_codes(e, e["action"].isin(["assign", "reassign"]) & e["on"].map(
        lambda day: day < start)))
    matters = p[assigned_before & state.carried_over]
    if district is not None:
        matters = matters[matters["district"] == district]
    rejected = _codes(e, (e["action"] == "reject") & _on_or_before(e["on"], end))
    overdue = matters[_on_or_before(matters["deadline"], end)]
    rejections = e[(e["action"] == "reject") & _on_or_before(e["on"], end)].groupby("code").size()
    return {
        "total": len(matters), "overdue": len(overdue), "rejected": int(matters["code"].isin(rejected).sum()),
        "codes": set(matters["code"]), "overdue_codes": set(overdue["code"]),
        "rejections": {code: int(rejections.get(code, 0)) for code in matters["code"]},
        "days_overdue": {code: ((end - deadline).days + 1) for code, deadline in overdue["deadline"].items()},
    }


def coming_week(ledger: Ledger, start: dt.date, end: dt.date, district: str | None = None) -> dict:
    """Open at the week's end with a deadline in the following week, per unit."""
    state = period_state(ledger, start, end)
    p = ledger.problems
    following = (end + dt.timedelta(days=1), end + dt.timedelta(days=7))
    due = p[state.carried_over & _in(p["deadline"], *following)]
    if district is not None:
        due = due[due["district"] == district]
    return {"total": len(due), "codes": set(due["code"]), "units": due.groupby("unit").size().to_dict()}


def sheets(ledger: Ledger, start: dt.date, end: dt.date, district: str | None = None) -> dict[str, set]:
    """Assignment sheets issued in the week: sheet number -> the codes it lists."""
    events = _events_in(ledger, start, end)
    listed = events[(events["action"] == "issue_sheet") & (events["sheet"] != "")]
    if district is not None:
        listed = listed[listed["code"].map(ledger.problems["district"]) == district]
    return {number: set(group["code"]) for number, group in listed.groupby("sheet")}
