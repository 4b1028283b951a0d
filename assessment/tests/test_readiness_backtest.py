"""The readiness backtest (assessment/readiness/backtest.py, bench/readiness.py): each week's
inspections predicted from the weeks before, the model against the naive "category's rate last
week". What is compared: the pass or failure (no veto, no serious failure) of every inspection
of the week, by the Brier score and the log loss. The model must not be worse than the naive
predictor: on a made-up city whose places keep their habits, and on the San Francisco
inspections (realdata). The comparison can fail: a predictor that ignores the places (and
follows last week's noise) loses to the model below, and the model loses to the naive one when
its prior is made too weak on San Francisco (bench output: concentration 10)."""

from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.utils import timezone

from assessment.readiness import backtest as bt
from assessment.readiness.model import Observation

LIVES = Path(settings.BASE_DIR).parent / "shared" / "realdata" / "sf_restaurant_inspections"


def made_up_city(*, weeks: int = 30, seed: int = 3) -> list[Observation]:
    """Two categories; each place passes at its own steady rate; a few places inspected weekly."""
    rng = np.random.default_rng(seed)
    rates = {1: rng.beta(6, 2, size=40), 2: rng.beta(2, 3, size=30)}
    rows = []
    for week in range(weeks):
        for category, places in rates.items():
            for point in rng.choice(len(places), size=8, replace=False):
                rows.append(Observation(point=category * 1000 + int(point), category=category,
                                        day=week * 7.0 + float(rng.uniform(0, 5)), score=None,
                                        ok=bool(rng.random() < places[point])))
    return sorted(rows, key=lambda o: o.day)


def test_the_model_beats_last_weeks_rate_when_places_keep_their_habits():
    result = bt.backtest(made_up_city(), half_life=60, window=240)
    assert result.weeks >= 20 and result.inspections > 300
    assert result.brier() < result.brier("naive")
    assert result.log_loss() < result.log_loss("naive")
    deciles = result.calibration()
    assert len(deciles) == 10 and sum(row["inspections"] for row in deciles) == result.inspections
    # Calibrated enough: the lowest tenth of predictions fails far more than the highest tenth.
    assert deciles[0]["observed"] < deciles[-1]["observed"]


def test_the_comparison_can_fail():
    result = bt.backtest(made_up_city())
    # Naive-like predictions (the category's rate, nothing about the place) score worse than the model.
    flat = bt.Backtest(weeks=result.weeks, predicted=result.naive, naive=result.predicted, observed=result.observed)
    assert flat.brier() > flat.brier("naive")


def test_predictions_use_only_the_weeks_before():
    rows = made_up_city(weeks=10)
    cut = 7 * 7.0
    early = bt.backtest([o for o in rows if o.day < cut])
    whole = bt.backtest(rows)
    # The predictions of the early weeks do not change when later weeks are added.
    n = early.inspections
    assert n and np.allclose(whole.predicted[:n], early.predicted)
    assert np.allclose(whole.naive[:n], early.naive)


@pytest.mark.realdata
@pytest.mark.django_db
@pytest.mark.skipif(not LIVES.is_dir(), reason="the shared real data is not here")
def test_on_the_san_francisco_inspections_the_model_is_not_worse_than_last_weeks_rate(city):
    from assessment.selectors.readiness import readiness_observations
    from inspections.lives import lives_import

    lives_import(directory=LIVES, district=city.district_b, by=city.hq, limit=800)
    since = timezone.make_aware(timezone.datetime(2000, 1, 1))
    observations = readiness_observations(since=since, until=timezone.now(), district_id=city.district_b.pk)
    assert len(observations) > 2000
    result = bt.backtest(observations)
    assert result.inspections > 2000
    assert result.brier() <= result.brier("naive")
    assert result.log_loss() <= result.log_loss("naive")
    assert result.category_error() <= result.category_error("naive")
