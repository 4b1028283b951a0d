"""The weekly exposure's lists and the monthly comparison's ranking recomputed with pandas from
the exported ledger (reports/tests/recompute.py loads it) and a plain export of the submitted
inspections, without the ORM, reports/figures.py or the kind modules.

The published rules are spelled out again here on purpose: the severity and source labels as
the Chinese ledger template writes them, the red and black list rule, the weighted formula.
"""

import datetime as dt
import io

import pandas as pd

from . import recompute

SEVERITY_RANK = {"紧急": 0, "严重": 1}  # urgent, serious; everything else after them
UNANNOUNCED = "暗访"
COMPONENTS = ("inspection_score", "closure_rate", "on_time_rate", "rebound_rate", "rejection_rate")


def found_at(ledger: recompute.Ledger) -> pd.Series:
    """When each problem was found, to the microsecond: its first (record) event's time."""
    first = ledger.events[ledger.events["seq"] == 1].set_index("code")["at"]
    return pd.to_datetime(ledger.problems["code"].map(first), utc=True, format="ISO8601")


# --- Weekly exposure -------------------------------------------------------------------------------


def worst_problems(ledger: recompute.Ledger, start: dt.date, end: dt.date, *, limit: int,
                   district: str | None = None) -> dict[str, dict]:
    """{list key: {"total", "codes" (the first ``limit`` in order), "days_overdue"}}."""
    p, e = ledger.problems, ledger.events
    state = recompute.period_state(ledger, start, end)
    invalidated = p["code"].isin(set(e.loc[(e["action"] == "invalidate") & e["on"].map(lambda d: d <= end), "code"]))
    exposable = state.found & ~invalidated
    frame = pd.DataFrame({
        "code": p["code"], "found_at": found_at(ledger), "deadline": p["deadline"],
        "severity_rank": p["severity"].map(SEVERITY_RANK).fillna(2).astype(int),
    })
    frame.index.name = None  # the index is the code too; sort by the column
    masks = {
        "serious": exposable & p["severity"].isin(list(SEVERITY_RANK)),
        "overdue": state.overdue,
        "rebounds": exposable & (p["rebound_of"] != ""),
        "unannounced": exposable & (p["source"] == UNANNOUNCED),
    }
    orders = {
        "serious": ["severity_rank", "found_at", "code"],
        "overdue": ["deadline", "severity_rank", "found_at", "code"],
        "rebounds": ["found_at", "code"],
        "unannounced": ["severity_rank", "found_at", "code"],
    }
    in_scope = p["district"] == district if district is not None else pd.Series(True, index=p.index)
    result = {}
    for key, mask in masks.items():
        chosen = frame[mask & in_scope].sort_values(orders[key])
        top = chosen.head(limit)
        result[key] = {
            "total": len(chosen),
            "codes": list(top["code"]),
            "days_overdue": {code: (end - deadline).days + 1 for code, deadline in zip(top["code"], top["deadline"],
                                                                                        strict=True)
                             if key == "overdue"},
        }
    return result


def red_and_black(groups: dict[str, dict], *, size: int, min_due: int) -> dict:
    """The published rule over {name: figures} (recompute.progress's districts or units):
    {"red": [names], "black": [names], "below": count}."""
    rows = pd.DataFrame([
        {"name": name, "due": figures["due"], "on_time": figures["closed_on_time"], "overdue": figures["overdue"]}
        for name, figures in groups.items() if name != ""
    ], columns=["name", "due", "on_time", "overdue"])
    eligible = rows[rows["due"] >= min_due].copy()
    eligible["rate"] = eligible["on_time"] / eligible["due"]
    best = eligible.sort_values(["rate", "overdue", "due", "name"], ascending=[False, True, False, True])
    red = list(best["name"].head(size))
    others = eligible[~eligible["name"].isin(red) & ((eligible["rate"] < 1) | (eligible["overdue"] > 0))]
    worst = others.sort_values(["rate", "overdue", "due", "name"], ascending=[True, False, True, True])
    return {"red": red, "black": list(worst["name"].head(size)), "below": int((rows["due"] < min_due).sum())}


# --- Monthly comparison ----------------------------------------------------------------------------


def load_inspections(csv_text: str) -> pd.DataFrame:
    """Submitted inspections: district, unit (the sample point's), score, submitted_at (ISO with offset)."""
    frame = pd.read_csv(io.StringIO(csv_text), dtype={"district": str, "unit": str}, keep_default_na=False)
    frame["on"] = frame["submitted_at"].str.slice(0, 10).map(dt.date.fromisoformat)
    frame["score"] = pd.to_numeric(frame["score"])
    return frame


def standings(ledger: recompute.Ledger, inspections: pd.DataFrame, start: dt.date, end: dt.date, *,
              weights: dict, all_districts: list[str], district: str | None = None) -> dict[str, pd.DataFrame]:
    """{"districts"|"units": one row per place with each component's numerator, denominator,
    points and the weighted score (NaN when no weighted component has a value)}."""
    figures = recompute.progress(ledger, start, end, district=district)
    month = inspections[inspections["on"].map(lambda day: start <= day <= end).astype(bool)]
    if district is not None:
        month = month[month["district"] == district]
    result = {}
    for key, column in (("districts", "district"), ("units", "unit")):
        scores = month.groupby(column)["score"].agg(["sum", "count"])
        names = set(figures[key]) | set(scores.index)
        if key == "districts":
            names |= set(all_districts if district is None else [district])
        rows = []
        for name in sorted(names - {""}):
            counts = figures[key].get(name)
            row = {"name": name, "due": counts["due"] if counts else 0}
            pairs = {
                "inspection_score": (scores.loc[name, "sum"], scores.loc[name, "count"]) if name in scores.index
                else (0.0, 0),
            }
            for rate in ("closure_rate", "on_time_rate", "rebound_rate", "rejection_rate"):
                pairs[rate] = counts[rate] if counts else (0, 0)
            for component, (numerator, denominator) in pairs.items():
                row[f"{component}_num"], row[f"{component}_den"] = numerator, denominator
            rows.append(row)
        columns = ["name", "due", *(f"{c}_{part}" for c in COMPONENTS for part in ("num", "den"))]
        frame = pd.DataFrame(rows, columns=columns)
        weighted, total_weight = 0.0, 0.0
        for component in COMPONENTS:
            value = frame[f"{component}_num"] / frame[f"{component}_den"].where(frame[f"{component}_den"] > 0)
            if component == "inspection_score":
                points = value
            elif component in ("rebound_rate", "rejection_rate"):
                points = (1 - value).clip(lower=0) * 100
            else:
                points = value * 100
            frame[f"{component}_points"] = points
            weight = weights[component]
            if weight:
                weighted = weighted + points.fillna(0) * weight
                total_weight = total_weight + points.notna() * weight
        frame["score"] = (weighted / pd.Series(total_weight, index=frame.index).where(lambda w: w > 0))
        result[key] = frame
    return result


def ranking(frame: pd.DataFrame, *, min_due: int, need_inspections: bool = False) -> pd.DataFrame:
    """Ranked rows (rank: equal scores share the lowest place) and the others with rank NaN.
    ``need_inspections``: a place with no inspection in the month is not assessed (districts)."""
    frame = frame.copy()
    inspected = frame["inspection_score_den"] > 0
    ranked = (frame["due"] >= min_due) & frame["score"].notna() & (inspected | (not need_inspections))
    frame["rank"] = frame["score"].round(9).where(ranked).rank(method="min", ascending=False)
    frame["reason"] = None
    few_due = frame["due"] < min_due
    frame.loc[~ranked, "reason"] = "no_figures"
    frame.loc[~ranked & ~inspected & need_inspections, "reason"] = "no_inspections"
    frame.loc[~ranked & few_due, "reason"] = "few_due"
    return frame
