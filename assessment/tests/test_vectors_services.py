"""Recording, correcting, scoping, thresholds set by HQ, problems raised (idempotent) and the
readiness selector of the vector-control surveys."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from assessment.models import (
    VectorSurvey,
    VectorSurveyEvent,
    VectorThreshold,
    VectorThresholdChange,
)
from assessment.selectors.vectors import vector_levels_latest
from assessment.services.vectors import (
    CountInput,
    VectorForbidden,
    VectorInvalid,
    vector_survey_edit,
    vector_survey_raise_problems,
    vector_threshold_set,
)
from campaign.models import Category, Team
from ledger.models import Problem

from .vector_factories import load_thresholds, survey


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def thresholds(db):
    load_thresholds()


def test_impossible_counts_are_refused_naming_the_field(city):
    with pytest.raises(VectorInvalid) as refused:
        survey(city, counts={"rodent_rooms": (10, 12)})
    assert set(refused.value.errors) == {"rodent_rooms.positive"}
    assert "cannot exceed" in refused.value.errors["rodent_rooms.positive"]
    with pytest.raises(VectorInvalid) as refused:
        survey(city, counts={"rodent_rooms": (0, 0), "rodent_path": (-5, 1)})
    assert set(refused.value.errors) == {"rodent_rooms.checked", "rodent_path.checked"}
    with pytest.raises(VectorInvalid) as refused:  # an indicator of another species
        survey(city, species="fly", counts={"rodent_rooms": (10, 1)})
    assert set(refused.value.errors) == {"rodent_rooms"}
    with pytest.raises(VectorInvalid) as refused:
        survey(city, counts={})
    assert "counts" in refused.value.errors
    with pytest.raises(VectorInvalid) as refused:  # a point of another district
        survey(city, points=[city.points_b[0]])
    assert "sample_points" in refused.value.errors
    with pytest.raises(VectorInvalid) as refused:
        survey(city, on=timezone.localdate() + timedelta(days=1))
    assert "surveyed_on" in refused.value.errors
    assert not VectorSurvey.objects.exists()


def test_who_records(city):
    for role in ("leader", "district_lead", "inspector", "team_lead"):
        with pytest.raises(VectorForbidden):
            survey(city, by=city.users[role])
    # the team answering part 8 (STD8) records
    std8 = Category.objects.create(code="STD8", name_zh="病媒生物预防控制", name_en="Vector control", kind="standard")
    Team.objects.get(pk=city.team.pk).categories.add(std8)
    assert survey(city, by=city.users["team_lead"]).pk


def test_scope(city):
    a = survey(city)
    b = survey(city, district=city.district_b)
    assert set(VectorSurvey.objects.visible_to(city.users["district_lead"])) == {a}
    assert set(VectorSurvey.objects.visible_to(city.users["leader"])) == {a, b}
    assert not VectorSurvey.objects.visible_to(city.users["inspector"]).exists()


def test_edit_keeps_what_it_was(city):
    s = survey(city, counts={"rodent_rooms": (100, 2)})
    with pytest.raises(VectorInvalid) as refused:
        vector_survey_edit(survey=s, by=city.users["hq"], reason="", species="rodent", district=city.district_a,
                           place_type=city.market, surveyed_on=s.surveyed_on,
                           counts={"rodent_rooms": CountInput(100, 9)})
    assert "reason" in refused.value.errors
    vector_survey_edit(survey=s, by=city.users["hq"], reason="typo in the field sheet", species="rodent",
                       district=city.district_a, place_type=city.market, surveyed_on=s.surveyed_on,
                       counts={"rodent_rooms": CountInput(100, 9)})
    s.refresh_from_db()
    assert s.level == "fail"
    event = s.events.get(action=VectorSurveyEvent.Action.EDIT)
    assert event.changes["counts"] == [{"rodent_rooms": [100, 2]}, {"rodent_rooms": [100, 9]}]
    assert event.changes["level"] == ["B", "fail"]
    assert event.reason == "typo in the field sheet"


def test_hq_sets_a_threshold_and_levels_follow(city):
    s = survey(city, counts={"rodent_rooms": (100, 6)})
    assert s.level == "fail"
    c = VectorThreshold.objects.get(indicator="rodent_rooms", level="C")
    with pytest.raises(VectorForbidden):
        vector_threshold_set(threshold=c, by=city.users["leader"], max_value="6", source="x", reason="y")
    with pytest.raises(VectorInvalid) as refused:  # C below B
        vector_threshold_set(threshold=c, by=city.users["hq"], max_value="2", source="x", reason="y")
    assert "max_value" in refused.value.errors
    with pytest.raises(VectorInvalid) as refused:
        vector_threshold_set(threshold=c, by=city.users["hq"], max_value="6", source="", reason="")
    assert {"source", "reason"} <= set(refused.value.errors)
    vector_threshold_set(threshold=c, by=city.users["hq"], max_value="6", source="HQ notice 2026-3",
                         reason="provincial rule")
    s.refresh_from_db()
    assert s.level == "C"
    change = VectorThresholdChange.objects.get()
    assert (change.from_value, change.to_value, change.by) == (Decimal("5.00"), Decimal("6.00"), city.users["hq"])
    assert s.events.filter(action=VectorSurveyEvent.Action.RELEVEL).exists()
    # reloading the data file does not overwrite what HQ set
    load_thresholds()
    assert VectorThreshold.objects.get(pk=c.pk).max_value == Decimal("6.00")


def test_raise_problems_for_points_is_idempotent(city):
    point = city.points_a[0]
    s = survey(city, counts={"rodent_rooms": (100, 20)}, points=[point])
    new = vector_survey_raise_problems(survey=s, by=city.users["hq"])
    assert len(new) == 1 and new[0].sample_point == point and new[0].source_ref == f"vector_survey:{s.pk}"
    assert vector_survey_raise_problems(survey=s, by=city.users["hq"]) == []
    assert Problem.objects.filter(source_ref=f"vector_survey:{s.pk}").count() == 1
    assert s.events.filter(action=VectorSurveyEvent.Action.RAISE).count() == 1


def test_raise_problems_for_district_and_place_type(city):
    s = survey(city, counts={"rodent_rooms": (100, 20)})
    new = vector_survey_raise_problems(survey=s, by=city.users["hq"])
    assert len(new) == 1
    problem = new[0]
    assert (problem.district, problem.category, problem.sample_point) == (city.district_a, city.market, None)
    assert vector_survey_raise_problems(survey=s, by=city.users["hq"]) == []


def test_raise_refused_for_a_passed_survey_or_not_hq(city):
    passed = survey(city, counts={"rodent_rooms": (100, 1)})
    with pytest.raises(VectorInvalid):
        vector_survey_raise_problems(survey=passed, by=city.users["hq"])
    failed = survey(city, counts={"rodent_rooms": (100, 20)})
    with pytest.raises(VectorForbidden):
        vector_survey_raise_problems(survey=failed, by=city.users["district_lead"])
    assert not Problem.objects.exists()


def test_vector_levels_latest(city):
    survey(city, counts={"rodent_rooms": (100, 1)}, on=date(2026, 5, 1))
    latest_a = survey(city, counts={"rodent_rooms": (100, 20)}, on=date(2026, 6, 1))
    survey(city, counts={"rodent_rooms": (100, 1)}, on=date(2026, 8, 1))  # after as_of
    survey(city, species="fly", counts={"fly_rooms": (100, 4)}, on=date(2026, 6, 2))
    survey(city, district=city.district_b, counts={"rodent_rooms": (100, 3)}, on=date(2026, 6, 3))
    rows = vector_levels_latest(as_of=date(2026, 7, 1))
    assert [(r["district_id"], r["species"], r["level"], r["passed"]) for r in rows] == [
        (city.district_a.pk, "rodent", "fail", False),
        (city.district_a.pk, "fly", "B", True),
        (city.district_b.pk, "rodent", "B", True),
    ]
    assert rows[0]["survey_id"] == latest_a.pk and rows[0]["date"] == "2026-06-01"
    assert rows[0]["species_label"] == "Rodents" and rows[0]["district"] == str(city.district_a)
    only_b = vector_levels_latest(as_of=date(2026, 7, 1), district_id=city.district_b.pk)
    assert [r["district_id"] for r in only_b] == [city.district_b.pk]


def test_a_raised_problem_links_back_to_its_survey(city):
    from django.urls import reverse

    from ledger.sources import source_link

    s = survey(city, counts={"rodent_rooms": (100, 20)})
    problem = vector_survey_raise_problems(survey=s, by=city.users["hq"])[0]
    link = source_link(problem.source_ref, city.users["hq"])
    assert link.url == reverse("assessment:vector_survey_detail", args=[s.pk])
    assert source_link(problem.source_ref, city.users["other_district_lead"]).url is None


def test_a_later_failed_survey_finds_the_open_problem_again(city):
    point = city.points_a[0]
    first = survey(city, counts={"rodent_rooms": (100, 20)}, points=[point], on=date(2026, 6, 1))
    second = survey(city, counts={"rodent_rooms": (100, 30)}, points=[point], on=date(2026, 7, 1))
    problem = vector_survey_raise_problems(survey=first, by=city.users["hq"])[0]
    again = vector_survey_raise_problems(survey=second, by=city.users["hq"])
    assert again == [problem] or [p.pk for p in again] == [problem.pk]
    assert Problem.objects.count() == 1
    assert problem.events.filter(data__source_ref=second.source_ref).exists()
    assert vector_survey_raise_problems(survey=second, by=city.users["hq"]) == []
    assert second.events.get(action=VectorSurveyEvent.Action.RAISE).changes["problems"] == {
        problem.code: "found_again"}


def test_the_largest_counts_are_stored(city):
    from assessment.vectors.indicators import MAX_COUNT

    s = survey(city, counts={"rodent_path": (1, MAX_COUNT)})
    assert s.counts.get().value == Decimal("1000000000.00") and s.level == "fail"


def test_hq_sets_a_threshold_through_the_api(city):
    from rest_framework.test import APIClient

    s = survey(city, counts={"rodent_rooms": (100, 6)})
    c = VectorThreshold.objects.get(indicator="rodent_rooms", level="C")
    url = f"/api/vector-thresholds/{c.pk}/"
    lead = APIClient()
    lead.force_authenticate(city.users["leader"])
    assert lead.patch(url, {"max_value": "6", "source": "x", "reason": "y"}, format="json").status_code == 403
    hq = APIClient()
    hq.force_authenticate(city.users["hq"])
    refused = hq.patch(url, {"max_value": "2", "source": "x", "reason": "y"}, format="json")
    assert refused.status_code == 400 and "max_value" in refused.json()
    response = hq.patch(url, {"max_value": "6", "source": "HQ notice", "reason": "provincial rule"}, format="json")
    assert response.status_code == 200 and response.json()["max_value"] == "6.00"
    s.refresh_from_db()
    assert s.level == "C" and VectorThresholdChange.objects.get().by == city.users["hq"]


def test_a_survey_is_corrected_through_the_api(city):
    from rest_framework.test import APIClient

    s = survey(city, counts={"rodent_rooms": (100, 6)})
    hq = APIClient()
    hq.force_authenticate(city.users["hq"])
    url = f"/api/vector-surveys/{s.pk}/"
    refused = hq.patch(url, {"counts": {"rodent_rooms": {"checked": 100, "positive": 1}}}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    response = hq.patch(url, {"counts": {"rodent_rooms": {"checked": 100, "positive": 1}}, "reason": "typo"},
                        format="json")
    assert response.status_code == 200, response.json()
    s.refresh_from_db()
    assert s.level == "A" and s.counts.get().positive == 1
    leader = APIClient()
    leader.force_authenticate(city.users["leader"])
    assert leader.patch(url, {"reason": "x"}, format="json").status_code in (403, 404)
