"""Backtest of the readiness model (bench/readiness.py, assessment/tests/test_readiness_backtest.py).

What is predicted: the pass or failure (no veto and no serious failure = pass) of every
inspection of week W, from the inspections before W only. The model's prediction for a place =
the posterior mean of its pass rate (assessment/readiness/model.py: recency-weighted
beta-binomial with the category's prior fitted from the data as of W); a place never inspected
before gets its category's prior mean. The naive predictor = the category's observed pass rate
in the last week before W that had inspections ("last week's rate"). Both are scored on the same
inspections (those of categories with inspections before W) with the Brier score and the log
loss, and the model's calibration is shown by decile of the predicted probability. The
category-week view compares each category's predicted share of passing inspections (mean of the
predictions) with the share observed in W.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .model import KAPPA_MAX, KAPPA_MIN, Observation

WEEK = 7.0
CLIP = 0.01  # probabilities kept within [1 %, 99 %] for the log loss, for both predictors


@dataclass
class Backtest:
    weeks: int = 0
    predicted: np.ndarray = field(default_factory=lambda: np.zeros(0))  # model
    naive: np.ndarray = field(default_factory=lambda: np.zeros(0))
    observed: np.ndarray = field(default_factory=lambda: np.zeros(0))  # 1 pass, 0 failure
    category_weeks: list[tuple[float, float, float, int]] = field(default_factory=list)  # model, naive, observed, n

    @property
    def inspections(self) -> int:
        return int(self.observed.size)

    def brier(self, which: str = "model") -> float:
        p = self.predicted if which == "model" else self.naive
        return float(np.mean((p - self.observed) ** 2))

    def log_loss(self, which: str = "model") -> float:
        p = np.clip(self.predicted if which == "model" else self.naive, CLIP, 1 - CLIP)
        y = self.observed
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def category_error(self, which: str = "model") -> float:
        """Mean absolute error of the category's share passing in the week, weighted by inspections."""
        if not self.category_weeks:
            return math.nan
        rows = np.array(self.category_weeks)
        guess = rows[:, 0] if which == "model" else rows[:, 1]
        return float(np.sum(np.abs(guess - rows[:, 2]) * rows[:, 3]) / rows[:, 3].sum())

    def calibration(self, bins: int = 10) -> list[dict]:
        """Predicted vs observed pass rate by decile of the model's prediction."""
        if not self.inspections:
            return []
        order = np.argsort(self.predicted, kind="stable")
        rows = []
        for number, chunk in enumerate(np.array_split(order, bins), start=1):
            if chunk.size == 0:
                continue
            rows.append({"decile": number, "inspections": int(chunk.size),
                         "predicted": float(self.predicted[chunk].mean()),
                         "observed": float(self.observed[chunk].mean()),
                         "naive": float(self.naive[chunk].mean())})
        return rows


def _priors(s_place, f_place, w2_place, place_category, categories: int):
    """The category priors (a0, b0) for every category at once: the vectorised
    readiness.model.beta_prior."""
    n_place = s_place + f_place
    seen = n_place > 0
    cat = place_category
    total = np.bincount(cat[seen], weights=n_place[seen], minlength=categories)
    passes = np.bincount(cat[seen], weights=s_place[seen], minlength=categories)
    places = np.bincount(cat[seen], minlength=categories)
    mean = np.clip((passes + 1.0) / (total + 2.0), 1e-3, 1 - 1e-3)
    rate = np.where(seen, s_place / np.where(seen, n_place, 1), 0)
    share = np.where(seen, n_place / np.where(total[cat] > 0, total[cat], 1), 0)
    observed = np.bincount(cat, weights=share * (rate - mean[cat]) ** 2, minlength=categories)
    effective = np.where(seen, n_place ** 2 / np.maximum(w2_place, 1e-12), 1)
    inverse = np.bincount(cat, weights=np.where(seen, share / effective, 0), minlength=categories)
    spread = observed - mean * (1 - mean) * inverse
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(spread > 0, mean * (1 - mean) / np.where(spread > 0, spread, 1) - 1.0, KAPPA_MAX)
    kappa = np.clip(kappa, KAPPA_MIN, KAPPA_MAX)
    kappa = np.where(places < 2, KAPPA_MIN, kappa)
    return mean * kappa, (1 - mean) * kappa


def backtest(observations: list[Observation], *, half_life: float = 42.0, window: float = 180.0,
             warm_up_weeks: int = 4) -> Backtest:
    """Predict each week's inspections from those before it (see the module's docstring)."""
    result = Backtest()
    if not observations:
        return result
    point_ids = {p: n for n, p in enumerate(sorted({o.point for o in observations}))}
    category_ids = {c: n for n, c in enumerate(sorted({o.category for o in observations}))}
    point = np.array([point_ids[o.point] for o in observations])
    category = np.array([category_ids[o.category] for o in observations])
    day = np.array([o.day for o in observations], dtype=float)
    ok = np.array([1.0 if o.ok else 0.0 for o in observations])
    place_category = np.zeros(len(point_ids), dtype=int)
    place_category[point] = category
    start = math.floor(day.min() / WEEK) * WEEK
    week_of = np.floor((day - start) / WEEK).astype(int)
    last_week = int(week_of.max())
    categories = len(category_ids)
    last_rate = np.full(categories, np.nan)
    predicted, naive, observed = [], [], []
    for week in range(last_week + 1):
        this = week_of == week
        if week >= warm_up_weeks and this.any():
            as_of = start + week * WEEK
            before = day < as_of
            age = as_of - day[before]
            weight = np.where(age < window, np.power(0.5, age / half_life), 0.0)
            places = len(point_ids)
            s_place = np.bincount(point[before], weights=weight * ok[before], minlength=places)
            f_place = np.bincount(point[before], weights=weight * (1 - ok[before]), minlength=places)
            w2_place = np.bincount(point[before], weights=weight * weight, minlength=places)
            a0, b0 = _priors(s_place, f_place, w2_place, place_category, categories)
            a = a0[place_category] + s_place
            b = b0[place_category] + f_place
            known = ~np.isnan(last_rate[category[this]])
            idx = np.flatnonzero(this)[known]
            if idx.size:
                model_p = (a / (a + b))[point[idx]]
                naive_p = last_rate[category[idx]]
                predicted.append(model_p)
                naive.append(naive_p)
                observed.append(ok[idx])
                for c in np.unique(category[idx]):
                    mine = category[idx] == c
                    result.category_weeks.append((float(model_p[mine].mean()), float(naive_p[mine][0]),
                                                  float(ok[idx][mine].mean()), int(mine.sum())))
                result.weeks += 1
        if this.any():
            counts = np.bincount(category[this], minlength=categories)
            passes = np.bincount(category[this], weights=ok[this], minlength=categories)
            last_rate = np.where(counts > 0, passes / np.maximum(counts, 1), last_rate)
    if predicted:
        result.predicted = np.concatenate(predicted)
        result.naive = np.concatenate(naive)
        result.observed = np.concatenate(observed)
    return result
