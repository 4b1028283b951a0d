"""The programme's models, one module per area (each re-exported here for Django)."""

from .actions import ActionImport, ActionTarget, SpecialAction, TargetEvent, TargetPhoto
from .cycle import PlanRound, RoundPlan, RoundPlanEvent, RoundPlanQuota

__all__: list[str] = [
    "ActionImport", "ActionTarget", "SpecialAction", "TargetEvent", "TargetPhoto",  # special actions
    "PlanRound", "RoundPlan", "RoundPlanEvent", "RoundPlanQuota",  # the supervision cycle
]
