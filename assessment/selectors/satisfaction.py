"""Reads of the public-satisfaction survey: results per district and question, the rate against
its target and its trend, and the readiness page's summary (``satisfaction_summary``).

The rate (models/satisfaction.py ``SATISFIED_RULE``): satisfied answers (rating 4–5 of 5, or
"yes") / answers to rating and yes/no questions × 100, over the answers in the period."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek

from campaign.choices import Role
from campaign.models import District

from ..models import SatisfactionSurvey, SurveyAnswer, SurveyResponse
from ..models.satisfaction import answer_satisfied


def results_district_scope(user) -> int | None:
    """The district whose results ``user`` may see (None: the whole city). HQ staff and leaders see
    the city, a district lead their district; the caller has checked ``can_see_results``."""
    if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
        return None
    return user.district_id or -1


def can_see_results(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (
        user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER, Role.DISTRICT_LEAD)))


def surveys_visible_to(user):
    """Surveys whose results ``user`` may read (all of them for HQ, leaders and district leads)."""
    if not can_see_results(user):
        return SatisfactionSurvey.objects.none()
    return SatisfactionSurvey.objects.all()


def _rate(satisfied: int, rated: int) -> float | None:
    """The rate to show (rounded to 0.1); never compared with the target (see ``_met``)."""
    return round(satisfied * 100 / rated, 1) if rated else None


def _met(satisfied: int, rated: int, target) -> bool | None:
    """Whether the exact rate reaches ``target`` (a Decimal percent): satisfied / rated >= target / 100,
    in integers and Decimals, so a rate shown as 66.7 does not meet a target of 66.67."""
    if not rated or target is None:
        return None
    return Decimal(satisfied) * 100 >= Decimal(target) * rated


def _answers(*, survey_id: int | None, since: date | None, until: date | None, district_id: int | None):
    answers = SurveyAnswer.objects.all()
    if survey_id is not None:
        answers = answers.filter(response__survey_id=survey_id)
    if since is not None:
        answers = answers.filter(response__day__gte=since)
    if until is not None:
        answers = answers.filter(response__day__lte=until)
    if district_id is not None:
        answers = answers.filter(response__district_id=district_id)
    return answers


_RATED = Count("pk", filter=Q(satisfied__isnull=False))
_SATISFIED = Count("pk", filter=Q(satisfied=True))


def satisfaction_summary(*, since: date, until: date, district_id: int | None = None) -> dict:
    """Responses and the satisfaction rate (percent) of every survey's answers from ``since`` to
    ``until`` (inclusive), in one district or the whole city; the target is the one of the latest
    survey answered in the period (else the latest active survey), ``met`` whether the rate reaches it."""
    responses = SurveyResponse.objects.filter(day__gte=since, day__lte=until)
    if district_id is not None:
        responses = responses.filter(district_id=district_id)
    figures = _answers(survey_id=None, since=since, until=until, district_id=district_id).aggregate(
        rated=_RATED, satisfied=_SATISFIED)
    survey = (SatisfactionSurvey.objects.filter(pk__in=responses.values("survey_id")).order_by("-opens_on", "-pk").first()
              or SatisfactionSurvey.objects.filter(active=True).order_by("-opens_on", "-pk").first())
    rate = _rate(figures["satisfied"], figures["rated"])
    target = float(survey.target_rate) if survey is not None else None
    return {"responses": responses.count(), "rate": rate, "target": target,
            "met": _met(figures["satisfied"], figures["rated"], survey.target_rate if survey is not None else None)}


def survey_results(*, survey: SatisfactionSurvey, since: date | None = None, until: date | None = None,
                   district_id: int | None = None, trend: str = "week") -> dict:
    """Everything the results page, the API and the workbook show, in plain values:

    - ``overall``: responses, rated answers, satisfied, rate, target, met;
    - ``districts``: per district (those in scope), responses and rate;
    - ``questions``: per question, counts per option (city or scope) and, per district, the
      counts per option and the rate (rating and yes/no questions);
    - ``trend``: per week (``trend="week"``, Monday) or month, responses and rate.
    A handful of queries whatever the number of answers."""
    target = float(survey.target_rate)
    answers = _answers(survey_id=survey.pk, since=since, until=until, district_id=district_id)
    responses = SurveyResponse.objects.filter(survey=survey)
    if since is not None:
        responses = responses.filter(day__gte=since)
    if until is not None:
        responses = responses.filter(day__lte=until)
    if district_id is not None:
        responses = responses.filter(district_id=district_id)
    districts = District.objects.order_by("code")
    if district_id is not None:
        districts = districts.filter(pk=district_id)
    districts = list(districts)
    questions = list(survey.questions.order_by("order", "pk"))

    per_district_responses = dict(responses.values_list("district_id").annotate(n=Count("pk")))
    cells = defaultdict(int)  # (question, district, value) -> count
    for question_id, d_id, value, count in answers.values_list(
            "question_id", "response__district_id", "value").annotate(n=Count("pk")).order_by():
        cells[(question_id, d_id, value)] += count

    kinds = {q.pk: q.counts_for_rate for q in questions}

    rated_by_district, satisfied_by_district = defaultdict(int), defaultdict(int)
    question_rows = []
    for question in questions:
        choices = question.choices()
        by_district = []
        total_counts = {value: 0 for value, _label in choices}
        q_rated = q_satisfied = 0
        for district in districts:
            counts = {value: cells.get((question.pk, district.pk, value), 0) for value, _label in choices}
            rated = sum(counts.values()) if kinds[question.pk] else 0
            satisfied = sum(n for value, n in counts.items() if answer_satisfied(question.kind, value))
            for value, n in counts.items():
                total_counts[value] += n
            if kinds[question.pk]:
                rated_by_district[district.pk] += rated
                satisfied_by_district[district.pk] += satisfied
                q_rated += rated
                q_satisfied += satisfied
            by_district.append({"district_id": district.pk, "district": district.label,
                                "answers": sum(counts.values()),
                                "counts": [counts[value] for value, _label in choices],
                                "rate": _rate(satisfied, rated) if kinds[question.pk] else None})
        question_rows.append({
            "question_id": question.pk, "order": question.order, "question": question.label, "kind": question.kind,
            "active": question.active, "counts_for_rate": kinds[question.pk],
            "options": [{"value": value, "label": label, "count": total_counts[value]} for value, label in choices],
            "answers": sum(total_counts.values()),
            "rate": _rate(q_satisfied, q_rated) if kinds[question.pk] else None,
            "districts": by_district,
        })

    district_rows = [{"district_id": d.pk, "district": d.label, "responses": per_district_responses.get(d.pk, 0),
                      "rated": rated_by_district[d.pk], "satisfied": satisfied_by_district[d.pk],
                      "rate": _rate(satisfied_by_district[d.pk], rated_by_district[d.pk]),
                      "met": _met(satisfied_by_district[d.pk], rated_by_district[d.pk], survey.target_rate)}
                     for d in districts]
    rated, satisfied = sum(rated_by_district.values()), sum(satisfied_by_district.values())
    rate = _rate(satisfied, rated)
    overall = {"responses": sum(per_district_responses.values()), "rated": rated, "satisfied": satisfied,
               "rate": rate, "target": target, "met": _met(satisfied, rated, survey.target_rate)}

    truncate = TruncMonth("response__day") if trend == "month" else TruncWeek("response__day")
    trend_counts = {row["period"]: row for row in answers.annotate(period=truncate).values("period").annotate(
        rated=_RATED, satisfied=_SATISFIED, responses=Count("response_id", distinct=True)).order_by("period")}
    trend_rows = [{"period": (period.date() if hasattr(period, "date") else period).isoformat(),
                   "responses": row["responses"], "rate": _rate(row["satisfied"], row["rated"]),
                   "met": _met(row["satisfied"], row["rated"], survey.target_rate)}
                  for period, row in trend_counts.items()]
    return {"survey_id": survey.pk, "survey": survey.label, "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None, "district_id": district_id,
            "overall": overall, "districts": district_rows, "questions": question_rows,
            "trend": trend_rows, "trend_by": "month" if trend == "month" else "week"}
