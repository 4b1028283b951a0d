"""The demo's survey: six questions, months of answers, real differences between districts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.demo.satisfaction import SLUG, demo_satisfaction_step
from assessment.models import SatisfactionSurvey, SurveyResponse
from assessment.selectors.satisfaction import satisfaction_summary, survey_results

pytestmark = pytest.mark.django_db


def test_the_demo_survey_has_months_of_answers_that_differ_by_district(city):
    report = demo_satisfaction_step()
    assert report.wrote
    survey = SatisfactionSurvey.objects.get(slug=SLUG)
    assert survey.questions.count() == 6
    results = survey_results(survey=survey, trend="month")
    assert len(results["trend"]) >= 4
    rates = [row["rate"] for row in results["districts"]]
    assert max(rates) - min(rates) > 5  # district A (mood .93) well above district B (.82)
    assert results["overall"]["target"] == 90.0
    assert set(SurveyResponse.objects.values_list("source", flat=True)) == {"demo"}
    today = timezone.localdate()
    summary = satisfaction_summary(since=today - timedelta(days=120), until=today)
    assert summary["responses"] > 50 and summary["rate"] is not None
    # Run again: nothing added.
    before = SurveyResponse.objects.count()
    assert not demo_satisfaction_step().wrote
    assert SurveyResponse.objects.count() == before
