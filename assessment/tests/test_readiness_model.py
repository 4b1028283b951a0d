"""The readiness model on made-up places (assessment/readiness/model.py): good places give a
readiness near 1, bad ones near 0, the interval holds the point, the same seed the same figure,
and the drag list names the bad places."""

import numpy as np
import pytest

from assessment.readiness import model


def history(rates: list[float], *, per_place: int = 6, seed: int = 0, score_ok=95.0, score_bad=55.0):
    """Weekly inspections of places passing at the given rates, the last one yesterday."""
    rng = np.random.default_rng(seed)
    rows = []
    for point, rate in enumerate(rates):
        for week in range(per_place):
            ok = bool(rng.random() < rate)
            rows.append(model.Observation(point=point, category=1, day=-1.0 - 7 * week,
                                          score=score_ok if ok else score_bad, ok=ok))
    return rows


def readiness(rates, *, rule="share", draw=8, seed=7, observations=None, **options):
    settings = {"min_share": 0.8, "min_average": 85.0, "half_life": 42.0, "window": 180.0} | options
    return model.category_readiness(
        category=1, points=list(range(len(rates))), observations=observations or history(rates), as_of_day=0.0,
        draw_size=draw, rule=rule, seed=seed, **settings)


@pytest.mark.parametrize("rule", ["share", "average"])
def test_a_category_of_good_places_is_ready_and_one_of_bad_places_is_not(rule):
    good = readiness([1.0] * 20, rule=rule)
    bad = readiness([0.1] * 20, rule=rule)
    assert good.readiness > 0.9
    assert bad.readiness < 0.05
    assert good.inspected_places == bad.inspected_places == 20


@pytest.mark.parametrize("rule", ["share", "average"])
def test_the_interval_holds_the_point_and_the_same_seed_gives_the_same_figure(rule):
    rates = [0.95] * 12 + [0.5] * 4 + [0.2] * 2
    first = readiness(rates, rule=rule)
    again = readiness(rates, rule=rule)
    assert 0.0 <= first.low <= first.readiness <= first.high <= 1.0
    assert first.high > first.low  # a mixed category is uncertain
    assert (first.readiness, first.low, first.high) == (again.readiness, again.low, again.high)
    assert readiness(rates, rule=rule, seed=8).readiness != pytest.approx(first.readiness, abs=0)


def test_a_mixed_category_lies_between_and_the_bad_places_drag_it_down():
    mixed = readiness([0.95] * 14 + [0.1] * 4)
    assert readiness([0.1] * 18).readiness < mixed.readiness < readiness([0.95] * 18).readiness
    dragging = [place.point for place in model.drag(mixed)]
    assert set(dragging[:4]) == {14, 15, 16, 17}  # the worst first (a good place unlucky once may follow)


def test_old_inspections_fade_and_those_outside_the_window_do_not_count():
    # Bad long ago, good lately: recency weighting lets the recent weeks speak.
    rows = [model.Observation(point=p, category=1, day=-150.0 - w, score=50.0, ok=False)
            for p in range(10) for w in range(5)]
    rows += [model.Observation(point=p, category=1, day=-2.0 - 7 * w, score=95.0, ok=True)
             for p in range(10) for w in range(3)]
    recent = readiness([0] * 10, observations=rows, half_life=14.0)
    flat = readiness([0] * 10, observations=rows, half_life=10_000.0)
    assert recent.readiness > flat.readiness
    outside = readiness([0] * 10, observations=rows, window=100.0)
    assert outside.readiness > 0.9


def test_places_never_inspected_count_with_the_category_prior_and_no_data_gives_no_figure():
    rows = history([1.0] * 5)
    fit = model.category_readiness(category=1, points=list(range(10)), observations=rows, as_of_day=0.0,
                                   draw_size=8, rule="share", min_share=0.8, min_average=85, half_life=42,
                                   window=180, seed=1)
    assert fit.inspected_places == 5 and fit.places == 10
    unseen = [p.pass_probability for p in fit.places_fit if p.inspections == 0]
    assert len(unseen) == 5 and all(0.3 < p < 1.0 for p in unseen)
    none = model.category_readiness(category=1, points=[1, 2], observations=[], as_of_day=0.0, draw_size=2,
                                    rule="share", min_share=0.8, min_average=85, half_life=42, window=180, seed=1)
    assert none.readiness is None and none.low is None


def test_the_draw_size_matters_when_the_pass_line_leaves_room_for_few_failures():
    # 10 % of places fail: a draw of 3 often holds none, a draw of 30 of 40 nearly always holds 4+.
    rates = [1.0] * 36 + [0.0] * 4
    small = readiness(rates, draw=3, min_share=1.0)
    large = readiness(rates, draw=30, min_share=1.0)
    assert small.readiness > 0.5 > large.readiness


def test_many_places_use_the_normal_shortcut_and_stay_consistent():
    rates = [0.9] * 1000
    fit = readiness(rates, draw=40, min_share=0.8, observations=history(rates, per_place=2))
    assert 0.5 < fit.readiness <= 1.0
    assert fit.low <= fit.readiness <= fit.high


def test_the_beta_prior_follows_the_spread_between_places():
    alike = model.beta_prior(np.array([9.0] * 10), np.array([1.0] * 10))
    apart = model.beta_prior(np.array([10.0] * 5 + [0.0] * 5), np.array([0.0] * 5 + [10.0] * 5))
    assert sum(alike) > sum(apart)  # places alike: strong pull towards the mean
    assert alike[0] / sum(alike) == pytest.approx(0.9, abs=0.02)
