"""The readiness model, as plain numbers (no database): README "Readiness".

Question: if the assessors drew ``n`` places of a category today and inspected them, would the
category meet the pass line? Answered per category from each place's recent inspections.

Share rule (a place passes an inspection when no veto item and no serious or urgent item failed):

1. Each inspection weighs ``0.5 ** (age_days / half_life)`` and counts only inside the window.
   For place i: s_i = weighted passes, f_i = weighted failures.
2. Category prior Beta(a0, b0), fitted from the data by the method of moments: mean m = the
   category's weighted pass rate; the spread between places = the variance of the places' rates
   minus the part binomial noise explains; concentration kappa = m(1-m)/spread - 1, kept within
   [2, 50] (few places or no spread: a weak or a strong pull towards the category's mean).
3. Place posterior Beta(a0 + s_i, b0 + f_i) (beta-binomial). A place never inspected gets the
   prior: the assessors may draw it too.
4. Monte Carlo: S samples of every place's pass probability from its posterior; for each, D
   assessors' draws: every place passes or fails with its probability, the number passing in a
   draw of n of the N places without replacement is hypergeometric. Readiness given the sample
   = the share of the D draws that meet the line; readiness = its mean over the S samples, the
   interval = its 10th and 90th percentiles (widened to hold the point when the spread is
   lopsided).

Average rule: each place's mean score theta_i ~ Normal, shrunk towards the category mean (a
normal-normal model: between-place variance tau², within-place variance sigma², both fitted
from the data with floors); a draw's average = the mean of n sampled places' thetas plus the
noise of one inspection each (sigma² / n). Same S x D simulation, same interval.

A place's pass probability (the drag list): the posterior mean of its pass rate (share rule) or
the chance its next score reaches the line (average rule).

Deterministic: every random number comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SAMPLES = 200  # posterior samples (S)
DRAWS = 100  # assessors' draws per posterior sample (D)
KAPPA_MIN, KAPPA_MAX = 2.0, 50.0  # 50: chosen on the backtests (bench/readiness.py)
SIGMA2_FLOOR, TAU2_FLOOR = 4.0, 1.0
DRAG_MARGIN = 0.01  # a drag place passes at least one point less often than its category's mean  # score variances: at least 2 and 1 points of spread


@dataclass
class Observation:
    """One submitted inspection: whose, when (days on any fixed scale), its score (None when
    it has none) and whether it passed (no veto and no serious failure)."""

    point: int
    category: int
    day: float
    score: float | None
    ok: bool


@dataclass
class PlaceFit:
    point: int
    weight: float  # recency-weighted number of inspections
    inspections: int
    pass_probability: float | None


@dataclass
class CategoryReadiness:
    category: int
    places: int
    inspected_places: int
    draw_size: int
    readiness: float | None
    low: float | None
    high: float | None
    places_fit: list[PlaceFit] = field(default_factory=list)


def recency_weights(age_days: np.ndarray, *, half_life: float, window: float) -> np.ndarray:
    """0.5 ** (age / half-life) for inspections inside the window (0 <= age < window), 0 else."""
    age = np.asarray(age_days, dtype=float)
    inside = (age >= 0) & (age < window)
    return np.where(inside, np.power(0.5, np.clip(age, 0, None) / half_life), 0.0)


def beta_prior(successes: np.ndarray, failures: np.ndarray, squares: np.ndarray | None = None) -> tuple[float, float]:
    """Beta(a0, b0) for a category from its inspected places' weighted passes and failures.
    ``squares``: each place's sum of squared weights; a place's rate then has the binomial
    noise of its effective number of inspections (sum w)² / sum w² (Kish), not of sum w."""
    s, f = np.asarray(successes, float), np.asarray(failures, float)
    n = s + f
    seen = n > 0
    effective = n if squares is None else np.where(seen, n ** 2 / np.maximum(np.asarray(squares, float), 1e-12), 0)
    total = float(n[seen].sum())
    mean = (float(s[seen].sum()) + 1.0) / (total + 2.0)
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    if seen.sum() < 2:
        kappa = KAPPA_MIN
    else:
        rates = s[seen] / n[seen]
        weights = n[seen] / n[seen].sum()
        observed = float((weights * (rates - mean) ** 2).sum())
        noise = mean * (1 - mean) * float((weights / np.maximum(effective[seen], 1e-9)).sum())
        spread = observed - noise
        kappa = KAPPA_MAX if spread <= 0 else mean * (1 - mean) / spread - 1.0
        kappa = min(max(kappa, KAPPA_MIN), KAPPA_MAX)
    return mean * kappa, (1 - mean) * kappa


def place_posteriors(successes, failures, squares=None) -> tuple[np.ndarray, np.ndarray]:
    """Each place's Beta posterior (a, b) under its category's fitted prior."""
    a0, b0 = beta_prior(successes, failures, squares)
    return a0 + np.asarray(successes, float), b0 + np.asarray(failures, float)


def _interval(per_sample: np.ndarray) -> tuple[float, float, float]:
    point = float(per_sample.mean())
    low, high = (float(v) for v in np.percentile(per_sample, [10, 90]))
    return point, min(low, point), max(high, point)


def readiness_share(a: np.ndarray, b: np.ndarray, *, draw: int, min_share: float, rng: np.random.Generator,
                    samples: int = SAMPLES, draws: int = DRAWS) -> tuple[float, float, float]:
    """The chance that a draw of ``draw`` of these places has at least ``min_share`` (0..1)
    passing; (point, low, high)."""
    places = len(a)
    draw = min(draw, places)
    needed = math.ceil(min_share * draw - 1e-9)
    p = rng.beta(a, b, size=(samples, places))  # S x N
    if places <= 400:
        # How many of all the places pass, for each sample and draw (S x D), in blocks of samples
        # so that memory stays small.
        block = max(1, 2_000_000 // (draws * places))
        passing = np.concatenate([
            (rng.random((len(chunk), draws, places)) < chunk[:, None, :]).sum(axis=2)
            for chunk in (p[start:start + block] for start in range(0, samples, block))
        ])
    else:
        # Many places: the number passing among them is normal (a sum of many Bernoullis).
        mean, sd = p.sum(axis=1), np.sqrt((p * (1 - p)).sum(axis=1))
        passing = np.clip(np.rint(mean[:, None] + sd[:, None] * rng.standard_normal((samples, draws))), 0,
                          places).astype(np.int64)
    # The assessors draw ``draw`` of the places without replacement: hypergeometric.
    in_draw = rng.hypergeometric(passing, places - passing, draw) if draw < places else passing
    per_sample = (in_draw >= needed).mean(axis=1)
    return _interval(per_sample)


@dataclass
class ScoreFit:
    mean: np.ndarray  # posterior mean of each place's score
    var: np.ndarray  # posterior variance of it
    sigma2: float  # one inspection's variance around its place's mean


def score_posteriors(weight: np.ndarray, weighted_sum: np.ndarray, weighted_squares: np.ndarray) -> ScoreFit | None:
    """Normal-normal shrinkage of each place's mean score towards its category's; None when no
    place has a score. Inputs per place: sum of weights, of weight x score, of weight x score²."""
    w = np.asarray(weight, float)
    seen = w > 0
    if not seen.any():
        return None
    place_mean = np.where(seen, np.asarray(weighted_sum, float) / np.where(seen, w, 1), 0.0)
    grand = float(np.asarray(weighted_sum, float).sum() / w.sum())
    within = np.asarray(weighted_squares, float) - w * place_mean ** 2  # sum w (y - mean_i)^2
    sigma2 = max(float(within[seen].sum() / w[seen].sum()), SIGMA2_FLOOR)
    shares = w[seen] / w[seen].sum()
    observed = float((shares * (place_mean[seen] - grand) ** 2).sum())
    tau2 = max(observed - sigma2 * float((shares / np.maximum(w[seen], 1e-9)).sum()), TAU2_FLOOR)
    var = 1.0 / (1.0 / tau2 + w / sigma2)
    mean = var * (grand / tau2 + np.asarray(weighted_sum, float) / sigma2)
    return ScoreFit(mean=mean, var=var, sigma2=sigma2)


def readiness_average(fit: ScoreFit, *, draw: int, min_average: float, rng: np.random.Generator,
                      samples: int = SAMPLES, draws: int = DRAWS) -> tuple[float, float, float]:
    """The chance that a draw of ``draw`` places scores ``min_average`` or more on average."""
    places = len(fit.mean)
    draw = min(draw, places)
    theta = fit.mean + np.sqrt(fit.var) * rng.standard_normal((samples, places))  # S x N
    per_sample = np.empty(samples)
    noise_sd = math.sqrt(fit.sigma2 / draw)
    for index in range(samples):
        if draw < places and places <= 400:
            chosen = np.argpartition(rng.random((draws, places)), draw - 1, axis=1)[:, :draw]
            draw_mean = theta[index][chosen].mean(axis=1)
        else:
            # Many places: the mean of a draw without replacement is normal with the finite
            # population correction (exact enough past a few hundred places).
            row = theta[index]
            correction = (places - draw) / max(places - 1, 1)
            spread = math.sqrt(max(float(row.var()) / draw * correction, 0.0))
            draw_mean = row.mean() + spread * rng.standard_normal(draws)
        averages = draw_mean + noise_sd * rng.standard_normal(draws)
        per_sample[index] = float((averages >= min_average).mean())
    return _interval(per_sample)


def score_pass_probability(fit: ScoreFit, min_average: float) -> np.ndarray:
    """Each place's chance that its next inspection scores the line or more."""
    sd = np.sqrt(fit.var + fit.sigma2)
    z = (fit.mean - min_average) / sd
    return 0.5 * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0)))


def category_readiness(*, category: int, points: list[int], observations: list[Observation], as_of_day: float,
                       draw_size: int, rule: str, min_share: float, min_average: float, half_life: float,
                       window: float, seed: int, samples: int = SAMPLES, draws: int = DRAWS) -> CategoryReadiness:
    """Readiness of one category as of ``as_of_day`` (observations on or after it are ignored).
    ``points``: the category's places the assessors may draw; ``min_share`` in 0..1."""
    index = {point: n for n, point in enumerate(points)}
    places = len(points)
    s, f, w2 = np.zeros(places), np.zeros(places), np.zeros(places)
    w_score, w_sum, w_sq = np.zeros(places), np.zeros(places), np.zeros(places)
    counts = np.zeros(places, dtype=int)
    for obs in observations:
        position = index.get(obs.point)
        if position is None:
            continue
        age = as_of_day - obs.day
        if not 0 <= age < window:
            continue
        weight = 0.5 ** (age / half_life)
        counts[position] += 1
        w2[position] += weight * weight
        if obs.ok:
            s[position] += weight
        else:
            f[position] += weight
        if obs.score is not None:
            w_score[position] += weight
            w_sum[position] += weight * obs.score
            w_sq[position] += weight * obs.score ** 2
    draw = min(draw_size, places)
    result = CategoryReadiness(category=category, places=places, inspected_places=int((counts > 0).sum()),
                               draw_size=draw, readiness=None, low=None, high=None)
    if places == 0 or draw == 0:
        return result
    rng = np.random.default_rng(seed)
    if rule == "average":
        fit = score_posteriors(w_score, w_sum, w_sq)
        if fit is None:
            return result
        result.readiness, result.low, result.high = readiness_average(
            fit, draw=draw, min_average=min_average, rng=rng, samples=samples, draws=draws)
        probability = score_pass_probability(fit, min_average)
    else:
        if result.inspected_places == 0:
            return result
        a, b = place_posteriors(s, f, w2)
        result.readiness, result.low, result.high = readiness_share(
            a, b, draw=draw, min_share=min_share, rng=rng, samples=samples, draws=draws)
        probability = a / (a + b)
    result.places_fit = [
        PlaceFit(point=point, weight=float(s[n] + f[n]), inspections=int(counts[n]),
                 pass_probability=float(probability[n]))
        for n, point in enumerate(points)
    ]
    return result


def drag(fit: CategoryReadiness, limit: int = 5) -> list[PlaceFit]:
    """The places that pull the category down: lowest pass probability first, and among equal
    ones the best-evidenced (most recent inspections' weight) first; only places below the
    category's mean pass probability by a point or more (places all alike drag nothing)."""
    places = [p for p in fit.places_fit if p.pass_probability is not None]
    if not places:
        return []
    mean = sum(p.pass_probability for p in places) / len(places)
    below = [p for p in places if p.pass_probability < mean - DRAG_MARGIN]
    below.sort(key=lambda p: (round(p.pass_probability, 3), -p.weight, p.point))
    return below[:limit]
