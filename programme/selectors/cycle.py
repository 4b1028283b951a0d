"""Reads of the supervision cycle's pages and API, through the scoping querysets."""

from django.db.models import Count, Max, Q

from campaign.choices import Role
from inspections.choices import InspectionStatus
from inspections.models import Round
from inspections.selectors import rounds_cross_pairs

from ..models import PlanRound, RoundPlan


def may_write_plans(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role == Role.HQ_STAFF))


def round_plans(*, user):
    """The plans ``user`` may see, with how many rounds each made and its latest period."""
    return (RoundPlan.objects.visible_to(user).select_related("district", "owner")
            .annotate(round_count=Count("plan_rounds", distinct=True),
                      last_period=Max("plan_rounds__period_start"))
            .prefetch_related("quotas__category"))


def plan_rounds(*, plan: RoundPlan):
    """The rounds a plan made, latest first, with their points and the points inspected."""
    submitted = Q(round__points__inspection__status=InspectionStatus.SUBMITTED)
    return (PlanRound.objects.filter(plan=plan).select_related("round")
            .annotate(points=Count("round__points", distinct=True),
                      done=Count("round__points", filter=submitted, distinct=True))
            .order_by("-period_start"))


def cross_rounds(*, user):
    """The cross-inspection rounds ``user`` may see, latest first, each with who inspected whom."""
    rounds = list(Round.objects.visible_to(user).filter(cross_inspection=True)
                  .select_related("plan_round__plan").order_by("-starts_on", "-id")[:50])
    pairs = rounds_cross_pairs(rounds=[inspection_round.pk for inspection_round in rounds])  # one query for all
    for inspection_round in rounds:
        inspection_round.cross_pairs = pairs.get(inspection_round.pk, [])
    return rounds
