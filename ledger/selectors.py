"""Reads of the ledger that more than one page, the API or an export needs (writes live in
services.py)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from campaign.models import Unit

from .choices import OPEN_STATUSES
from .models import Problem, ProblemClass


def _count_in_class(problems) -> Coalesce:
    per_class = (
        problems.filter(problem_class=OuterRef("pk")).order_by().values("problem_class")
        .annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(per_class, output_field=IntegerField()), 0)


def problem_classes_counted(user):
    """The classes ``user`` may see (ProblemClass.objects.visible_to) with the number of their
    problems ``user`` may see, all and still open (``problem_count``, ``open_count``)."""
    visible = Problem.objects.visible_to(user)
    return ProblemClass.objects.visible_to(user).select_related(
        "category", "created_by", "responsible_unit", "district", "verified_by").annotate(
        problem_count=_count_in_class(visible), open_count=_count_in_class(visible.filter(status__in=OPEN_STATUSES)),
    )


def suggested_unit(problem) -> Unit | None:
    """The unit a problem would normally be assigned to: its sample point's responsible unit,
    else the lead unit of its special team; None when neither names one.

    The callers select_related ``sample_point__responsible_unit`` and ``team__lead_unit``."""
    point = problem.sample_point
    if point is not None and point.responsible_unit_id:
        return point.responsible_unit
    team = problem.team
    if team is not None and team.lead_unit_id:
        return team.lead_unit
    return None
