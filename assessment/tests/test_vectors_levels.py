"""The control levels ON their boundaries: a value exactly at a level's limit is at that level,
one hundredth above it is at the next; above C is "not met". Checked for every threshold row
shipped in assessment/data/vector_thresholds.json, and through the service from real counts."""

import json
from decimal import Decimal

import pytest
from django.utils import translation

from assessment.models import VectorThreshold
from assessment.services.vectors import THRESHOLDS_FILE, limits_by_indicator
from assessment.vectors.indicators import SPECS, classify, count_errors, worst

from .vector_factories import load_thresholds, survey

NEXT = {"A": "B", "B": "C", "C": "fail"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def limits(db):
    load_thresholds()
    return limits_by_indicator()


def test_every_indicator_has_a_sourced_or_marked_limit_per_level(db):
    load_thresholds()
    data = json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))
    assert VectorThreshold.objects.count() == len(data["thresholds"]) == 3 * len(SPECS)
    for threshold in VectorThreshold.objects.all():
        assert threshold.source.strip()
        assert threshold.sourced == ("no public source found" not in threshold.source)
    # the limits of one indicator are ordered A <= B <= C
    for indicator, levels in limits_by_indicator().items():
        assert levels["A"] <= levels["B"] <= levels["C"], indicator


@pytest.mark.parametrize("indicator", sorted(SPECS))
def test_boundaries_of_each_indicator(limits, indicator):
    levels = limits[indicator]
    for level in ("A", "B", "C"):
        at = levels[level]
        assert classify(at, levels) == level, (indicator, level, at)
        above = at + Decimal("0.01")
        expected = NEXT[level]
        # just above A may still be within B only if B's limit is above it (true for every shipped row)
        assert classify(above, levels) == expected, (indicator, level, above)
    assert classify(Decimal("0"), levels) == "A"


def test_rodent_rooms_from_counts_on_the_boundaries(city, limits):
    # limits 1 / 3 / 5 %: 1 of 100 rooms is A, 3 of 100 B, 5 of 100 C, 6 of 100 not met
    for positive, level in ((1, "A"), (2, "B"), (3, "B"), (4, "C"), (5, "C"), (6, "fail")):
        s = survey(city, counts={"rodent_rooms": (100, positive)})
        assert s.level == level, (positive, s.level)
    # 1 of 99 rooms is 1.01 %: just above A
    assert survey(city, counts={"rodent_rooms": (99, 1)}).level == "B"


def test_path_index_per_km_on_the_boundary(city, limits):
    # mosquito small water bodies: C <= 0.8 per km; 4 positives over 5000 m = 0.80 (C), 5 = 1.00 (not met)
    assert survey(city, species="mosquito", counts={"mosquito_path": (5000, 4)}).level == "C"
    assert survey(city, species="mosquito", counts={"mosquito_path": (5000, 5)}).level == "fail"
    # Breteau index: 5 positive containers in 100 households = 5 (C); 6 = fail; 150 in 100 is possible
    assert survey(city, species="mosquito", counts={"mosquito_breteau": (100, 5)}).level == "C"
    assert survey(city, species="mosquito", counts={"mosquito_breteau": (100, 150)}).level == "fail"


def test_a_survey_is_at_its_worst_indicator(city, limits):
    s = survey(city, species="cockroach", counts={
        "cockroach_adults": (100, 1),   # A
        "cockroach_eggs": (100, 2),     # B
        "cockroach_traces": (100, 7),   # C (limit 7)
    })
    assert {c.indicator: c.level for c in s.counts.all()} == {
        "cockroach_adults": "A", "cockroach_eggs": "B", "cockroach_traces": "C"}
    assert s.level == "C" and s.passed
    assert worst(["A", "fail", "B"]) == "fail"
    assert worst([]) is None


def test_no_c_limit_cannot_pass():
    assert classify(Decimal("0"), {}) == "fail"
    assert classify(Decimal("2"), {"A": Decimal("1")}) == "fail"


def test_impossible_counts_named_by_field():
    assert "rodent_rooms.positive" in count_errors("rodent_rooms", 10, 11)
    assert "rodent_rooms.checked" in count_errors("rodent_rooms", 0, 0)
    assert "fly_rooms.checked" in count_errors("fly_rooms", -1, 0)
    assert "fly_rooms.positive" in count_errors("fly_rooms", 10, -2)
    assert count_errors("mosquito_breteau", 10, 30) == {}  # more containers than households is possible
    assert count_errors("rodent_rooms", 10, 10) == {}


def test_counts_past_the_maximum_are_refused():
    from assessment.vectors.indicators import MAX_COUNT

    assert "rodent_path.positive" in count_errors("rodent_path", 1, MAX_COUNT + 1)
    assert count_errors("rodent_path", 1, MAX_COUNT) == {}
    assert SPECS["rodent_path"].value(1, MAX_COUNT) == Decimal("1000000000.00")


def test_the_level_is_decided_on_the_exact_value_not_the_rounded_one(city, limits):
    spec = SPECS["rodent_rooms"]
    # 401 of 8015 rooms is 5.0031 %: shown as 5.00, but above the C limit of 5 %
    assert spec.value(8015, 401) == Decimal("5.00")
    assert classify(spec.exact_value(8015, 401), limits["rodent_rooms"]) == "fail"
    s = survey(city, counts={"rodent_rooms": (8015, 401)})
    count = s.counts.get()
    assert (count.value, count.level, s.level) == (Decimal("5.00"), "fail", "fail")
    # exactly on the limit stays at the level; just under the next limit (1 of 99.99…) too
    assert survey(city, counts={"rodent_rooms": (20000, 1000)}).level == "C"
    assert survey(city, counts={"rodent_rooms": (20001, 1000)}).level == "C"  # 4.9998 %


def test_a_relevel_uses_the_exact_value(city, limits):
    from assessment.models import VectorSurvey, VectorThreshold
    from assessment.services.vectors import vector_threshold_set
    s = survey(city, counts={"rodent_rooms": (8015, 401)})
    c = VectorThreshold.objects.get(indicator="rodent_rooms", level="C")
    vector_threshold_set(threshold=c, by=city.users["hq"], max_value="5.00", source="HQ notice", reason="same limit")
    assert VectorSurvey.objects.get(pk=s.pk).level == "fail"
    vector_threshold_set(threshold=c, by=city.users["hq"], max_value="5.01", source="HQ notice", reason="raised")
    assert VectorSurvey.objects.get(pk=s.pk).level == "C"
