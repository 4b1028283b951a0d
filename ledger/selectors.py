"""Reads of the ledger shared by pages, the API and exports."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .choices import OPEN_STATUSES
from .models import Problem, ProblemClass


def _count_in_class(problems) -> Coalesce:
    per_class = (
        problems.filter(problem_class=OuterRef("pk")).order_by().values("problem_class")
        .annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(per_class, output_field=IntegerField()), 0)


def problem_classes_counted(user):
    """Every class (classes are not scoped) with the number of its problems ``user`` may see,
    all and still open (``problem_count``, ``open_count``)."""
    visible = Problem.objects.visible_to(user)
    return ProblemClass.objects.select_related("category", "created_by").annotate(
        problem_count=_count_in_class(visible), open_count=_count_in_class(visible.filter(status__in=OPEN_STATUSES)),
    )
