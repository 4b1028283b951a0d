"""The monthly comparison's pairing component (REPORT_WEIGHT_PAIRING): at weight 0 (the default)
nothing changes; with a weight it moves the ranking exactly as computed by hand.

On the hand-built March of test_monthly_comparison.py (office B 850/9 first, office A 86.9
second), office A's pairs have two tasks due in March, both done on time (100 points); office B's
have two due in March, one done late and one not done, plus one cancelled (0 of 2: 0 points);
a task due in February counts in February only."""

import datetime as dt
from fractions import Fraction

import pytest

from programme.services import pairing as pairing_services
from programme.tests.pairing_factories import communities, done, pair, task

from . import test_monthly_comparison as base
from .test_monthly_comparison import by_id, compute

# The hand-built February and March, and their formula (fixtures of test_monthly_comparison.py).
formula, media, months = base.formula, base.media, base.months

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(city, months):
    places = communities(city)
    a = pair(city, unit=city.office_a, community=places["甲一社区"])
    b = pair(city, unit=city.office_b, community=places["乙一社区"])
    done(city, task(city, a, due_on=dt.date(2025, 3, 10)), done_on=dt.date(2025, 3, 10))
    done(city, task(city, a, due_on=dt.date(2025, 3, 31)), done_on=dt.date(2025, 3, 20))
    done(city, task(city, b, due_on=dt.date(2025, 3, 10)), done_on=dt.date(2025, 3, 12))  # late
    task(city, b, due_on=dt.date(2025, 3, 20))  # not done
    pairing_services.pair_task_cancel(actor=city.hq, task=task(city, b, due_on=dt.date(2025, 3, 25)), reason="取消")
    done(city, task(city, b, due_on=dt.date(2025, 2, 20)), done_on=dt.date(2025, 2, 20))  # February's


def test_the_pairing_component_is_counted_by_hand(city, paired):
    data = compute()
    units = by_id(data["units"]["ranked"])
    assert units[city.office_a.pk]["components"]["pairing"] == {"numerator": 2, "denominator": 2, "value": 1.0}
    assert units[city.office_b.pk]["components"]["pairing"] == {"numerator": 0, "denominator": 2, "value": 0.0}
    districts = by_id(data["districts"]["ranked"] + data["districts"]["unranked"])
    assert districts[city.district_a.pk]["components"]["pairing"]["numerator"] == 2
    assert districts[city.district_b.pk]["components"]["pairing"]["denominator"] == 2


def test_at_weight_0_the_scores_and_ranks_are_unchanged(city, months):
    before = compute()
    # The pairs come after the first computation (the fixture cannot be used before it).
    places = communities(city)
    b = pair(city, unit=city.office_b, community=places["乙一社区"])
    task(city, b, due_on=dt.date(2025, 3, 20))
    after = compute()
    assert by_id(after["units"]["ranked"])[city.office_b.pk]["components"]["pairing"]["denominator"] == 1
    for group in ("units", "districts"):
        assert [(r["id"], r["score_exact"], r["rank"]) for r in after[group]["ranked"]] == [
            (r["id"], r["score_exact"], r["rank"]) for r in before[group]["ranked"]]
    assert "share of the pair tasks" not in after["formula"]["text"]  # the rule is published only when weighted


def test_with_a_weight_the_ranking_moves_as_computed_by_hand(city, paired, settings):
    assert [row["id"] for row in compute()["units"]["ranked"]] == [city.office_b.pk, city.office_a.pk]
    settings.REPORT_COMPARISON_WEIGHTS = {**settings.REPORT_COMPARISON_WEIGHTS, "pairing": 60}
    data = compute()
    units = by_id(data["units"]["ranked"])
    # Office A: weights 100 (score 86.9) plus 60 × 100; office B (no inspection): weights 60 at 850/9, plus 60 × 0.
    assert Fraction(*units[city.office_a.pk]["score_exact"]) == (Fraction("86.9") * 100 + 60 * 100) / 160
    assert Fraction(*units[city.office_b.pk]["score_exact"]) == Fraction(850, 9) * 60 / 120
    assert [(row["id"], row["rank"]) for row in data["units"]["ranked"]] == [
        (city.office_a.pk, 1), (city.office_b.pk, 2)]
    assert units[city.office_a.pk]["points"]["pairing"] == 100.0
    assert "Pair tasks done on time 60" in data["formula"]["text"]
    assert "share of the pair tasks" in data["formula"]["text"]
